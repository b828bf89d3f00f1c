// Positions for the DAG view, left to right: dagre for small graphs (it reduces crossings, which is where they are
// read), a column-per-depth layout (layered-layout.ts) for big ones, where dagre took seconds. The view only
// paints what this returns. Pure apart from dagre, so the shapes are unit-tested without a browser.
import { Graph, layout } from '@dagrejs/dagre';
import { layeredLayout } from './layered-layout';
import type { RunGraph } from '../../src-shared/model/run-graph';
import type { TaskStatus } from '../../src-shared/model/status';

export const NODE_WIDTH = 184;
export const NODE_HEIGHT = 40;

export interface PlacedNode {
  id: string;
  state: TaskStatus;
  /** What the node says: the task id, or the group name. */
  label: string;
  /** Second line for a group node ("12 tasks · 3 failed"); null for a task. */
  detail: string | null;
  /** Top-left corner. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedEdge {
  from: string;
  to: string;
  /** SVG path data. */
  path: string;
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  /** Set when the graph had more nodes than are drawn (the first `shown`, in the graph's order). */
  capped?: { shown: number; total: number };
}

/** Graphs with more nodes than this are laid out in columns by depth instead of by dagre. */
export const DAGRE_MAX_NODES = 100;
/** Most nodes drawn (a group-level graph, or a page of an expanded group among its neighbours, stays below). */
export const LAYOUT_MAX_NODES = 2500;
/** Rows in one column of the layered layout before it wraps. */
export const LAYER_ROWS = 40;

/** Up to this many nodes dagre takes a few ms: laid out in place, as starting the worker costs far more. */
export const IN_PLACE_DAGRE_MAX = 40;

/** Whether a graph is laid out by dagre (slow, so off the main thread) or by columns (fast, in place). */
export function usesDagre(graph: Pick<RunGraph, 'nodes'>): boolean {
  return graph.nodes.length <= DAGRE_MAX_NODES;
}

/** Longest label shown in a node before it is cut with an ellipsis (the full id is the node's tooltip). */
const LABEL_CHARS = 24;

export function shortLabel(text: string, max = LABEL_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** "12 tasks · 3 failed": how many tasks a group holds and how many of them are in its shown state. */
export function groupDetail(count: number, state: TaskStatus, statusCounts: Partial<Record<string, number>>): string {
  const n = statusCounts[state] ?? 0;
  const tasks = `${count.toLocaleString('en-US')} task${count === 1 ? '' : 's'}`;
  return n === count ? tasks : `${tasks} · ${n.toLocaleString('en-US')} ${state.replace('_', ' ')}`;
}

function pathOf(points: ReadonlyArray<{ x: number; y: number }>): string {
  return points.map((p, i) => `${i ? 'L' : 'M'}${Math.round(p.x * 10) / 10},${Math.round(p.y * 10) / 10}`).join(' ');
}

/** A group node: every node of a group-level graph except an expanded group's tasks. */
export function isGroupNode(graph: Pick<RunGraph, 'level'>, n: Pick<RunGraph['nodes'][number], 'kind'>): boolean {
  return n.kind ? n.kind === 'group' : graph.level === 'group';
}

export function layoutGraph(graph: RunGraph): GraphLayout {
  if (!usesDagre(graph)) {
    return layeredLayout(graph, {
      nodeWidth: NODE_WIDTH,
      nodeHeight: NODE_HEIGHT,
      maxNodes: LAYOUT_MAX_NODES,
      rowsPerColumn: LAYER_ROWS,
      label: (id) => shortLabel(id),
      detail: (n) => (isGroupNode(graph, n) ? groupDetail(n.count, n.state, n.status_counts) : null),
    });
  }
  const g = new Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 14, ranksep: 48, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes) g.setNode(n.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const [from, to] of graph.edges) if (g.hasNode(from) && g.hasNode(to)) g.setEdge(from, to);
  layout(g);
  const nodes: PlacedNode[] = graph.nodes.map((n) => {
    const p = g.node(n.id) as { x: number; y: number; width: number; height: number };
    return {
      id: n.id,
      state: n.state,
      label: shortLabel(n.id),
      detail: isGroupNode(graph, n) ? groupDetail(n.count, n.state, n.status_counts) : null,
      x: p.x - p.width / 2,
      y: p.y - p.height / 2,
      width: p.width,
      height: p.height,
    };
  });
  const edges: PlacedEdge[] = g.edges().map((e) => ({ from: e.v, to: e.w, path: pathOf((g.edge(e) as { points: Array<{ x: number; y: number }> }).points) }));
  const size = g.graph() as { width?: number; height?: number };
  return { width: Math.ceil(size.width ?? 0), height: Math.ceil(size.height ?? 0), nodes, edges };
}
