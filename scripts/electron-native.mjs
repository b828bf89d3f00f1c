#!/usr/bin/env node
// Builds better-sqlite3 for Electron's ABI into out/native/electron/better_sqlite3.node, leaving the Node build
// in node_modules untouched (tests and the CLI run on Node and need it). The Electron main process loads this
// file through better-sqlite3's `nativeBinding` option. Needs the Electron headers (downloaded by node-gyp from
// the Electron headers host) and a C++ toolchain; `npm start` and `npm run dist` call it.
// Usage: node scripts/electron-native.mjs [--arch x64|arm64] [--force]
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

export const ELECTRON_NATIVE_DIR = path.join(root, 'out', 'native', 'electron');
export const ELECTRON_NATIVE_FILE = path.join(ELECTRON_NATIVE_DIR, 'better_sqlite3.node');
const STAMP = path.join(ELECTRON_NATIVE_DIR, 'build-info.json');
const HEADERS_URL = process.env.ELECTRON_HEADERS_URL || 'https://artifacts.electronjs.org/headers/dist';

/** Returns { ok: true, file } or { ok: false, reason } — never throws, so callers can fall back. */
export function buildElectronNative({ arch = process.arch, force = false, log = (m) => console.error(m) } = {}) {
  const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
  const sqliteDir = path.dirname(require.resolve('better-sqlite3/package.json'));
  const sqliteVersion = JSON.parse(readFileSync(path.join(sqliteDir, 'package.json'), 'utf8')).version;
  const wanted = { electron: electronVersion, better_sqlite3: sqliteVersion, arch };
  if (!force && existsSync(ELECTRON_NATIVE_FILE) && existsSync(STAMP)) {
    const have = JSON.parse(readFileSync(STAMP, 'utf8'));
    if (JSON.stringify(have) === JSON.stringify(wanted)) return { ok: true, file: ELECTRON_NATIVE_FILE };
  }
  // Build in a copy so node_modules/better-sqlite3/build (Node's ABI) is never overwritten.
  const work = path.join(ELECTRON_NATIVE_DIR, 'src');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  for (const part of ['binding.gyp', 'src', 'deps', 'package.json']) cpSync(path.join(sqliteDir, part), path.join(work, part), { recursive: true });
  let gyp;
  try {
    gyp = require.resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return { ok: false, reason: 'node-gyp is not installed (it comes with electron-builder; run `npm ci`)' };
  }
  log(`Building better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} (${arch})…`);
  const result = spawnSync(
    process.execPath,
    [gyp, 'rebuild', '--release', `--target=${electronVersion}`, `--arch=${arch}`, `--dist-url=${HEADERS_URL}`, '--runtime=electron', `--devdir=${path.join(ELECTRON_NATIVE_DIR, 'headers')}`],
    // npm_config_nodedir (set by some setups) would point node-gyp at Node's headers instead of Electron's.
    { cwd: work, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 15 * 60_000, env: { ...process.env, npm_config_nodedir: '', npm_config_node_gyp: '' } },
  );
  const built = path.join(work, 'build', 'Release', 'better_sqlite3.node');
  if (result.status !== 0 || !existsSync(built)) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
    const unreachable = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|getaddrinfo|network connectivity/.test(output);
    const reason = unreachable
      ? `the Electron headers could not be downloaded from ${HEADERS_URL} (host unreachable; set ELECTRON_HEADERS_URL to a mirror)`
      : `node-gyp failed (exit ${result.status ?? result.signal}):\n${output.split('\n').slice(-15).join('\n')}`;
    return { ok: false, reason };
  }
  cpSync(built, ELECTRON_NATIVE_FILE);
  writeFileSync(STAMP, JSON.stringify(wanted));
  rmSync(work, { recursive: true, force: true });
  return { ok: true, file: ELECTRON_NATIVE_FILE };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const archAt = argv.indexOf('--arch');
  const result = buildElectronNative({ arch: archAt >= 0 ? argv[archAt + 1] : process.arch, force: argv.includes('--force') });
  if (result.ok) console.error(`Electron build of better-sqlite3: ${path.relative(root, result.file)}`);
  else console.error(`electron-native: could not build better-sqlite3 for Electron: ${result.reason}`);
  process.exit(result.ok ? 0 : 1);
}
