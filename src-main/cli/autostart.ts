// Starts an engine for a data folder when a command needs one and none is running (like the original's
// autostart): `scripthut serve` detached, then wait for its engine.json. SCRIPTHUT_AUTOSTART=never turns it off.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { engineFilePath } from '../host/server';

const READY_TIMEOUT_MS = 30_000;

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
  while (Date.now() < deadline) {
    if (exited !== undefined) break;
    try {
      const info = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: number };
      if (info.pid === child.pid) return;
    } catch {
      // not written yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const tail = fs.existsSync(bootLog) ? fs.readFileSync(bootLog, 'utf8').trim().split('\n').slice(-15).join('\n') : '';
  const why = exited !== undefined ? `it exited with code ${exited}` : `it did not write ${file} within ${READY_TIMEOUT_MS / 1000} s`;
  throw new Error(`Could not start the engine for ${o.dataDir}: ${why}.${tail ? `\n${tail}` : ''}`);
}
