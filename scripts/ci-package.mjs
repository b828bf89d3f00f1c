#!/usr/bin/env node
// CI step: build the Linux packages (AppImage + deb) when this machine can, or say exactly why not. Packaging
// needs three downloads that some CI machines cannot make: the Electron binary (github.com), the Electron headers
// for better-sqlite3 (artifacts.electronjs.org), and electron-builder's packaging tools (fpm, appimagetool from
// github.com). What does not need them is always checked by test/unit/packaging.test.ts.
// Exit 0 when packaged or skipped for lack of network; 1 when a step that could run failed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildElectronNative } from './electron-native.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const say = (m) => console.log(`ci-package: ${m}`);

const electronDir = path.dirname(require.resolve('electron/package.json'));
const electronInstalled = () => existsSync(path.join(electronDir, 'path.txt')) && existsSync(path.join(electronDir, 'dist', readFileSync(path.join(electronDir, 'path.txt'), 'utf8').trim()));
if (!electronInstalled()) {
  say('fetching the Electron binary…');
  spawnSync(process.execPath, [path.join(electronDir, 'install.js')], { stdio: 'inherit', timeout: 180_000 });
}
if (!electronInstalled()) {
  say('SKIPPED: the Electron binary could not be downloaded (github.com unreachable?); electron-builder needs it to assemble the app. electron-builder.yml and the files it names are checked by test/unit/packaging.test.ts.');
  process.exit(0);
}
const native = buildElectronNative({ log: say });
if (!native.ok) {
  say(`SKIPPED: ${native.reason}. A package without the Electron build of better-sqlite3 could not open its database.`);
  process.exit(0);
}
const r = spawnSync(process.execPath, [require.resolve('electron-builder/cli.js'), '--linux', 'AppImage', 'deb', '--publish', 'never'], { cwd: root, stdio: 'inherit', timeout: 30 * 60_000 });
if (r.status !== 0) {
  say(`electron-builder failed (exit ${r.status ?? r.signal}); see its output above.`);
  process.exit(1);
}
say('built the Linux packages into release/.');
