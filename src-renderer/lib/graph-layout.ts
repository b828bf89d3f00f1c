// Positions for the DAG view: dagre lays the run's graph out left to right; the view only paints what this
// returns. Pure apart from dagre, so the shapes are unit-tested without a browser.
import { Graph, layout } from '@dagrejs/dagre';
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
}

/** Above this many nodes dagre's crossing-reduction pass is skipped. */
export const ORDER_HEURISTIC_MAX = 300;

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
  const g = new Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 14, ranksep: 48, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes) g.setNode(n.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const [from, to] of graph.edges) if (g.hasNode(from) && g.hasNode(to)) g.setEdge(from, to);
  // dagre's crossing reduction is what makes big graphs slow (7.7 s → 2.1 s for 2,000 tasks without it); small
  // graphs keep it, as that is where crossings are read.
  layout(g, { disableOptimalOrderHeuristic: graph.nodes.length > ORDER_HEURISTIC_MAX });
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
