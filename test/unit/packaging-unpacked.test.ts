// Builds the unpacked Linux app through electron-builder's own pipeline (its `dir` target, electron-builder.yml)
// with a placeholder Electron executable — the real one cannot be downloaded here — and checks what it holds,
// with the same functions scripts/ci-package.mjs uses. Then damages copies of the result to show the check
// notices each defect.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ELECTRON_NATIVE_REL, LINUX_EXECUTABLE, buildUnpackedApp, checkUnpackedApp } from '../../scripts/packaging/unpacked-app.mjs';

const ROOT = path.resolve(__dirname, '../..');
const require = createRequire(import.meta.url);
const asar = require('@electron/asar') as { createPackage(src: string, dest: string): Promise<void>; listPackage(archive: string): string[] };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-packaging-'));
let appDir = '';

beforeAll(async () => {
  // The package is made of the built bundle; build it when this test runs on its own.
  if (!fs.existsSync(path.join(ROOT, 'out', 'electron', 'main.cjs')) || !fs.existsSync(path.join(ROOT, 'out', 'renderer', 'index.html'))) {
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
  }
  const built = await buildUnpackedApp({ outDir: path.join(tmp, 'release') });
  if (!built.ok) throw new Error(built.reason);
  appDir = built.appDir;
}, 300_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A copy of the built app to damage. */
function copyOfApp(name: string): string {
  const dir = path.join(tmp, name);
  fs.cpSync(appDir, dir, { recursive: true });
  return dir;
}

describe('the unpacked Linux app built by electron-builder', () => {
  it('has no problems: app.asar with main, preload, renderer, schema, pricing; better-sqlite3 unpacked; the CLI launcher runs', () => {
    const { checked, problems } = checkUnpackedApp(appDir);
    expect(problems).toEqual([]);
    expect(checked).toEqual(
      expect.arrayContaining([
        'app.asar: main out/electron/main.cjs',
        'app.asar: out/electron/preload.cjs',
        'app.asar: out/renderer/index.html',
        'app.asar: resources/scripthut.schema.json',
        'app.asar: resources/pricing/aws-ec2-snapshot.json',
        'app.asar: no test/, bench/ or src-* folders',
        'app.asar.unpacked: node_modules/better-sqlite3/build/Release/better_sqlite3.node',
        // Worker threads load from inside the archive (scripts/packaging/unpacked-app.mjs checkWorkerFiles).
        'app.asar: out/main/read-worker.cjs',
        'read worker requires zod: node_modules/zod is packaged',
      ]),
    );
    const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;
    expect(checked).toContain(`resources/cli/scripthut --version → ${version} (plain node against the packaged files)`);
    expect(checked.filter((c) => c.endsWith('(renderer worker)'))).toHaveLength(2);
    expect(fs.existsSync(path.join(appDir, LINUX_EXECUTABLE))).toBe(true);
  });

  it('says the Electron-ABI build of better-sqlite3 is missing exactly when it is', () => {
    const { checked, missing } = checkUnpackedApp(appDir);
    const shipped = fs.existsSync(path.join(appDir, 'resources', 'app.asar.unpacked', ELECTRON_NATIVE_REL));
    if (shipped) {
      expect(missing).toEqual([]);
      expect(checked.some((c) => c.includes(ELECTRON_NATIVE_REL))).toBe(true);
    } else {
      expect(missing).toEqual([expect.stringMatching(/Electron-ABI build of better-sqlite3 .* is missing/)]);
    }
  });

  it('reports a launcher that is gone and a better-sqlite3 binary that was not unpacked', () => {
    const dir = copyOfApp('damaged');
    fs.rmSync(path.join(dir, 'resources', 'cli', 'scripthut'));
    fs.rmSync(path.join(dir, 'resources', 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build'), { recursive: true });
    const { problems } = checkUnpackedApp(dir);
    expect(problems).toEqual(
      expect.arrayContaining(['resources/cli/scripthut (executable): not found', 'app.asar.unpacked: node_modules/better-sqlite3/build/Release/better_sqlite3.node: not found']),
    );
  });

  it('reports an archive whose main file is missing, that lacks the renderer, or that holds test/ or src-* folders', async () => {
    const dir = copyOfApp('bad-asar');
    const src = path.join(tmp, 'bad-asar-src');
    fs.mkdirSync(path.join(src, 'test'), { recursive: true });
    fs.mkdirSync(path.join(src, 'src-main'), { recursive: true });
    fs.writeFileSync(path.join(src, 'package.json'), JSON.stringify({ name: 'x', main: 'out/electron/main.cjs' }));
    fs.writeFileSync(path.join(src, 'test', 'a.test.ts'), '');
    fs.writeFileSync(path.join(src, 'src-main', 'a.ts'), '');
    await asar.createPackage(src, path.join(dir, 'resources', 'app.asar'));
    const { problems } = checkUnpackedApp(dir);
    expect(problems).toEqual(
      expect.arrayContaining([
        'app.asar: package.json "main" (out/electron/main.cjs) is not in the archive',
        'app.asar: out/renderer/index.html: not found',
        'app.asar holds development folders: src-main, test',
      ]),
    );
    // The launcher cannot run the CLI from an archive without it.
    expect(problems.some((p) => p.startsWith('resources/cli/scripthut --version failed'))).toBe(true);
  });
});
