// The DAG of a validated workflow as levels (for dry-run views): a task sits one level below its deepest dep.
import type { TaskDefinition } from './types';

export function dependencyLevels(tasks: readonly Pick<TaskDefinition, 'id' | 'deps'>[]): string[][] {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const level = new Map<string, number>();
  const depth = (id: string, seen: Set<string>): number => {
    const known = level.get(id);
    if (known !== undefined) return known;
    const t = byId.get(id);
    // Validation already refused cycles and unknown deps; guard anyway so a bad input cannot recurse forever.
    if (!t || seen.has(id)) return 0;
    seen.add(id);
    const d = t.deps.length ? 1 + Math.max(...t.deps.map((x) => depth(x, seen))) : 0;
    seen.delete(id);
    level.set(id, d);
    return d;
  };
  const out: string[][] = [];
  for (const t of tasks) (out[depth(t.id, new Set())] ??= []).push(t.id);
  return out.map((l) => l ?? []);
}
