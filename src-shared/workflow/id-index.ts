// Finds the task ids matching a wildcard dependency without scanning every id: ids are kept sorted, and only
// the range sharing the pattern's literal prefix ("g17-" for "g17-*") is tested. That keeps a 1,000-group
// workflow with one wildcard join per group near-linear instead of quadratic.
import { compileGlob, literalPrefix } from './glob';

export class IdIndex {
  private readonly sorted: number[];
  private readonly cache = new Map<string, number[]>();

  /** `ids[i]` is the id of task i; null entries (tasks without a usable id) are never matched. */
  constructor(private readonly ids: ReadonlyArray<string | null>) {
    this.sorted = [];
    for (let i = 0; i < ids.length; i++) if (ids[i] !== null) this.sorted.push(i);
    this.sorted.sort((a, b) => {
      const x = ids[a] as string;
      const y = ids[b] as string;
      return x < y ? -1 : x > y ? 1 : a - b;
    });
  }

  /** Indices of tasks whose id matches `pattern`, in task-list order. Results are cached per pattern. */
  match(pattern: string): readonly number[] {
    const hit = this.cache.get(pattern);
    if (hit) return hit;
    const prefix = literalPrefix(pattern);
    const test = compileGlob(pattern);
    const out: number[] = [];
    for (let k = this.lowerBound(prefix); k < this.sorted.length; k++) {
      const i = this.sorted[k] as number;
      const id = this.ids[i] as string;
      if (!id.startsWith(prefix)) break;
      if (test(id)) out.push(i);
    }
    out.sort((a, b) => a - b);
    this.cache.set(pattern, out);
    return out;
  }

  private lowerBound(prefix: string): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ids[this.sorted[mid] as number] as string) < prefix) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
