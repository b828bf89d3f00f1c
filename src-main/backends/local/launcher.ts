// One long-lived bash per local backend that starts jobs and tells the engine when they end. Starting a job is
// a line on its stdin; how the launcher starts it (as its own child, or through a per-job supervisor on older
// bash) is in launcher-script.ts. Thousands of short jobs cost a fork and an exec each instead of a Node spawn
// each. The spool stays the truth: the launcher is detached (its own session) and jobs outlive the engine; a
// later engine adopts them from the spool.
import { spawn, type ChildProcess } from 'node:child_process';
import { LAUNCHER_SCRIPT } from './launcher-script';

/** What a supervisor reports when its job has ended (the same facts it wrote to the spool). */
export interface ExitReport {
  jobId: string;
  rc: number;
  cancelled: boolean;
  startedAt: string | null;
  finishedAt: string | null;
}

/** How the launcher starts one job: its logs and the shell options the per-job supervisor would use. */
export interface JobStart {
  output: string;
  error: string;
  loginShell: boolean;
  /** The job's umask ('0022'); null keeps the launcher's. */
  umask: string | null;
}

/** Separates the fields of a start line (see launcher-script.ts). */
const FIELD_SEP = '\x1f';

/** 'auto': reaper where bash allows it; 'supervisor': always a per-job supervisor (older bash's path). */
export type LauncherMode = 'auto' | 'supervisor';

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
  private unsent = '';
  /** What the running launcher said it is (tests check which path ran). */
  private launcherMode: 'reaper' | 'supervisor' | null = null;

  constructor(
    private readonly onExit: (report: ExitReport) => void,
    private readonly mode: LauncherMode = 'auto',
  ) {}

  /** How the running launcher starts jobs (null until it has said so). */
  get startsJobsAs(): 'reaper' | 'supervisor' | null {
    return this.launcherMode;
  }

  /** Starts the job of the spool folder `dir`; resolves with its pid (= its process group id), 0 if it was already started. */
  start(dir: string, job: JobStart): Promise<number> {
    const fields = [dir, job.output, job.error];
    const bad = fields.find((x) => x.includes('\n') || x.includes('\r') || x.includes(FIELD_SEP));
    if (bad !== undefined) return Promise.reject(new Error(`a path for the job launcher contains a line break or \\x1f: ${JSON.stringify(bad)}`));
    const umask = job.umask && /^0?[0-7]{3}$/.test(job.umask) ? job.umask : '';
    this.ensure();
    return new Promise<number>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      // A start being awaited keeps the process alive until its answer arrives (see holdWhileWaiting).
      this.holdWhileWaiting();
      // A wave's starts come in the same tick: they go to bash as one write (one wake-up of the launcher).
      if (!this.unsent) queueMicrotask(() => this.flush());
      this.unsent += `${[...fields, job.loginShell ? '-l' : '', umask].join(FIELD_SEP)}\n`;
    });
  }

  private flush(): void {
    const lines = this.unsent;
    this.unsent = '';
    if (!lines || !this.child) return;
    this.child.stdin?.write(lines);
  }

  /** Stops the launcher; jobs keep running (a reaper keeps reaping them, then exits; supervisors report to nobody). */
  close(): void {
    const child = this.child;
    this.child = null;
    if (!child) return;
    child.stdin?.end();
    // Running jobs (or supervisors) keep the launcher alive: stop reading so the engine's process can exit.
    child.stdout?.destroy();
    this.failWaiters(new Error('the job launcher was closed'));
  }

  private ensure(): ChildProcess {
    if (this.child) return this.child;
    const args = ['-c', LAUNCHER_SCRIPT, 'scripthut-launcher', ...(this.mode === 'supervisor' ? ['supervisor'] : [])];
    const child = spawn('bash', args, { cwd: '/', detached: true, stdio: ['pipe', 'pipe', 'ignore'] });
    this.child = child;
    this.buffered = '';
    this.launcherMode = null;
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
    } else if (line === 'mode reaper' || line === 'mode supervisor') {
      this.launcherMode = line === 'mode reaper' ? 'reaper' : 'supervisor';
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
