// What the DAG view drew, kept across tab switches: reopening the Graph tab paints the last layout at once and
// only lays out again when the graph's structure (its nodes and edges) changed. Each mount used to fetch, start a
// worker and run dagre again, behind the task table's page reads queued on the same host: slower than the first
// time. States are not part of the structure; they repaint nodes in place.
import type { RunGraph } from '../../src-shared/model/run-graph';
import type { GraphLayout } from './graph-layout';

export interface DrawnGraph {
  graph: RunGraph;
  layout: GraphLayout;
  structure: string;
}

/** Which group a run's graph shows as tasks, and from which offset: the view reopens where it was left. */
export interface GraphViewPlace {
  expand: string | null;
  offset: number;
}

const DRAWN_MAX = 8;
const drawn = new Map<string, DrawnGraph>();
const places = new Map<string, GraphViewPlace>();

const keyOf = (runId: string, p: GraphViewPlace): string => `${runId}\u0000${p.expand ?? ''}\u0000${p.offset}`;

/** A 32-bit FNV-1a hash of the graph's node ids, edges and expanded page: equal for an unchanged structure. */
export function structureOf(g: RunGraph): string {
  let h = 0x811c9dc5;
  const feed = (s: string): void => {
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0x1f, 0x01000193);
  };
  feed(g.level);
  feed(`${g.expanded?.group ?? ''}:${g.expanded?.offset ?? ''}:${g.expanded?.total ?? ''}`);
  for (const n of g.nodes) feed(n.id);
  for (const [f, t] of g.edges) {
    feed(f);
    feed(t);
  }
  return `${g.nodes.length}/${g.edges.length}/${(h >>> 0).toString(36)}`;
}

export function placeOf(runId: string): GraphViewPlace {
  return places.get(runId) ?? { expand: null, offset: 0 };
}

export function rememberPlace(runId: string, p: GraphViewPlace): void {
  places.set(runId, p);
}

export function drawnGraph(runId: string, p: GraphViewPlace): DrawnGraph | undefined {
  return drawn.get(keyOf(runId, p));
}

export function rememberDrawn(runId: string, p: GraphViewPlace, d: DrawnGraph): void {
  const key = keyOf(runId, p);
  drawn.delete(key);
  drawn.set(key, d);
  while (drawn.size > DRAWN_MAX) drawn.delete(drawn.keys().next().value as string);
}
