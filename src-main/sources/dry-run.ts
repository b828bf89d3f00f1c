// What a run would submit, computed exactly as submission does (same env resolver, same backend script builder)
// for a run id of `preview`, without storing or submitting anything.
import type { DryRun } from '../../src-shared/api/source-schemas';
import { dependencyLevels } from '../../src-shared/workflow/levels';
import { joinWorkingDir } from '../../src-shared/workflow/extend';
import type { WorkflowDocument } from '../../src-shared/workflow/types';
import type { Backend } from '../backends/types';
import type { EnvResolver } from '../engine/env';
import { submitTag } from '../engine/run-factory';
import type { RunRow } from '../store/rows';

export const PREVIEW_RUN_ID = 'preview';

export function buildDryRun(args: {
  doc: WorkflowDocument;
  workflowName: string;
  backend: Backend;
  env: EnvResolver;
  now: string;
  source: DryRun['source'];
  warnings: string[];
  /** Why scripts may still differ from what submit sends (see Backend.learnScriptPaths); null when they do not. */
  unresolved?: string | null;
}): DryRun {
  const { doc, backend: b } = args;
  const run: RunRow = {
    id: PREVIEW_RUN_ID,
    workflow_name: args.workflowName,
    title: doc.title,
    backend_name: b.name,
    created_at: args.now,
    finished_at: null,
    status: 'pending',
    attempt: 1,
    max_concurrent: null,
    doc_json: JSON.stringify({ env: doc.env, env_groups: doc.env_groups, ...(doc.stacks ? { stacks: doc.stacks } : {}) }),
    halted_reason: null,
    cancel_requested: 0,
    log_dir: null,
  };
  const warnings = [...args.warnings];
  const tasks = doc.tasks.map((def) => {
    const env = args.env.resolve({ run, def, backend: b, attempt: 1 });
    for (const e of env.errors) warnings.push(`${def.id}: ${e} (this task would fail)`);
    for (const w of env.warnings) warnings.push(`${def.id}: ${w}`);
    const defaults = b.defaultLogPaths(run.id, def.id, 1);
    const within = (p: string) => (p.startsWith('/') || p.startsWith('~') ? p : joinWorkingDir(def.working_dir, p));
    let script: string;
    try {
      script = b.buildScript({
        runId: run.id,
        taskId: def.id,
        attempt: 1,
        jobName: def.name,
        tag: submitTag(run.id, def.id, 1),
        task: def,
        env: env.vars.map((v) => [v.name, v.value]),
        init: env.init,
        logs: { output: def.output_file ? within(def.output_file) : defaults.output, error: def.error_file ? within(def.error_file) : defaults.error },
        outputDir: b.outputDir(run.id, def.id),
        workingDir: def.working_dir,
      });
    } catch (err) {
      script = '';
      warnings.push(`${def.id}: could not build the submission script: ${(err as Error).message}`);
    }
    return { id: def.id, name: def.name, deps: def.deps, working_dir: def.working_dir, script, env: env.vars.map((v) => ({ name: v.name, value: v.value, ops: v.ops })) };
  });
  // Said only where it matters: a script with a `~/` the submission would still rewrite.
  if (args.unresolved && tasks.some((t) => t.script.includes('~/'))) warnings.push(args.unresolved);
  return { workflow_name: args.workflowName, backend: b.name, source: args.source, tasks, levels: dependencyLevels(doc.tasks), warnings };
}
