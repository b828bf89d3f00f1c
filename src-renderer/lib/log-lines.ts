// The lines of a followed log, held once and capped: appends split only the new text, the oldest lines are
// dropped past the cap (and counted, so the view can say so), and the ANSI state at each line start is kept so
// a colour opened on one line carries on to the next. The view renders only the rows in sight.
import { isPlain, parseLine, PLAIN, stripAnsi, type Segment, type SgrState } from './ansi';

export class LogLines {
  private lines: string[] = [];
  private starts: Array<SgrState | null> = [];
  private partial = '';
  private partialStart: SgrState = PLAIN;
  /** Lines dropped from the front because of the cap. */
  dropped = 0;
  /** Bumped on every change, for views that cache derived data. */
  version = 0;

  constructor(readonly maxLines: number) {}

  clear(): void {
    this.lines = [];
    this.starts = [];
    this.partial = '';
    this.partialStart = PLAIN;
    this.dropped = 0;
    this.version++;
  }

  append(text: string): void {
    if (!text) return;
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    let state = this.partialStart;
    for (const raw of parts) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      this.starts.push(isPlain(state) ? null : state);
      this.lines.push(line);
      if (line.includes('\x1b')) state = parseLine(line, state).end;
    }
    this.partialStart = state;
    const over = this.lines.length - this.maxLines;
    if (over > 0) {
      this.lines.splice(0, over);
      this.starts.splice(0, over);
      this.dropped += over;
    }
    this.version++;
  }

  /** Lines held, counting an unfinished last line. */
  get count(): number {
    return this.lines.length + (this.partial ? 1 : 0);
  }

  raw(i: number): string {
    return i < this.lines.length ? (this.lines[i] ?? '') : this.partial;
  }

  text(i: number): string {
    return stripAnsi(this.raw(i));
  }

  segments(i: number): Segment[] {
    const start = i < this.lines.length ? (this.starts[i] ?? PLAIN) : this.partialStart;
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
