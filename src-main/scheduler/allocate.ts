// Slot allocation (pure): snapshot in, submissions out. A backend's cap is shared fairly between runs by water
// filling — each free slot goes to the contender with the fewest jobs in flight (ties: the older run) — so a big
// run cannot starve a small one and no slot idles while any run has ready work. A run's own cap is honoured.

export interface AllocRun {
  runId: string;
  createdAt: string;
  /** The run's own cap (null = none). */
  maxConcurrent: number | null;
  /** Jobs of this run holding a slot (submitted, queued, running, settling). */
  inFlight: number;
  /** Ready task ids in workflow order. */
  ready: readonly string[];
}

export interface Allocation {
  runId: string;
  taskId: string;
}

export function allocate(backendCap: number, runs: readonly AllocRun[]): Allocation[] {
  const totalInFlight = runs.reduce((n, r) => n + r.inFlight, 0);
  let free = backendCap - totalInFlight;
  if (free <= 0) return [];
  const state = runs
    .filter((r) => r.ready.length > 0)
    .map((r) => ({ run: r, load: r.inFlight, next: 0 }))
    .sort((a, b) => a.load - b.load || a.run.createdAt.localeCompare(b.run.createdAt));
  const out: Allocation[] = [];
  while (free > 0) {
    let best: (typeof state)[number] | undefined;
    for (const s of state) {
      if (s.next >= s.run.ready.length) continue;
      if (s.run.maxConcurrent !== null && s.load >= s.run.maxConcurrent) continue;
      if (!best || s.load < best.load || (s.load === best.load && s.run.createdAt < best.run.createdAt)) best = s;
    }
    if (!best) break;
    out.push({ runId: best.run.runId, taskId: best.run.ready[best.next] as string });
    best.next++;
    best.load++;
    free--;
  }
  return out;
}
