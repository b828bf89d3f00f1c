// A CommandRunner over the system `ssh` binary, for tests that must go through the harness sshd without the
// app's own SSH transport (one ssh process per command; fine for tests, not for the app).
import { spawn } from 'node:child_process';
import { withSchedulerEnv, type CommandRunner, type RunOptions, type RunResult } from '../../src-main/transport/runner';

export interface SshCliTarget {
  host: string;
  port: number;
  user: string;
  privateKeyPath: string;
  knownHostsPath: string;
}

export class SshCliRunner implements CommandRunner {
  readonly label: string;
  constructor(private readonly target: SshCliTarget) {
    this.label = `ssh ${target.user}@${target.host}:${target.port}`;
  }

  run(command: string, opts: RunOptions = {}): Promise<RunResult> {
    const t = this.target;
    const args = [
      '-p', String(t.port),
      '-i', t.privateKeyPath,
      '-o', 'BatchMode=yes',
      '-o', 'IdentitiesOnly=yes',
      '-o', `UserKnownHostsFile=${t.knownHostsPath}`,
      '-o', 'StrictHostKeyChecking=yes',
      '-o', 'ConnectTimeout=10',
      '-o', 'LogLevel=ERROR',
      `${t.user}@${t.host}`,
      withSchedulerEnv(command, opts.kind),
    ];
    const started = Date.now();
    return new Promise((resolve) => {
      const child = spawn('ssh', args, { stdio: ['pipe', 'pipe', 'pipe'] });
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
        resolve({ stdout: '', stderr: e.message, exitCode: -1, durationMs: Date.now() - started, timedOut: false });
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

  async close(): Promise<void> {}
}
