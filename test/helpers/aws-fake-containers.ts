// Stands in for the compute behind a mocked AWS API: each "container" is a real bash process running the exact
// script the backend submitted, so exit codes, logs and cancellation are real; only the AWS API is recorded.
import { spawn, type ChildProcess } from 'node:child_process';

export interface FakeContainer {
  id: string;
  output: string[];
  exitCode: number | null;
  startedAt: number | null;
  stoppedAt: number | null;
  killed: boolean;
  proc: ChildProcess | null;
}

export class FakeContainers {
  readonly all = new Map<string, FakeContainer>();

  start(id: string, script: string, env: Record<string, string> = {}): FakeContainer {
    const c: FakeContainer = { id, output: [], exitCode: null, startedAt: Date.now(), stoppedAt: null, killed: false, proc: null };
    this.all.set(id, c);
    const proc = spawn('bash', ['-c', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    c.proc = proc;
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('utf8');
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      c.output.push(...lines);
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.on('close', (code, signal) => {
      if (buf) c.output.push(buf);
      c.exitCode = code ?? (signal ? 128 + (signal === 'SIGKILL' ? 9 : 15) : -1);
      c.stoppedAt = Date.now();
    });
    return c;
  }

  kill(id: string): void {
    const c = this.all.get(id);
    if (!c || c.exitCode !== null || !c.proc?.pid) return;
    c.killed = true;
    try {
      process.kill(-c.proc.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }

  killAll(): void {
    for (const id of this.all.keys()) this.kill(id);
  }
}
