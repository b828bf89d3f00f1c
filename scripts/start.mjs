#!/usr/bin/env node
// `npm start`: opens ScriptHut Desktop when the Electron binary is installed; otherwise (servers, CI, machines
// where Electron's download was blocked) runs the same engine headless and opens the UI in the browser, so the
// README's "start the app" command always does something useful. Extra arguments are passed through.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildElectronNative } from './electron-native.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

const ELECTRON_DOWNLOAD_TIMEOUT_MS = 180_000;

/**
 * The Electron executable, or the reason it cannot be used. Electron's npm package no longer downloads its binary
 * at install time (so `npm ci` works offline); the first `npm start` fetches it here, with a time limit, instead
 * of through `require('electron')`, which would download synchronously with no limit.
 */
function findElectron() {
  const require = createRequire(import.meta.url);
  let dir;
  try {
    dir = path.dirname(require.resolve('electron/package.json'));
  } catch (err) {
    return { reason: `the electron package is not installed (${err instanceof Error ? err.message : err})` };
  }
  const installed = () => {
    const pathFile = path.join(dir, 'path.txt');
    if (!existsSync(pathFile)) return undefined;
    const executable = path.join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(executable) ? executable : undefined;
  };
  let executable = installed();
  if (!executable) {
    console.error('start: downloading the Electron binary (first start only)…');
    const result = spawnSync(process.execPath, [path.join(dir, 'install.js')], { stdio: 'inherit', timeout: ELECTRON_DOWNLOAD_TIMEOUT_MS });
    executable = installed();
    if (!executable) {
      const why = result.error?.code === 'ETIMEDOUT' ? `timed out after ${ELECTRON_DOWNLOAD_TIMEOUT_MS / 1000} s` : `exit ${result.status ?? result.signal}`;
      return { reason: `the Electron binary is not installed and could not be downloaded (${why})` };
    }
  }
  return { executable };
}

function run(command, argv, env = process.env) {
  const child = spawn(command, argv, { cwd: root, stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('error', (err) => {
    console.error(`start: could not run ${command}: ${err.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const electron = findElectron();
if (electron.executable) {
  const main = path.join(root, 'out', 'electron', 'main.cjs');
  if (!existsSync(main)) {
    console.error(`start: ${path.relative(root, main)} is missing. Run \`npm run build\` first (npm start does it for you).`);
    process.exit(1);
  }
  // ELECTRON_RUN_AS_NODE (set by some tools) would make Electron behave as plain Node and ignore the app.
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  // better-sqlite3 in node_modules is built for Node; the Electron main process loads its own build of it.
  const native = buildElectronNative();
  if (!native.ok) {
    console.error(`start: ${native.reason}`);
    console.error('start: the desktop app cannot open its history database without it; starting the headless engine instead.');
    headless('the Electron build of better-sqlite3 is missing');
  } else {
    // Launching the app folder (not main.cjs directly) makes Electron read package.json: name, version, main.
    run(electron.executable, [root, ...args], env);
  }
} else {
  headless(electron.reason);
}

function headless(reason) {
  const cli = path.join(root, 'bin', 'scripthut.mjs');
  console.error(
    [
      `ScriptHut Desktop cannot open a window here: ${reason}.`,
      'Starting the headless engine instead; open the URL printed below in your browser.',
      '(For the desktop window, run `npm start` on a machine that can reach the Electron download and headers hosts.)',
      '',
    ].join('\n'),
  );
  if (!existsSync(cli)) {
    console.error(`start: ${path.relative(root, cli)} is missing, so the headless engine cannot start either.`);
    process.exit(1);
  }
  run(process.execPath, [cli, 'serve', '--port', '0', '--open', ...args]);
}
