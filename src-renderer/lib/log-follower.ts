// Follows a task log: first the last TAIL_LINES lines, then only the bytes appended since, once per interval,
// until the engine says the log is complete (task terminal).
import type { LogChunk, LogKind } from '../../src-shared/api/schemas';

export const TAIL_LINES = 10_000;

export interface LogTarget {
  run_id: string;
  task_id: string;
  type: LogKind;
  attempt?: number;
}

export interface LogSink {
  /** Replace everything shown. `truncated` = older lines were left out: the `skippedBytes` before `text`. */
  reset(text: string, truncated: boolean, skippedBytes: number): void;
  append(text: string): void;
  /** The file does not exist (yet). */
  missing(complete: boolean): void;
  error(message: string): void;
  /** Following state changed: true while polling for more. */
  following(on: boolean): void;
}

export type FetchLog = (input: LogTarget & { tail?: number; offset?: number }) => Promise<LogChunk>;

export interface FollowerOptions {
  intervalMs?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export class LogFollower {
  private stopped = false;
  private timer: unknown = null;
  private offset: number | null = null;
  private readonly intervalMs: number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(
    private readonly fetchLog: FetchLog,
    private readonly target: LogTarget,
    private readonly sink: LogSink,
    opts: FollowerOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 1000;
    this.setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  }

  start(): void {
    this.sink.following(true);
    void this.step();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
  }

  private async step(): Promise<void> {
    if (this.stopped) return;
    const first = this.offset === null;
    let chunk: LogChunk;
    try {
      chunk = await this.fetchLog(first ? { ...this.target, tail: TAIL_LINES } : { ...this.target, offset: this.offset ?? 0 });
    } catch (err) {
      if (this.stopped) return;
      this.sink.error((err as Error).message ?? String(err));
      this.schedule();
      return;
    }
    if (this.stopped) return;
    if (chunk.missing) {
      this.sink.missing(chunk.complete);
      // Once it appears, everything from byte 0 is new.
      this.offset = this.offset ?? 0;
      if (chunk.complete) this.finish();
      else this.schedule();
      return;
    }
    if (first) this.sink.reset(chunk.content, chunk.offset > 0, chunk.offset);
    else if (this.offset === 0 && chunk.offset === 0 && chunk.content) this.sink.reset(chunk.content, false, 0);
    else if (chunk.content) this.sink.append(chunk.content);
    this.offset = chunk.next_offset;
    // One read from an offset is capped (8 MB locally): a finished task's log may hold more than this read
    // brought, so read on until a read brings nothing. Stopping at the first "complete" lost those lines unseen.
    if (chunk.complete && !first && chunk.content) void this.step();
    else if (chunk.complete) this.finish();
    else this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.setTimer(() => {
      this.timer = null;
      void this.step();
    }, this.intervalMs);
  }

  private finish(): void {
    this.sink.following(false);
    this.stop();
  }
}
