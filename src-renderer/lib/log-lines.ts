// The lines of a followed log, held once and capped: appends split only the new text, the oldest lines are
// dropped past the cap (and counted, so the view can say so), and the ANSI state at each line start is kept so
// a colour opened on one line carries on to the next. The view renders only the rows in sight.
//
// Storage is one string per append plus Int32Arrays of where its lines start and how wide each is, not one string
// per line: a followed log at ~1 MB/s is ~17,000 lines a second, and 100,000 separate line strings made the
// garbage collector stall the page for 100-250 ms at a time (bench/ui-log.bench.ts). Lines are cut out only when
// shown or searched. Indexing an append (where lines start, their widths, colour carried over) is a pure function
// of the text and the colour at its start, so the view can run it in a worker (log-indexer.ts) and only push the
// answer here; the widths let wrapped rows be counted without laying out or even slicing every line.
import { isPlain, parseLine, PLAIN, sgrStateAfter, stripAnsi, type Segment, type SgrState } from './ansi';

/** What indexLines learns about a run of complete lines (each ending in '\n'). */
export interface LineIndex {
  /** Start offset of each line; starts[n] = the text's length, so line k ends at starts[k + 1] - 1 (its '\n'). */
  starts: Int32Array;
  /** Columns each line takes once shown: escapes removed, carriage-return redraws resolved, tabs expanded. */
  widths: Int32Array;
  /** Lines (by index in this text) that do not start plain, with the colour they start in. */
  colours: Array<[number, SgrState]>;
  /** The colour after the last line. */
  end: SgrState;
}

/** Index `text` (complete lines only) read from colour `start`. */
export function indexLines(text: string, start: SgrState = PLAIN): LineIndex {
  let n = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) n++;
  const starts = new Int32Array(n + 1);
  const widths = new Int32Array(n);
  const colours: Array<[number, SgrState]> = [];
  // Only a line holding an escape, a tab or a carriage return needs reading; any other is as wide as it is long.
  let esc = text.indexOf('\x1b');
  let tab = text.indexOf('\t');
  let cr = text.indexOf('\r');
  let state = start;
  let at = 0;
  for (let k = 0; k < n; k++) {
    starts[k] = at;
    const end = text.indexOf('\n', at);
    if (!isPlain(state)) colours.push([k, state]);
    const special = (esc >= 0 && esc < end) || (tab >= 0 && tab < end) || (cr >= 0 && cr < end);
    if (special) {
      const line = text.charCodeAt(end - 1) === 13 ? text.slice(at, end - 1) : text.slice(at, end);
      widths[k] = expandedLength(stripAnsi(line));
      if (esc >= 0 && esc < end) state = sgrStateAfter(line, state);
      if (esc >= 0 && esc < end) esc = text.indexOf('\x1b', end);
      if (tab >= 0 && tab < end) tab = text.indexOf('\t', end);
      if (cr >= 0 && cr < end) cr = text.indexOf('\r', end);
    } else widths[k] = end - at;
    at = end + 1;
  }
  starts[n] = text.length;
  return { starts, widths, colours, end: state };
}

interface Chunk {
  text: string;
  starts: Int32Array;
  widths: Int32Array;
  /** Lines in this chunk. */
  n: number;
  /** Index (counting every line ever appended) of the chunk's first line. */
  base: number;
}

/** Indexes text somewhere else (a worker); must answer what indexLines would. */
export type AsyncIndexer = (text: string, start: SgrState) => Promise<LineIndex>;

export class LogLines {
  private chunks: Chunk[] = [];
  /** Lines ever completed (dropped ones included). */
  private total = 0;
  /** SGR state at the start of lines that do not start plain, by absolute index (insertion order = index order). */
  private starts = new Map<number, SgrState>();
  private partial = '';
  private partialStart: SgrState = PLAIN;
  /** Appends waiting for their index, in order (see appendAsync). */
  private queue: Promise<void> = Promise.resolve();
  /** Lines dropped from the front because of the cap. */
  dropped = 0;
  /** Bytes of the log before the first text appended (the view started from its tail); see skippedLines. */
  private skippedBytes = 0;
  /** Characters and lines of the first text appended, to tell how many lines those skipped bytes hold. */
  private sampleChars = 0;
  private sampleLines = 0;
  /** Bumped on every change, for views that cache derived data. */
  version = 0;
  /** Bumped by clear(): caches keyed on line numbers start over. */
  epoch = 0;

  constructor(readonly maxLines: number) {}

  clear(): void {
    this.chunks = [];
    this.total = 0;
    this.starts = new Map();
    this.partial = '';
    this.partialStart = PLAIN;
    this.dropped = 0;
    this.skippedBytes = 0;
    this.sampleChars = 0;
    this.sampleLines = 0;
    this.queue = Promise.resolve();
    this.epoch++;
    this.version++;
  }

  /** The log had `bytes` before the text appended first (it was read from its tail): they were never held. */
  startedAfter(bytes: number): void {
    this.skippedBytes = Math.max(0, bytes);
    this.version++;
  }

  /**
   * About how many lines came before the first text appended, from its bytes and the size of the lines read (the
   * engine sends the tail's byte offset, not a line count); 0 when the log was read from its start.
   */
  get skippedLines(): number {
    if (!this.skippedBytes) return 0;
    if (!this.sampleLines) return 0;
    return Math.max(1, Math.round((this.skippedBytes * this.sampleLines) / this.sampleChars));
  }

  append(text: string): void {
    const cut = this.cut(text);
    if (cut) this.commit(cut.lines, cut.rest, indexLines(cut.lines, this.partialStart));
  }

  /**
   * Append with the indexing done by `indexer` (off the page's thread). Appends are applied in order; the promise
   * settles once this one is in. One that was waiting when clear() ran is dropped.
   */
  appendAsync(text: string, indexer: AsyncIndexer): Promise<void> {
    const epoch = this.epoch;
    const step = async (): Promise<void> => {
      if (epoch !== this.epoch) return;
      const cut = this.cut(text);
      if (!cut) return;
      const index = await indexer(cut.lines, this.partialStart);
      if (epoch === this.epoch) this.commit(cut.lines, cut.rest, index);
    };
    const done = this.queue.then(step);
    // A failed index must not stop the appends after it.
    this.queue = done.catch(() => undefined);
    return done;
  }

  /** The complete lines `text` finishes (with what was pending before it) and the unfinished rest; null = none. */
  private cut(text: string): { lines: string; rest: string } | null {
    if (!text) return null;
    const all = this.partial ? this.partial + text : text;
    const last = all.lastIndexOf('\n');
    if (last < 0) {
      this.partial = all;
      this.version++;
      return null;
    }
    return { lines: all.slice(0, last + 1), rest: all.slice(last + 1) };
  }

  private commit(lines: string, rest: string, index: LineIndex): void {
    const n = index.widths.length;
    if (!this.sampleLines && n) {
      this.sampleChars = lines.length;
      this.sampleLines = n;
    }
    for (const [k, state] of index.colours) this.starts.set(this.total + k, state);
    this.chunks.push({ text: lines, starts: index.starts, widths: index.widths, n, base: this.total });
    this.total += n;
    this.partial = rest;
    this.partialStart = index.end;
    this.trim();
    this.version++;
  }

  private trim(): void {
    const over = this.total - this.dropped - this.maxLines;
    if (over <= 0) return;
    this.dropped += over;
    while (this.chunks.length && (this.chunks[0]!.base + this.chunks[0]!.n) <= this.dropped) this.chunks.shift();
    for (const key of this.starts.keys()) {
      if (key >= this.dropped) break;
      this.starts.delete(key);
    }
  }

  /** Lines held, counting an unfinished last line. */
  get count(): number {
    return this.total - this.dropped + (this.partial ? 1 : 0);
  }

  /** Lines ever completed, dropped ones included (absolute index of the first line not complete yet). */
  get completed(): number {
    return this.total;
  }

  /** Whether an unfinished last line is held (it is line count - 1). */
  get hasPartial(): boolean {
    return this.partial !== '';
  }

  /** Columns the unfinished last line takes. */
  partialWidth(): number {
    return this.partial ? expandedLength(stripAnsi(this.partial)) : 0;
  }

  /** Call `fn` with the width of each complete line from absolute index `from` (>= dropped) up to `to`. */
  eachWidth(from: number, to: number, fn: (width: number) => void): void {
    let abs = Math.max(from, this.dropped);
    const end = Math.min(to, this.total);
    if (abs >= end) return;
    let ci = this.chunkIndex(abs);
    while (abs < end) {
      const c = this.chunks[ci++];
      if (!c) return;
      const stop = Math.min(end, c.base + c.n);
      for (let k = abs - c.base; abs < stop; k++, abs++) fn(c.widths[k] ?? 0);
    }
  }

  raw(i: number): string {
    const abs = this.dropped + i;
    if (abs >= this.total) return this.partial;
    const c = this.chunkOf(abs);
    if (!c) return '';
    const k = abs - c.base;
    const from = c.starts[k] ?? 0;
    const to = (c.starts[k + 1] ?? c.text.length) - 1;
    const line = c.text.slice(from, to);
    return line.endsWith('\r') ? line.slice(0, -1) : line;
  }

  private chunkOf(abs: number): Chunk | undefined {
    return this.chunks[this.chunkIndex(abs)];
  }

  private chunkIndex(abs: number): number {
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.chunks[mid]?.base ?? 0) <= abs) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  text(i: number): string {
    return stripAnsi(this.raw(i));
  }

  segments(i: number): Segment[] {
    const abs = this.dropped + i;
    const start = abs >= this.total ? this.partialStart : (this.starts.get(abs) ?? PLAIN);
    return parseLine(this.raw(i), start).segments;
  }

  /** Indices of lines containing `query` (case-insensitive), at most `limit`. */
  find(query: string, limit = 10_000): number[] {
    const q = query.toLowerCase();
    const out: number[] = [];
    if (!q) return out;
    for (let i = 0; i < this.count && out.length < limit; i++) if (this.text(i).toLowerCase().includes(q)) out.push(i);
    return out;
  }

  /** The first line that looks like an error report, or -1. */
  firstError(): number {
    for (let i = 0; i < this.count; i++) if (ERROR_LINE.test(this.text(i))) return i;
    return -1;
  }
}

/**
 * The search hits of a followed log, kept up to date by reading only the lines added since the last call (a search
 * over the 100,000 lines held, once per append, was a long task of its own). Hits are kept by absolute line, so
 * lines dropped off the front just fall out.
 */
export class LogSearch {
  private query = '';
  private epoch = -1;
  /** Absolute index of the first complete line not read yet. */
  private upto = 0;
  private hits: number[] = [];

  constructor(readonly limit = 10_000) {}

  /** Indices (as held now) of lines containing `query`, case-insensitive, the first `limit` of them. */
  update(lines: LogLines, query: string): number[] {
    const q = query.toLowerCase();
    if (!q) {
      this.query = '';
      this.hits = [];
      return [];
    }
    if (q !== this.query || lines.epoch !== this.epoch) {
      this.query = q;
      this.epoch = lines.epoch;
      this.hits = [];
      this.upto = lines.dropped;
    }
    const dropped = lines.dropped;
    let gone = 0;
    while (gone < this.hits.length && (this.hits[gone] ?? 0) < dropped) gone++;
    if (gone) this.hits = this.hits.slice(gone);
    let abs = Math.max(this.upto, dropped);
    for (; abs < lines.completed && this.hits.length < this.limit; abs++) if (lines.text(abs - dropped).toLowerCase().includes(q)) this.hits.push(abs);
    this.upto = abs;
    const out = this.hits.map((h) => h - dropped);
    // The unfinished last line changes with every append: read it each time, never keep it.
    const last = lines.count - 1;
    if (lines.hasPartial && abs >= lines.completed && out.length < this.limit && lines.text(last).toLowerCase().includes(q)) out.push(last);
    return out;
  }
}

/**
 * Wrapped rows per line at `cols` columns, kept as running totals by absolute line so an append only adds its own
 * lines and a drop off the front only moves where counting starts: no line is laid out or re-read on append, and a
 * change of width recounts from the stored widths (a typed array walk, no strings).
 */
export class WrapRows {
  private cols = 0;
  private epoch = -1;
  private version = -1;
  /** Absolute line of sums[0]. */
  private base = 0;
  /** sums[k] = rows of absolute lines base .. base + k - 1; `upto` lines are summed. */
  private sums = new Float64Array(1024);
  private upto = 0;
  private partialRows = 0;
  private dropped = 0;
  private completed = 0;

  /** Bring the totals up to date with `lines` at `cols` columns (cheap when nothing changed). */
  sync(lines: LogLines, cols: number): void {
    const c = Math.max(1, Math.floor(cols));
    if (c === this.cols && lines.epoch === this.epoch && lines.version === this.version) return;
    // Recount from scratch on a new width or log, when lines not summed yet were already dropped (an append bigger
    // than the cap), or once the dropped lines summed outnumber those held.
    const stale = lines.dropped > this.base + this.upto || lines.dropped - this.base > lines.completed - lines.dropped;
    if (c !== this.cols || lines.epoch !== this.epoch || stale) {
      this.cols = c;
      this.epoch = lines.epoch;
      this.base = lines.dropped;
      this.upto = 0;
      this.sums[0] = 0;
    }
    const need = lines.completed - this.base + 1;
    if (need > this.sums.length) {
      const grown = new Float64Array(Math.max(need, this.sums.length * 2));
      grown.set(this.sums.subarray(0, this.upto + 1));
      this.sums = grown;
    }
    let k = this.upto;
    let sum = this.sums[k] ?? 0;
    const sums = this.sums;
    lines.eachWidth(this.base + k, lines.completed, (w) => {
      sum += w > c ? Math.ceil(w / c) : 1;
      sums[++k] = sum;
    });
    this.upto = k;
    this.partialRows = lines.hasPartial ? Math.max(1, Math.ceil(lines.partialWidth() / c)) : 0;
    this.dropped = lines.dropped;
    this.completed = lines.completed;
    this.version = lines.version;
  }

  private at(abs: number): number {
    return this.sums[Math.min(abs, this.completed) - this.base] ?? 0;
  }

  /** First row of held line i (i = count gives the total). */
  start(i: number): number {
    const abs = this.dropped + i;
    const before = this.at(abs) - this.at(this.dropped);
    return abs > this.completed ? before + this.partialRows : before;
  }

  /** Rows of held line i. */
  rows(i: number): number {
    return this.start(i + 1) - this.start(i);
  }

  get total(): number {
    return this.at(this.completed) - this.at(this.dropped) + this.partialRows;
  }

  /** The held line showing row `row`. */
  lineAt(row: number): number {
    const target = row + this.at(this.dropped);
    let lo = this.dropped;
    let hi = this.completed;
    // The last line (complete or not) whose first row is at or before `row`.
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.at(mid) <= target) lo = mid;
      else hi = mid - 1;
    }
    const line = lo - this.dropped;
    const count = this.completed - this.dropped + (this.partialRows ? 1 : 0);
    return Math.max(0, Math.min(line, count - 1));
  }
}

/**
 * What the view says about lines it does not show: those let go while following (counted exactly) and those before
 * the tail it started from (estimated from their bytes). Both were never shown; a count of only one of them read
 * "50,003 earlier lines were let go" when 300,000 had never been shown.
 */
export function keptNote(lines: Pick<LogLines, 'count' | 'dropped' | 'skippedLines'>, startedFromTail: boolean): string | null {
  const held = lines.count.toLocaleString('en-US');
  const before = lines.skippedLines;
  if (lines.dropped > 0 && before > 0) {
    return `Showing the last ${held} lines: about ${(lines.dropped + before).toLocaleString('en-US')} earlier lines were let go to keep the page fast (${lines.dropped.toLocaleString('en-US')} while following, about ${before.toLocaleString('en-US')} before); the download has them all`;
  }
  if (lines.dropped > 0) return `Showing the last ${held} lines: ${lines.dropped.toLocaleString('en-US')} earlier lines were let go to keep the page fast`;
  if (before > 0) return `Showing the last ${held} lines; about ${before.toLocaleString('en-US')} earlier lines are in the download`;
  if (startedFromTail) return `Showing the last ${held} lines; earlier lines are in the download`;
  return null;
}

const ERROR_LINE = /\b(error|exception|traceback|fatal|panic|segmentation fault|oom|out of memory|killed)\b/i;

/**
 * Visual rows per line when wrapping at `cols` characters (monospace): prefix sums, so row → line is a binary
 * search. `offsets[i]` is the first row of line i; `offsets[count]` the total.
 */
export function wrapOffsets(lines: Pick<LogLines, 'count' | 'text'>, cols: number): Float64Array {
  const n = lines.count;
  const out = new Float64Array(n + 1);
  const c = Math.max(1, cols);
  for (let i = 0; i < n; i++) out[i + 1] = (out[i] ?? 0) + Math.max(1, Math.ceil(expandedLength(lines.text(i)) / c));
  return out;
}

function expandedLength(s: string): number {
  if (!s.includes('\t')) return s.length;
  let n = 0;
  for (const ch of s) n = ch === '\t' ? n + 8 - (n % 8) : n + 1;
  return n;
}

/** The line holding visual row `row`. */
export function lineAtRow(offsets: Float64Array, row: number): number {
  let lo = 0;
  let hi = offsets.length - 2;
  if (hi < 0) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((offsets[mid] ?? 0) <= row) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export interface Piece extends Segment {
  hit: boolean;
}

/** Cut styled segments where `query` matches (case-insensitive) so matches can be marked. */
export function highlight(segments: Segment[], query: string): Piece[] {
  if (!query) return segments.map((s) => ({ ...s, hit: false }));
  const full = segments.map((s) => s.text).join('');
  const lower = full.toLowerCase();
  const q = query.toLowerCase();
  const hits: Array<[number, number]> = [];
  for (let at = lower.indexOf(q); at >= 0; at = lower.indexOf(q, at + q.length)) hits.push([at, at + q.length]);
  if (!hits.length) return segments.map((s) => ({ ...s, hit: false }));
  const out: Piece[] = [];
  let pos = 0;
  for (const s of segments) {
    const end = pos + s.text.length;
    let cur = pos;
    for (const [a, b] of hits) {
      if (b <= cur || a >= end) continue;
      if (a > cur) out.push({ ...s, text: full.slice(cur, a), hit: false });
      const e = Math.min(b, end);
      out.push({ ...s, text: full.slice(Math.max(a, cur), e), hit: true });
      cur = e;
    }
    if (cur < end) out.push({ ...s, text: full.slice(cur, end), hit: false });
    pos = end;
  }
  return out;
}
