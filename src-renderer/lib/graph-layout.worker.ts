// Lays a run graph out off the main thread: dagre needs seconds for a couple of thousand nodes, and the page
// must keep scrolling and answering clicks meanwhile.
import type { RunGraph } from '../../src-shared/model/run-graph';
import { layoutGraph } from './graph-layout';

const scope = globalThis as unknown as { onmessage: ((e: { data: RunGraph }) => void) | null; postMessage(m: unknown): void };
scope.onmessage = (e) => {
  try {
    scope.postMessage({ ok: true, layout: layoutGraph(e.data) });
  } catch (err) {
    scope.postMessage({ ok: false, error: (err as Error).message });
  }
};
