import { spawn } from 'node:child_process';
import { withSchedulerEnv, type CommandRunner, type RunOptions, type RunResult } from './runner';

/**
 * Run a program to completion, feeding `stdin`, collecting its output, killing it at `timeoutMs` (exit 124 like
 * coreutils `timeout`); a program that cannot start gives exit -1. Shared by every runner built on a local process.
 */
export function runProcess(file: string, args: string[], opts: Pick<RunOptions, 'stdin' | 'timeoutMs'> = {}): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, opts.timeoutMs)
      : null;
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      resolve({ stdout: '', stderr: String(e.message), exitCode: -1, durationMs: Date.now() - started, timedOut: false });
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        exitCode: timedOut ? 124 : (code ?? -1),
        durationMs: Date.now() - started,
        timedOut,
      });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.stdin ?? '');
  });
}

/** Runs commands with the local bash. Used by the local backend and to run a scheduler dialect on this host. */
export class LocalRunner implements CommandRunner {
  readonly label = 'local';
  run(command: string, opts: RunOptions = {}): Promise<RunResult> {
    return runProcess('bash', ['-c', withSchedulerEnv(command, opts.kind)], opts);
  }
  async close(): Promise<void> {}
}
