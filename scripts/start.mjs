#!/usr/bin/env node
// `npm start`: opens ScriptHut Desktop when the Electron binary is installed; otherwise (servers, CI, machines
// where Electron's download was blocked) runs the same engine headless and opens the UI in the browser, so the
// README's "start the app" command always does something useful. Extra arguments are passed through.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

/** The Electron executable, or the reason it cannot be used. */
function findElectron() {
  const require = createRequire(import.meta.url);
  let executable;
  try {
    executable = require('electron');
  } catch (err) {
    return { reason: `the electron package is not usable (${err instanceof Error ? err.message : err})` };
  }
  if (typeof executable !== 'string' || !existsSync(executable)) {
    return { reason: `the Electron binary is missing (${executable})` };
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
  // Launching the app folder (not main.cjs directly) makes Electron read package.json: name, version, main.
  run(electron.executable, [root, ...args], env);
} else {
  const cli = path.join(root, 'bin', 'scripthut.mjs');
  console.error(
    [
      `ScriptHut Desktop cannot open a window here: ${electron.reason}.`,
      'Starting the headless engine instead; open the URL printed below in your browser.',
      '(To get the desktop window, install Electron: `npm install` on a machine that can download it.)',
      '',
    ].join('\n'),
  );
  if (!existsSync(cli)) {
    console.error(`start: ${path.relative(root, cli)} is missing, so the headless engine cannot start either.`);
    process.exit(1);
  }
  run(process.execPath, [cli, 'serve', '--port', '0', '--open', ...args]);
}
