// How the Env tab words where a variable came from. Sources are layer names from the engine's resolver:
// `seed`, `server`, `workflow-doc`, `task`, `backend:<name>`, optionally `… via group:<g>` / `… via stack:<s>`.
import type { TaskEnv } from '../../src-shared/api/schemas';

export type EnvVar = TaskEnv['vars'][number];
export type EnvOp = EnvVar['ops'][number];

export function describeOp(op: EnvOp): string {
  if (op.op === 'seed') return 'seeded by ScriptHut';
  return `${op.op} by ${op.source}`;
}

/** Show what an op contributed when it differs from the final value (appends, or a set later overridden). */
export function showContribution(v: EnvVar, op: EnvOp): boolean {
  return v.ops.length > 1 || op.contribution !== v.value;
}

export function isSeeded(v: EnvVar): boolean {
  return v.ops.length > 0 && v.ops.every((o) => o.op === 'seed');
}

/** The variables the user's configuration contributed first, ScriptHut's own seeds after them (order kept otherwise). */
export function filterVars(vars: readonly EnvVar[], query: string): EnvVar[] {
  const ordered = [...vars.filter((v) => !isSeeded(v)), ...vars.filter(isSeeded)];
  const q = query.trim().toLowerCase();
  if (!q) return ordered;
  return ordered.filter((v) => v.name.toLowerCase().includes(q) || v.value.toLowerCase().includes(q) || v.ops.some((o) => o.source.toLowerCase().includes(q)));
}
