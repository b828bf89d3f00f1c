// The DAG view's way to the layout: dagre on 41–100 nodes in a worker when the page can start one, in place
// otherwise (a layout is still better late than never). Smaller graphs (dagre takes a few ms) and the column
// layout of big graphs run in place: under load, starting the worker took seconds (bench/ui-graph.bench.ts).
import type { RunGraph } from '../../src-shared/model/run-graph';
import { IN_PLACE_DAGRE_MAX, layoutGraph, usesDagre, type GraphLayout } from './graph-layout';

type Answer = { ok: true; layout: GraphLayout } | { ok: false; error: string };

export function layoutOffThread(graph: RunGraph): { done: Promise<GraphLayout>; cancel: () => void } {
  if (!usesDagre(graph) || graph.nodes.length <= IN_PLACE_DAGRE_MAX) return { done: Promise.resolve().then(() => layoutGraph(graph)), cancel: () => {} };
  let worker: Worker;
  try {
    worker = new Worker(new URL('./graph-layout.worker.ts', import.meta.url), { type: 'module' });
  } catch {
    return { done: Promise.resolve().then(() => layoutGraph(graph)), cancel: () => {} };
  }
  const done = new Promise<GraphLayout>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<Answer>) => {
      worker.terminate();
      if (e.data.ok) resolve(e.data.layout);
      else reject(new Error(e.data.error));
    };
    worker.onerror = () => {
      // A worker the CSP or the protocol refused: lay out here instead.
      worker.terminate();
      try {
        resolve(layoutGraph(graph));
      } catch (err) {
        reject(err as Error);
      }
    };
    worker.postMessage(graph);
  });
  return { done, cancel: () => worker.terminate() };
}
