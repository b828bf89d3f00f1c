// The lines of a followed log, held once and capped: appends split only the new text, the oldest lines are
// dropped past the cap (and counted, so the view can say so), and the ANSI state at each line start is kept so
// a colour opened on one line carries on to the next. The view renders only the rows in sight.
//
// Storage is one string per append plus an Int32Array of where its lines start, not one string per line: a
// followed log at ~1 MB/s is ~17,000 lines a second, and 100,000 separate line strings made the garbage collector
// stall the page for 100-250 ms at a time (bench/ui-log.bench.ts). Lines are cut out only when shown or searched.
import { isPlain, parseLine, PLAIN, sgrStateAfter, stripAnsi, type Segment, type SgrState } from './ansi';

interface Chunk {
  text: string;
  /** Start offset of each complete line in `text`; line k ends at starts[k + 1] - 1 (the '\n'). */
  starts: Int32Array;
  /** Lines in this chunk. */
  n: number;
  /** Index (counting every line ever appended) of the chunk's first line. */
  base: number;
}

export class LogLines {
  private chunks: Chunk[] = [];
  /** Lines ever completed (dropped ones included). */
  private total = 0;
  /** SGR state at the start of lines that do not start plain, by absolute index (insertion order = index order). */
  private starts = new Map<number, SgrState>();
  private partial = '';
  private partialStart: SgrState = PLAIN;
  /** Lines dropped from the front because of the cap. */
  dropped = 0;
  /** Bumped on every change, for views that cache derived data. */
  version = 0;

  constructor(readonly maxLines: number) {}

  clear(): void {
    this.chunks = [];
    this.total = 0;
    this.starts = new Map();
    this.partial = '';
    this.partialStart = PLAIN;
    this.dropped = 0;
    this.version++;
  }

  append(text: string): void {
    if (!text) return;
    const all = this.partial ? this.partial + text : text;
    const last = all.lastIndexOf('\n');
    if (last < 0) {
      this.partial = all;
      this.version++;
      return;
    }
    const chunkText = all.slice(0, last + 1);
    let n = 0;
    for (let at = chunkText.indexOf('\n'); at >= 0; at = chunkText.indexOf('\n', at + 1)) n++;
    // starts[n] = the chunk's length, so line k always ends at starts[k + 1] - 1 (its '\n').
    const starts = new Int32Array(n + 1);
    for (let k = 0, at = 0; k < n; k++) {
      starts[k] = at;
      at = chunkText.indexOf('\n', at) + 1;
    }
    starts[n] = chunkText.length;
    // Colour carried across lines: only a line holding an escape can change it, so only those are read.
    let state = this.partialStart;
    let esc = chunkText.indexOf('\x1b');
    for (let k = 0; k < n; k++) {
      if (!isPlain(state)) this.starts.set(this.total + k, state);
      const end = (starts[k + 1] ?? 0) - 1;
      if (esc >= 0 && esc < end) {
        state = sgrStateAfter(chunkText.slice(starts[k] ?? 0, end), state);
        esc = chunkText.indexOf('\x1b', end);
      }
    }
    this.chunks.push({ text: chunkText, starts, n, base: this.total });
    this.total += n;
    this.partial = all.slice(last + 1);
    this.partialStart = state;
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
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.chunks[mid]?.base ?? 0) <= abs) lo = mid;
      else hi = mid - 1;
    }
    return this.chunks[lo];
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
