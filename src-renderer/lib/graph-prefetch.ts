// The Graph tab's first open in a page drew only after its runs.graph read, which queued behind whatever the run
// page had just asked the host for (bench/ui-graph.bench.ts: 2 s while a reopen took 250 ms). Once a run page is
// up and the window idle, the graph of the place the tab would open is read and laid out ahead, into the same
// memory a reopen paints from; the tab then reads it again only to refresh the states.
import { bridge } from './engine';
import { layoutOffThread } from './graph-layout-client';
import { drawnGraph, placeOf, rememberDrawn, structureOf } from './graph-view-cache';

/** Bigger answers are left to the tab itself: laying them out here could hold the page while it is in use. */
export const PREFETCH_MAX_NODES = 200;

const asked = new Set<string>();

/** Reads and lays out the run's graph ahead of its tab, once per run; true when a drawing is ready. Never throws. */
export async function prefetchGraph(runId: string): Promise<boolean> {
  const place = placeOf(runId);
  if (drawnGraph(runId, place)) return true;
  // A group left expanded opens on a page of its tasks: bigger than worth laying out ahead.
  if (place.expand !== null || asked.has(runId)) return false;
  asked.add(runId);
  try {
    const g = await bridge().invoke('runs.graph', { id: runId });
    if (drawnGraph(runId, place)) return true;
    if (g.nodes.length > PREFETCH_MAX_NODES) return false;
    const layout = await layoutOffThread(g).done;
    // The tab may have drawn it meanwhile: its answer is the newer one.
    if (!drawnGraph(runId, place)) rememberDrawn(runId, place, { graph: g, layout, structure: structureOf(g) });
    return true;
  } catch {
    // The tab reads it again and shows the error there.
    asked.delete(runId);
    return false;
  }
}

/** Calls prefetchGraph when the window is idle (at the latest after `timeoutMs`); `ready` when a drawing is. */
export function prefetchGraphWhenIdle(runId: string, ready: () => void, timeoutMs = 2000): () => void {
  let live = true;
  const run = (): void => void prefetchGraph(runId).then((ok) => ok && live && ready());
  const w = globalThis as { requestIdleCallback?: (f: () => void, o: { timeout: number }) => number; cancelIdleCallback?: (h: number) => void };
  if (w.requestIdleCallback && w.cancelIdleCallback) {
    const h = w.requestIdleCallback(run, { timeout: timeoutMs });
    return () => {
      live = false;
      w.cancelIdleCallback?.(h);
    };
  }
  const t = setTimeout(run, 200);
  return () => {
    live = false;
    clearTimeout(t);
  };
}
