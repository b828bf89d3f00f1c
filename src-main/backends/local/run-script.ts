// A one-off shell script on this machine (stack checks and deletes), the local twin of the shell backend's
// runScript: bash in the home folder, output collected, killed (with its process group) at the timeout.
import { spawn } from 'node:child_process';
import os from 'node:os';

export interface ScriptResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export function runLocalScript(script: string, opts: { stdin?: string; timeoutMs?: number; loginShell?: boolean } = {}): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const args = opts.loginShell ? ['-l', '-c', script] : ['-c', script];
    const child = spawn('bash', args, { cwd: os.homedir(), stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, opts.timeoutMs ?? 300_000);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8');
      const why = timedOut ? `\ntimed out after ${opts.timeoutMs ?? 300_000} ms` : signal ? `\nkilled by ${signal}` : '';
      resolve({ exitCode: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: stderr + why });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.stdin ?? '');
  });
}
