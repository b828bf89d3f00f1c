// One runner interface for local shells and SSH connections. Backends build commands; runners execute them.
import type { CommandKind, CommandLogEntry } from '../model/command-log-entry';

export interface RunOptions {
  /** Data written to the command's stdin (scripts travel this way or as quoted heredocs). */
  stdin?: string;
  timeoutMs?: number;
  /** Scheduler commands (squeue, sacct, sbatch…) get `TZ=UTC LC_ALL=C` and are counted as scheduler RPCs. */
  kind?: CommandKind;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  /** Exit status; 124 on timeout (like coreutils `timeout`), -1 when the command could not be started. */
  exitCode: number;
  durationMs: number;
  timedOut: boolean;
}

export interface CommandRunner {
  /** Human label of where commands run ("local", "ssh mycluster"). */
  readonly label: string;
  run(command: string, opts?: RunOptions): Promise<RunResult>;
  close(): Promise<void>;
}

export type CommandLogSink = (entry: CommandLogEntry) => void;

const LOG_TRIM = 2048;
export function trimForLog(text: string): string {
  if (text.length <= LOG_TRIM) return text;
  return `${text.slice(0, LOG_TRIM)}... (truncated, ${Buffer.byteLength(text)} bytes total)`;
}

/** Scheduler commands always see UTC and the C locale so their timestamps and words parse the same everywhere. */
export function withSchedulerEnv(command: string, kind: CommandKind | undefined): string {
  return kind === 'scheduler' ? `TZ=UTC LC_ALL=C ${command}` : command;
}

/** The retry time of a "backing off" refusal (SshError code 'backing_off'), else null. */
function backingOffUntil(err: unknown): number | null {
  const e = err as { code?: unknown; retryAt?: unknown } | null;
  return e && e.code === 'backing_off' && typeof e.retryAt === 'number' ? e.retryAt : null;
}

/** Wrap a runner so every command is logged (trimmed) and counted. */
export class LoggedRunner implements CommandRunner {
  private counts = { scheduler: 0, io: 0, other: 0, aws: 0 };
  /** The backoff period (its retry time) already written to the log; later refusals in it are repetitions. */
  private loggedBackoffUntil: number | null = null;
  constructor(
    private readonly inner: CommandRunner,
    private readonly backend: string,
    private readonly sink: CommandLogSink,
  ) {}
  get label(): string {
    return this.inner.label;
  }
  commandCounts(): Readonly<Record<CommandKind, number>> {
    return { ...this.counts };
  }
  async run(command: string, opts: RunOptions = {}): Promise<RunResult> {
    const kind = opts.kind ?? 'other';
    this.counts[kind] += 1;
    const at = new Date().toISOString();
    try {
      const res = await this.inner.run(command, opts);
      this.loggedBackoffUntil = null;
      this.sink({ backend: this.backend, at, command, kind, exitCode: res.exitCode, durationMs: res.durationMs, stdout: trimForLog(res.stdout), stderr: trimForLog(res.stderr), error: res.timedOut ? 'timed out' : null });
      return res;
    } catch (err) {
      // While a transport backs off every command is refused with the same message; log the change of state
      // (the first refusal of each backoff period), not each repetition.
      const backoffUntil = backingOffUntil(err);
      if (backoffUntil !== null && backoffUntil === this.loggedBackoffUntil) throw err;
      this.loggedBackoffUntil = backoffUntil;
      this.sink({ backend: this.backend, at, command, kind, exitCode: -1, durationMs: 0, stdout: '', stderr: '', error: String((err as Error)?.message ?? err) });
      throw err;
    }
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
