// The grouped task table: a header row per group (click to collapse or expand) over the group's tasks, which
// the server pages in id order. Rows on screen are "display rows"; a task's display row maps to its index in
// the server's id-ordered list, skipping the tasks of collapsed groups, so collapsing a group of 10,000 tasks
// costs no fetch at all.
import type { GroupSegment } from '../../src-shared/model/run-graph';

export type DisplayRow = { kind: 'header'; group: string; count: number; collapsed: boolean } | { kind: 'task'; server: number };

interface Block {
  /** First display row of the block. */
  at: number;
  /** Display rows in the block. */
  rows: number;
  header: { group: string; count: number; collapsed: boolean } | null;
  /** Server index of the block's first task (for task blocks). */
  server: number;
}

export class GroupedRows {
  readonly count: number;
  private blocks: Block[] = [];

  constructor(segments: readonly GroupSegment[], collapsed: ReadonlySet<string>) {
    let at = 0;
    let server = 0;
    for (const s of segments) {
      if (s.group !== null) {
        const shut = collapsed.has(s.group);
        this.blocks.push({ at, rows: 1, header: { group: s.group, count: s.count, collapsed: shut }, server });
        at++;
        if (shut) {
          server += s.count;
          continue;
        }
      }
      this.blocks.push({ at, rows: s.count, header: null, server });
      at += s.count;
      server += s.count;
    }
    this.count = at;
  }

  at(i: number): DisplayRow | undefined {
    if (i < 0 || i >= this.count) return undefined;
    let lo = 0;
    let hi = this.blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.blocks[mid] as Block).at <= i) lo = mid;
      else hi = mid - 1;
    }
    const b = this.blocks[lo] as Block;
    return b.header ? { kind: 'header', ...b.header } : { kind: 'task', server: b.server + (i - b.at) };
  }

  /** Server indices of the task rows among display rows [start, end): the pages to fetch for a window. */
  serverIndices(start: number, end: number): number[] {
    const out: number[] = [];
    for (let i = Math.max(0, start); i < Math.min(end, this.count); i++) {
      const r = this.at(i);
      if (r?.kind === 'task') out.push(r.server);
    }
    return out;
  }
}
