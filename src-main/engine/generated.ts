// Dynamic tasks: when a `generates_source` task completes, its file is read through the backend and its tasks
// are validated together with the run's existing tasks. A rejected batch is reported on the generator.
import { extendWorkflow, joinWorkingDir } from '../../src-shared/workflow/extend';
import type { EnvRule, TaskDefinition } from '../../src-shared/workflow/types';
import type { Backend } from '../backends/types';
import type { TaskRow } from '../store/rows';

/** `warnings` are located by the file read and the generator (they reach the user as a notification). */
export type GeneratedResult = { ok: true; tasks: TaskDefinition[]; env: EnvRule[]; envGroups: Record<string, EnvRule[]>; warnings: string[] } | { ok: false; error: string };

export async function generatedTasks(b: Backend, row: TaskRow, def: TaskDefinition, existing: TaskDefinition[]): Promise<GeneratedResult> {
  const file = def.generates_source as string;
  const p = joinWorkingDir(def.working_dir, file);
  let text: string;
  try {
    text = await b.readFile(p);
  } catch (err) {
    return { ok: false, error: `generates_source: could not read ${p}: ${(err as Error).message}` };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `generates_source: ${p} is not valid JSON: ${(err as Error).message}` };
  }
  const res = extendWorkflow(existing, doc, row.task_id);
  if (!res.ok) return { ok: false, error: `generated tasks rejected: ${res.errors.map((e) => e.message).join('; ')}` };
  return { ok: true, tasks: res.tasks, env: res.env, envGroups: res.env_groups, warnings: res.warnings.map((w) => `${p}: ${w}`) };
}
