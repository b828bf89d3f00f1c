// Dependency resolution for a task list: duplicate ids, wildcard expansion, unknown/self dependencies and
// cycles. Iterative throughout so 100,000-task workflows neither blow the stack nor go quadratic.
import type { WorkflowError } from './types';
import { IdIndex } from './id-index';
import { isWildcard } from './glob';

export interface DepNode {
  /** The task's id as written (null if it was not a string). */
  id: string | null;
  /** Dependencies as written (may contain wildcards). */
  deps: readonly string[];
}

export interface GraphOptions {
  /** Nodes before this index are already validated (deps concrete) and are only read, never re-checked. */
  firstNew?: number;
  /** How messages point at node i, e.g. "tasks[3]". */
  position?: (i: number) => string;
  /** Stop reporting cycles after this many (each one is printed in full). */
  maxCycles?: number;
}

export interface GraphResult {
  /** Concrete, de-duplicated dependency ids for nodes firstNew.. (index 0 = node firstNew). */
  deps: string[][];
  errors: WorkflowError[];
}

export function resolveDependencies(nodes: readonly DepNode[], options: GraphOptions = {}): GraphResult {
  const firstNew = options.firstNew ?? 0;
  const position = options.position ?? ((i: number) => `tasks[${i}]`);
  const maxCycles = options.maxCycles ?? 20;
  const errors: WorkflowError[] = [];
  const ids: Array<string | null> = new Array<string | null>(nodes.length);
  for (let i = 0; i < nodes.length; i++) ids[i] = nodes[i]!.id;

  const indexOf = new Map<string, number>();
  for (let i = 0; i < nodes.length; i++) {
    const id = ids[i];
    if (id === null || id === undefined) continue;
    const first = indexOf.get(id);
    if (first === undefined) indexOf.set(id, i);
    else if (i >= firstNew) {
      errors.push({ task: id, field: 'id', message: `Duplicate task id '${id}': used by ${position(first)} and ${position(i)}; task ids must be unique` });
    }
  }

  let index: IdIndex | null = null;
  const resolved: string[][] = [];
  // Edges as node indices, for every node (existing ones too) so cycle search can walk through them.
  const edges: number[][] = new Array<number[]>(nodes.length);
  for (let i = 0; i < firstNew; i++) {
    const out: number[] = [];
    for (const d of nodes[i]!.deps) {
      const j = indexOf.get(d);
      if (j !== undefined) out.push(j);
    }
    edges[i] = out;
  }

  // lastAddedBy[j] === i means node i already depends on node j: de-duplicates without a Set per task.
  const lastAddedBy = new Int32Array(nodes.length).fill(-1);
  for (let i = firstNew; i < nodes.length; i++) {
    const node = nodes[i]!;
    const self = node.id;
    const who = self ?? position(i);
    const concrete: string[] = [];
    const out: number[] = [];
    for (const dep of node.deps) {
      if (isWildcard(dep)) {
        index ??= new IdIndex(ids);
        let matched = 0;
        for (const m of index.match(dep)) {
          const id = ids[m] as string;
          if (m === i || id === self) continue; // a wildcard never makes a task wait for itself
          matched++;
          const j = indexOf.get(id) as number;
          if (lastAddedBy[j] === i) continue;
          lastAddedBy[j] = i;
          concrete.push(id);
          out.push(j);
        }
        if (matched === 0) errors.push({ task: self, field: 'deps', message: `Task '${who}': wildcard dep '${dep}' matches no tasks` });
      } else if (dep === self) {
        errors.push({ task: self, field: 'deps', message: `Task '${who}' depends on itself` });
      } else {
        const j = indexOf.get(dep);
        if (j === undefined) errors.push({ task: self, field: 'deps', message: `Task '${who}' depends on '${dep}', which does not exist` });
        else if (lastAddedBy[j] !== i) {
          lastAddedBy[j] = i;
          concrete.push(dep);
          out.push(j);
        }
      }
    }
    resolved.push(concrete);
    edges[i] = out;
  }

  for (const cycle of findCycles(edges, firstNew, maxCycles)) {
    const names = cycle.map((j) => ids[j] ?? position(j));
    errors.push({ task: names[0] ?? null, field: 'deps', message: `Circular dependency detected: ${names.join(' -> ')}` });
  }
  return { deps: resolved, errors };
}

/**
 * Iterative three-colour DFS from every node >= `from`. Each back edge yields one cycle, returned as the node
 * path closed on its first node (a -> b -> a), following "depends on" edges.
 */
export function findCycles(edges: ReadonlyArray<readonly number[] | undefined>, from = 0, max = 20): number[][] {
  const n = edges.length;
  const colour = new Uint8Array(n); // 0 white, 1 on the current path, 2 done
  const stackNode = new Int32Array(n);
  const stackEdge = new Int32Array(n);
  const cycles: number[][] = [];
  for (let start = from; start < n && cycles.length < max; start++) {
    if (colour[start] !== 0) continue;
    let sp = 0;
    stackNode[0] = start;
    stackEdge[0] = 0;
    colour[start] = 1;
    while (sp >= 0) {
      const v = stackNode[sp]!;
      const out = edges[v] ?? [];
      const e = stackEdge[sp]!;
      if (e < out.length) {
        stackEdge[sp] = e + 1;
        const w = out[e]!;
        if (colour[w] === 0) {
          colour[w] = 1;
          sp++;
          stackNode[sp] = w;
          stackEdge[sp] = 0;
        } else if (colour[w] === 1 && cycles.length < max) {
          let k = sp;
          while (stackNode[k] !== w) k--;
          const cycle = Array.from(stackNode.subarray(k, sp + 1));
          cycle.push(w);
          cycles.push(cycle);
        }
      } else {
        colour[v] = 2;
        sp--;
      }
    }
  }
  return cycles;
}
