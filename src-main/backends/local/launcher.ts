// One long-lived bash per local backend that starts jobs and tells the engine when they end. Starting a job is
// a line on its stdin: it forks a subshell (no exec, no Node spawn) that sources the job's supervisor in its own
// process group; the supervisor's last act (after the rc file) is a "done" line on the same pipe. Thousands of
// short jobs cost a fork each instead of a Node spawn each. The spool stays the truth: the launcher is detached
// (its own session) and jobs outlive it and the engine; a later engine adopts them from the spool.
import { spawn, type ChildProcess } from 'node:child_process';
import { SPOOL_FILES } from './spool';

/** What a supervisor reports when its job has ended (the same facts it wrote to the spool). */
export interface ExitReport {
  jobId: string;
  rc: number;
  cancelled: boolean;
  startedAt: string | null;
  finishedAt: string | null;
}

// Job control (-m) puts every background job in its own process group, whose id is the supervisor's pid: cancel
// signals the whole group. The working directory goes back to / so a removed spool folder is never held.
const LAUNCHER_SCRIPT = `set -m
while IFS= read -r dir; do
  if cd -- "$dir" 2>/dev/null; then
    if [ -n "\${BASHPID:-}" ]; then ( . ./${SPOOL_FILES.supervisor} ) </dev/null 2>/dev/null &
    else bash ./${SPOOL_FILES.supervisor} </dev/null 2>/dev/null &
    fi
    echo "started $!"
    cd /
  else
    echo "failed cannot enter $dir"
  fi
done
`;

interface Refable {
  ref?: () => void;
  unref?: () => void;
}

interface Waiter {
  resolve: (pid: number) => void;
  reject: (err: Error) => void;
}

/** Parses one "done <jobId> <rc> <cancelled> <started> <finished>" line; null for anything else. */
export function parseExitReport(line: string): ExitReport | null {
  const m = /^done (\S+) (-?\d+) ([01]) (\S*) (\S*)$/.exec(line.replace(/[\r\n]+$/, ''));
  if (!m) return null;
  return { jobId: m[1] as string, rc: Number(m[2]), cancelled: m[3] === '1', startedAt: m[4] || null, finishedAt: m[5] || null };
}

export class JobLauncher {
  private child: ChildProcess | null = null;
  private waiters: Waiter[] = [];
  private buffered = '';

  constructor(private readonly onExit: (report: ExitReport) => void) {}

  /** Starts the supervisor of the spool folder `dir`; resolves with its pid (= its process group id). */
  start(dir: string): Promise<number> {
    if (/[\n\r]/.test(dir)) return Promise.reject(new Error(`spool folder name contains a line break: ${JSON.stringify(dir)}`));
    this.ensure();
    return new Promise<number>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      // A start being awaited keeps the process alive until its answer arrives (see holdWhileWaiting).
      this.holdWhileWaiting();
      // A wave's starts come in the same tick: they go to bash as one write (one wake-up of the launcher).
      if (!this.unsent) queueMicrotask(() => this.flush());
      this.unsent += `${dir}\n`;
    });
  }

  private unsent = '';

  private flush(): void {
    const lines = this.unsent;
    this.unsent = '';
    if (lines) this.child?.stdin?.write(lines);
  }

  /** Stops the launcher; jobs keep running (they are in their own process groups and report to nobody). */
  close(): void {
    const child = this.child;
    this.child = null;
    if (!child) return;
    child.stdin?.end();
    // Running supervisors still hold the pipe's write end: stop reading so the engine's process can exit.
    child.stdout?.destroy();
    this.failWaiters(new Error('the job launcher was closed'));
  }

  private ensure(): ChildProcess {
    if (this.child) return this.child;
    const child = spawn('bash', ['-c', LAUNCHER_SCRIPT], { cwd: '/', detached: true, stdio: ['pipe', 'pipe', 'ignore'] });
    this.child = child;
    this.buffered = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => this.onData(chunk));
    // An error writing to a launcher that died is reported by its exit below.
    child.stdin?.on('error', () => undefined);
    child.stdout?.on('error', () => undefined);
    const gone = (why: string) => {
      if (this.child === child) this.child = null;
      this.failWaiters(new Error(why));
    };
    child.once('error', (e) => gone(`cannot start bash: ${e.message}`));
    child.once('exit', (code, signal) => gone(`the job launcher exited (${signal ?? `code ${code}`})`));
    // The launcher never keeps the engine's process alive on its own (only an awaited start does).
    child.unref();
    (child.stdin as unknown as Refable | null)?.unref?.();
    this.holdWhileWaiting();
    return child;
  }

  private holdWhileWaiting(): void {
    const out = this.child?.stdout as unknown as Refable | null | undefined;
    if (this.waiters.length) out?.ref?.();
    else out?.unref?.();
  }

  private onData(chunk: string): void {
    this.buffered += chunk;
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      this.onLine(line);
    }
  }

  private onLine(line: string): void {
    if (line.startsWith('started ')) {
      const pid = Number(line.slice(8));
      this.waiters.shift()?.resolve(pid);
      this.holdWhileWaiting();
    } else if (line.startsWith('failed ')) {
      this.waiters.shift()?.reject(new Error(line.slice(7)));
      this.holdWhileWaiting();
    } else {
      const report = parseExitReport(line);
      if (report) this.onExit(report);
    }
  }

  private failWaiters(err: Error): void {
    // Lines not yet written belong to these waiters: a new launcher must not start them for the next ones.
    this.unsent = '';
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(err);
  }
}
