// Where the time goes between a job's end and the next job's start (local-throughput bench). Off unless a bench
// turns it on: then the local backend and the backend loop stamp each step, keyed by job id or submit tag, and
// `report()` pairs every ended job with the job that took its slot. With two slots, each millisecond of that
// path is a slot standing idle.

/** The steps, in the order a freed slot goes through them. */
export const LATENCY_STAGES = ['woken', 'observed', 'committed', 'spool', 'startLine', 'pid', 'recorded'] as const;
export type LatencyStage = (typeof LATENCY_STAGES)[number];

interface Cycle {
  start: number;
  observed: number | null;
  committed: number | null;
  /** Job ids whose verdicts this cycle applied. */
  ended: string[];
  /** Submit tags this cycle started, in order. */
  started: string[];
}

export interface StageFigures {
  /** Milliseconds from the previous step (from the done line for the first), median and 90th percentile. */
  stages: Record<LatencyStage, { median: number; p90: number }>;
  /** Done line → job id committed, the whole idle gap of a slot. */
  total: { median: number; p90: number };
  pairs: number;
}

class LatencyProbe {
  private on = false;
  private done = new Map<string, number>();
  private byTag = new Map<string, Partial<Record<'spool' | 'startLine' | 'pid' | 'recorded', number>>>();
  private cycles: Cycle[] = [];

  get enabled(): boolean {
    return this.on;
  }

  enable(): void {
    this.on = true;
    this.done.clear();
    this.byTag.clear();
    this.cycles = [];
  }

  disable(): void {
    this.on = false;
  }

  /** The launcher's done line for `jobId` was read. */
  jobDone(jobId: string): void {
    if (this.on && !this.done.has(jobId)) this.done.set(jobId, performance.now());
  }

  /** A loop cycle starts; returns its handle (-1 when off). */
  cycleStart(): number {
    if (!this.on) return -1;
    this.cycles.push({ start: performance.now(), observed: null, committed: null, ended: [], started: [] });
    return this.cycles.length - 1;
  }

  cycleStep(cycle: number, step: 'observed' | 'committed'): void {
    const c = this.cycles[cycle];
    if (c && c[step] === null) c[step] = performance.now();
  }

  cycleJobs(cycle: number, ended: Iterable<string>, started: Iterable<string>): void {
    const c = this.cycles[cycle];
    if (!c) return;
    c.ended.push(...ended);
    c.started.push(...started);
  }

  /** A submission step of the job with this submit tag. */
  submitStep(tag: string, step: 'spool' | 'startLine' | 'pid' | 'recorded'): void {
    if (!this.on) return;
    let t = this.byTag.get(tag);
    if (!t) this.byTag.set(tag, (t = {}));
    t[step] ??= performance.now();
  }

  /**
   * Pairs each cycle's ended jobs (earliest done line first) with the jobs it started, and gives each step's
   * share of the gap. Cycles that started jobs without ending any (the first fill) are left out.
   */
  report(): StageFigures {
    const per: Record<LatencyStage, number[]> = { woken: [], observed: [], committed: [], spool: [], startLine: [], pid: [], recorded: [] };
    const totals: number[] = [];
    for (const c of this.cycles) {
      const ends = c.ended.map((j) => this.done.get(j)).filter((t): t is number => t !== undefined).sort((a, b) => a - b);
      for (let i = 0; i < Math.min(ends.length, c.started.length); i++) {
        const s = this.byTag.get(c.started[i] as string);
        const d = ends[i] as number;
        if (!s || c.observed === null || c.committed === null || s.spool === undefined || s.startLine === undefined || s.pid === undefined || s.recorded === undefined) continue;
        // A done line read after the cycle began (while it was awaiting the backend) waited for nothing.
        const woken = Math.max(c.start, d);
        const steps: Array<[LatencyStage, number]> = [
          ['woken', woken - d],
          ['observed', c.observed - woken],
          ['committed', c.committed - c.observed],
          ['spool', s.spool - c.committed],
          ['startLine', s.startLine - s.spool],
          ['pid', s.pid - s.startLine],
          ['recorded', s.recorded - s.pid],
        ];
        for (const [k, v] of steps) per[k].push(v);
        totals.push(s.recorded - d);
      }
    }
    const stages = Object.fromEntries(LATENCY_STAGES.map((k) => [k, summary(per[k])])) as StageFigures['stages'];
    return { stages, total: summary(totals), pairs: totals.length };
  }
}

function summary(xs: number[]): { median: number; p90: number } {
  if (!xs.length) return { median: NaN, p90: NaN };
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
  return { median: Math.round(at(0.5) * 1000) / 1000, p90: Math.round(at(0.9) * 1000) / 1000 };
}

/** The one probe of this process (a bench turns it on). */
export const latencyProbe = new LatencyProbe();
