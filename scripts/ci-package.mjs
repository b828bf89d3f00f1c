#!/usr/bin/env node
// CI step: build the Linux packages (AppImage + deb) when this machine can, or say exactly why not. Packaging
// needs three downloads that some CI machines cannot make: the Electron binary (github.com), the Electron headers
// for better-sqlite3 (artifacts.electronjs.org), and electron-builder's packaging tools (fpm, appimagetool from
// github.com). What does not need them is always checked by test/unit/packaging.test.ts.
// Without the Electron binary or its headers, it still builds the unpacked Linux app structure through
// electron-builder with a placeholder Electron executable (scripts/packaging/unpacked-app.mjs) and checks it.
// Exit 0 when packaged, or when the unpacked app was built and passed its checks; 1 when a step that could run
// failed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildElectronNative } from './electron-native.mjs';
import { buildUnpackedApp, checkUnpackedApp } from './packaging/unpacked-app.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const say = (m) => console.log(`ci-package: ${m}`);

const electronDir = path.dirname(require.resolve('electron/package.json'));
const electronInstalled = () => existsSync(path.join(electronDir, 'path.txt')) && existsSync(path.join(electronDir, 'dist', readFileSync(path.join(electronDir, 'path.txt'), 'utf8').trim()));
if (!electronInstalled()) {
  say('fetching the Electron binary…');
  spawnSync(process.execPath, [path.join(electronDir, 'install.js')], { stdio: 'inherit', timeout: 180_000 });
}
const native = buildElectronNative({ log: say });
if (!electronInstalled() || !native.ok) {
  const why = [];
  if (!electronInstalled()) why.push('the Electron binary could not be downloaded (github.com unreachable?); AppImage and deb need the real executable');
  if (!native.ok) why.push(`the Electron-ABI build of better-sqlite3 could not be made: ${native.reason}`);
  say(`NOT BUILT: the AppImage and deb packages, because ${why.join('; and ')}.`);
  process.exit(await buildAndCheckUnpacked());
}
const r = spawnSync(process.execPath, [require.resolve('electron-builder/cli.js'), '--linux', 'AppImage', 'deb', '--publish', 'never'], { cwd: root, stdio: 'inherit', timeout: 30 * 60_000 });
if (r.status !== 0) {
  say(`electron-builder failed (exit ${r.status ?? r.signal}); see its output above.`);
  process.exit(1);
}
say('built the Linux packages into release/.');

/** Builds release/linux-unpacked with a placeholder Electron, checks it, prints what was and was not built. */
async function buildAndCheckUnpacked() {
  const outDir = path.join(root, 'release');
  say('building the unpacked Linux app structure instead (electron-builder --linux dir, placeholder Electron)…');
  const built = await buildUnpackedApp({ outDir });
  if (!built.ok) {
    say(`FAILED: the unpacked app could not be built: ${built.reason}`);
    return 1;
  }
  const { checked, problems, missing } = checkUnpackedApp(built.appDir);
  say(`built ${path.relative(root, built.appDir)} (its Electron executable is a placeholder; it cannot start). Checked:`);
  for (const c of checked) say(`  ok  ${c}`);
  for (const m of missing) say(`  NOT BUILT  ${m}`);
  for (const p of problems) say(`  PROBLEM  ${p}`);
  if (problems.length > 0) {
    say(`FAILED: ${problems.length} problem(s) in the unpacked app.`);
    return 1;
  }
  return 0;
}
