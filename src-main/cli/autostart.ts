// Starts an engine for a data folder when a command needs one and none is running (like the original's
// autostart): `scripthut serve` detached, then wait for its engine.json. SCRIPTHUT_AUTOSTART=never turns it off.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { engineFilePath } from '../host/server';

const READY_TIMEOUT_MS = 30_000;
/** `scripthut serve` exits with this when another engine holds the data folder (see main.ts). */
const FOLDER_OWNED_EXIT = 3;

/** The engine could not be started or reached; the message says why (no stack trace: not a bug in the CLI). */
export class AutostartError extends Error {}

function enginePidIn(file: string): number | null {
  try {
    const info = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: number };
    if (typeof info.pid !== 'number') return null;
    process.kill(info.pid, 0); // a file left by a killed engine does not count
    return info.pid;
  } catch {
    return null; // not written yet, or its engine is gone
  }
}

export function autostartAllowed(env: NodeJS.ProcessEnv): boolean {
  return (env.SCRIPTHUT_AUTOSTART ?? '').toLowerCase() !== 'never';
}

/** Spawns the engine and resolves once it has written engine.json; the engine outlives this command. */
export async function autostartEngine(o: { dataDir: string; command: string[]; say: (line: string) => void }): Promise<void> {
  const file = engineFilePath(o.dataDir);
  fs.mkdirSync(o.dataDir, { recursive: true });
  const bootLog = path.join(o.dataDir, 'autostart.log');
  const out = fs.openSync(bootLog, 'w');
  o.say(`No engine is running for ${o.dataDir}; starting one in the background (scripthut serve). Stop it with: kill $(node -p "require('${file}').pid")`);
  const child = spawn(o.command[0]!, [...o.command.slice(1), 'serve', '--port', '0', '--data-dir', o.dataDir], { detached: true, stdio: ['ignore', out, out], env: process.env });
  fs.closeSync(out);
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  child.unref();
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let waitingForOwner = false;
  while (Date.now() < deadline) {
    const pid = enginePidIn(file);
    if (pid !== null && (pid === child.pid || waitingForOwner)) return;
    if (exited === FOLDER_OWNED_EXIT && !waitingForOwner) {
      // Another engine took the folder first and is still starting (it writes engine.json once it listens, which
      // can take seconds on a busy machine): attach to it instead of failing.
      waitingForOwner = true;
      o.say(`Another engine is starting for ${o.dataDir}; waiting for it.`);
    } else if (exited !== undefined && !waitingForOwner) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const tail = fs.existsSync(bootLog) ? fs.readFileSync(bootLog, 'utf8').trim().split('\n').slice(-15).join('\n') : '';
  const why = waitingForOwner
    ? `the engine that owns it did not write ${file} within ${READY_TIMEOUT_MS / 1000} s`
    : exited !== undefined ? `it exited with code ${exited}` : `it did not write ${file} within ${READY_TIMEOUT_MS / 1000} s`;
  throw new AutostartError(`Could not start the engine for ${o.dataDir}: ${why}.${tail ? `\n${tail}` : ''}`);
}
