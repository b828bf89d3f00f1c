// The worker threads in the package, checked in plain Node (no Electron binary here): the read worker is found from
// every built bundle that starts it when those bundles sit inside app.asar, and the package check
// (scripts/packaging/unpacked-app.mjs checkWorkerFiles, run by scripts/ci-package.mjs) notices a missing read
// worker, a package it requires that was left out, and a missing renderer worker — on a real asar archive.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ_WORKER_FILE, findReadWorkerFile } from '../../src-main/engine/read-worker-file';
import { READ_WORKER_REL, checkWorkerFiles } from '../../scripts/packaging/unpacked-app.mjs';

const ROOT = path.resolve(__dirname, '../..');
const require = createRequire(import.meta.url);
const asar = require('@electron/asar') as { createPackage(src: string, dest: string): Promise<void>; listPackage(archive: string): string[]; extractFile(archive: string, file: string): Buffer };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-pkg-workers-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Every file under out/, relative to the repository (the folder electron-builder.yml packs as out/**). */
function builtFiles(dir = path.join(ROOT, 'out')): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? builtFiles(path.join(dir, e.name)) : [path.relative(ROOT, path.join(dir, e.name)).split(path.sep).join('/')]));
}

beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, READ_WORKER_REL)) || !fs.existsSync(path.join(ROOT, 'out', 'renderer', 'index.html'))) {
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
  }
}, 300_000);

describe('findReadWorkerFile', () => {
  const asarRoot = '/opt/ScriptHut Desktop/resources/app.asar';
  const inArchive = (files: string[]) => {
    const set = new Set(files.map((f) => `${asarRoot}/${f}`));
    return (p: string) => set.has(p);
  };

  it('from every built bundle that starts the worker, placed inside app.asar, finds out/main/read-worker.cjs there', () => {
    const files = builtFiles();
    expect(files).toContain(READ_WORKER_REL);
    const starters = files.filter((f) => /\.(c|m)?js$/.test(f) && f !== READ_WORKER_REL && !f.startsWith('out/renderer/') && fs.readFileSync(path.join(ROOT, f), 'utf8').includes(READ_WORKER_FILE));
    // The CLI's engine chunk (`scripthut serve`, also run by the packaged app's launcher) and the desktop main.
    expect(starters.some((f) => f.startsWith('out/main/chunks/'))).toBe(true);
    expect(starters).toContain('out/electron/main.cjs');
    for (const bundle of starters) expect(findReadWorkerFile(`${asarRoot}/${bundle}`, inArchive(files)), bundle).toBe(`${asarRoot}/${READ_WORKER_REL}`);
  });

  it('finds it from a sibling bundle folder and from out/main itself, and says null when it was not built', () => {
    const exists = inArchive([READ_WORKER_REL]);
    expect(findReadWorkerFile(`${asarRoot}/out/bench/loop.mjs`, exists)).toBe(`${asarRoot}/${READ_WORKER_REL}`);
    expect(findReadWorkerFile(`${asarRoot}/out/main/cli.mjs`, exists)).toBe(`${asarRoot}/${READ_WORKER_REL}`);
    expect(findReadWorkerFile(`${asarRoot}/out/main/chunks/start.mjs`, inArchive([]))).toBeNull();
  });
});

describe('checkWorkerFiles on a real archive', () => {
  /** An app folder with the built workers, the renderer's scripts and the packages the read worker requires. */
  function appFolder(name: string, leaveOut: string[] = []): string {
    const dir = path.join(tmp, name);
    const files = builtFiles().filter((f) => f === READ_WORKER_REL || /^out\/renderer\/assets\/[^/]+\.js$/.test(f));
    for (const f of [...files, 'node_modules/zod/package.json', 'node_modules/better-sqlite3/package.json']) {
      if (leaveOut.some((l) => f.startsWith(l))) continue;
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
    }
    return dir;
  }
  async function check(name: string, leaveOut: string[] = [], unpacked: string[] = []) {
    const archive = path.join(tmp, `${name}.asar`);
    await asar.createPackage(appFolder(name, leaveOut), archive);
    const entries = new Set(asar.listPackage(archive).map((p) => p.replace(/\\/g, '/').replace(/^\//, '')));
    return checkWorkerFiles(entries, (p) => asar.extractFile(archive, p).toString('utf8'), (p) => unpacked.some((u) => p.startsWith(u)));
  }

  it('passes the built workers, naming each renderer worker and each package the read worker requires', async () => {
    const { checked, problems } = await check('good');
    expect(problems).toEqual([]);
    expect(checked).toContain(`app.asar: ${READ_WORKER_REL}`);
    expect(checked).toEqual(expect.arrayContaining(['read worker requires zod: node_modules/zod is packaged', 'read worker requires better-sqlite3: node_modules/better-sqlite3 is packaged']));
    expect(checked.filter((c) => c.endsWith('(renderer worker)')).map((c) => c.replace(/-[\w-]+\.js.*/, ''))).toEqual(['app.asar: out/renderer/assets/graph-layout.worker', 'app.asar: out/renderer/assets/log-index.worker']);
  });

  it('accepts a required package that is unpacked (better-sqlite3 is, by asarUnpack)', async () => {
    const { problems } = await check('unpacked-sqlite', ['node_modules/better-sqlite3'], ['node_modules/better-sqlite3']);
    expect(problems).toEqual([]);
  });

  it('reports a missing read worker', async () => {
    const { problems } = await check('no-read-worker', [READ_WORKER_REL]);
    expect(problems).toEqual([expect.stringMatching(/^app\.asar: out\/main\/read-worker\.cjs \(the read worker thread\) is not in the archive/)]);
  });

  it('reports a package the read worker requires that is not in the package', async () => {
    const { problems } = await check('no-zod', ['node_modules/zod']);
    expect(problems).toEqual(['the read worker requires "zod" but node_modules/zod is not in the package']);
  });

  it('reports a renderer worker left out of the archive', async () => {
    const logWorker = builtFiles().find((f) => /^out\/renderer\/assets\/log-index\.worker-/.test(f))!;
    const { problems } = await check('no-log-worker', [logWorker]);
    expect(problems).toEqual([`app.asar: ${logWorker}, a worker the renderer loads, is not in the archive`]);
  });
});
