// The real installers cannot be built here (the Electron binary cannot be downloaded on this machine);
// test/unit/packaging-unpacked.test.ts builds the unpacked app with a placeholder Electron. This checks the file against
// electron-builder's own configuration schema, the security fuses, targets, and every file it names, and runs
// the CLI launcher in the install layouts of Linux and macOS.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '../..');
const require = createRequire(import.meta.url);
const builderConfig = () => parse(fs.readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function validate(config: unknown): Promise<void> {
  const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as { validateConfiguration(c: unknown, log: unknown): Promise<void> };
  await validateConfiguration(config, { isEnabled: false, add: () => undefined });
}

const tmps: string[] = [];
afterAll(() => {
  for (const t of tmps) fs.rmSync(t, { recursive: true, force: true });
});

describe('electron-builder.yml', () => {
  it("is valid for electron-builder's configuration schema (and the check rejects a misspelt key)", async () => {
    await expect(validate(builderConfig())).resolves.toBeUndefined();
    await expect(validate({ ...builderConfig(), electronFuses: { runAsNod: false } })).rejects.toThrow(/configuration.electronFuses/);
  });

  it('sets the security fuses', () => {
    expect(builderConfig().electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('builds dmg + zip for x64 and arm64, AppImage + deb, nsis; publishes to GitHub releases', () => {
    const c = builderConfig();
    expect(c.mac.target).toEqual([
      { target: 'dmg', arch: ['x64', 'arm64'] },
      { target: 'zip', arch: ['x64', 'arm64'] },
    ]);
    expect(c.linux.target).toEqual(['AppImage', 'deb']);
    expect(c.win.target).toBe('nsis');
    expect(c.publish).toMatchObject({ provider: 'github' });
    // One better-sqlite3 build for Electron (scripts/electron-native.mjs), not a second rebuild of node_modules.
    expect(c.npmRebuild).toBe(false);
    expect(pkg.scripts.dist).toContain('scripts/electron-native.mjs');
    expect(pkg.scripts.dist).not.toContain('install-app-deps');
  });

  it('names only files that exist; ships the CLI launchers and the schema', () => {
    const c = builderConfig();
    for (const icon of [c.linux.icon, c.mac.icon, c.win.icon]) expect(fs.existsSync(path.join(ROOT, icon)), icon).toBe(true);
    for (const script of [c.deb.afterInstall, c.deb.afterRemove]) {
      expect(fs.existsSync(path.join(ROOT, script)), script).toBe(true);
      expect(spawnSync('bash', ['-n', path.join(ROOT, script)]).status).toBe(0);
    }
    expect(fs.readFileSync(path.join(ROOT, c.deb.afterInstall), 'utf8')).toContain("ln -sf '/opt/${sanitizedProductName}/resources/cli/scripthut' /usr/bin/scripthut");
    const [cli] = c.extraResources as Array<{ from: string; to: string; filter: string[] }>;
    expect(cli!.to).toBe('cli');
    for (const f of cli!.filter) expect(fs.existsSync(path.join(ROOT, cli!.from, f)), f).toBe(true);
    expect(fs.statSync(path.join(ROOT, cli!.from, 'scripthut')).mode & 0o111).not.toBe(0);
    expect(fs.existsSync(path.join(ROOT, 'resources', 'scripthut.schema.json'))).toBe(true);
    expect(fs.readFileSync(path.join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    expect(pkg.license).toBe('MIT');
    expect(pkg.author).toBeTruthy();
  });
});

describe('the installed `scripthut` launcher', () => {
  /** A fake app executable that prints its arguments, in the given install layout. */
  function install(appRel: string, resourcesRel: string): { launcher: string; root: string } {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-pkg-'));
    tmps.push(root);
    const app = path.join(root, appRel);
    fs.mkdirSync(path.dirname(app), { recursive: true });
    fs.writeFileSync(app, '#!/bin/sh\nprintf "%s|" "$@"\n', { mode: 0o755 });
    const launcher = path.join(root, resourcesRel, 'cli', 'scripthut');
    fs.mkdirSync(path.dirname(launcher), { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'bin', 'packaged', 'scripthut'), launcher);
    fs.chmodSync(launcher, 0o755);
    return { launcher, root };
  }

  it('runs the Linux app executable through the /usr/bin symlink, arguments intact', () => {
    const { launcher, root } = install('opt/ScriptHut Desktop/scripthut-desktop', 'opt/ScriptHut Desktop/resources');
    const link = path.join(root, 'usr', 'bin', 'scripthut');
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(launcher, link);
    const r = spawnSync(link, ['run', 'logs', 'r 1', '--json'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('--scripthut-cli|run|logs|r 1|--json|');
  });

  it('runs the macOS bundle executable', () => {
    const { launcher } = install('ScriptHut Desktop.app/Contents/MacOS/ScriptHut Desktop', 'ScriptHut Desktop.app/Contents/Resources');
    expect(spawnSync(launcher, ['--version'], { encoding: 'utf8' }).stdout).toBe('--scripthut-cli|--version|');
  });

  it('says where it looked when the app executable is missing', () => {
    const { launcher, root } = install('elsewhere/app', 'opt/ScriptHut Desktop/resources');
    const r = spawnSync(launcher, [], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`not at ${path.join(root, 'opt/ScriptHut Desktop/scripthut-desktop')};`);
  });
});
