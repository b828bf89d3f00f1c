// Store rows → contract views. The only place that knows both shapes.
import type { AttemptView, RunSummary, TaskView } from '../../src-shared/api/schemas';
import { isTerminalTask } from '../../src-shared/model/status';
import type { TaskDefinition } from '../../src-shared/workflow/types';
import type { TaskRuntime } from '../model/task-runtime';
import type { AttemptRow, RunRow, TaskRow } from '../store/rows';

export function taskDef(row: TaskRow): TaskDefinition {
  return JSON.parse(row.def_json) as TaskDefinition;
}

export function toRuntime(row: TaskRow, def: TaskDefinition = taskDef(row)): TaskRuntime {
  return {
    id: row.task_id,
    deps: def.deps,
    status: row.status,
    jobId: row.job_id,
    attempt: row.attempt,
    retriesLeft: row.retries_left,
    submittedAt: row.submitted_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    settlingSince: row.settling_since,
    exitCode: row.exit_code,
    error: row.error,
    pendingReason: row.pending_reason,
    schedulerState: row.scheduler_state,
  };
}

export function toTaskView(row: TaskRow): TaskView {
  return toTaskViewWith(row, taskDef(row));
}

/** The view of a task whose definition is at hand already parsed (task-views-kept.ts). */
export function toTaskViewWith(row: TaskRow, def: TaskDefinition): TaskView {
  return {
    id: row.task_id,
    name: def.name,
    status: row.status,
    job_id: row.job_id,
    exit_code: row.exit_code,
    error: row.error,
    submitted_at: row.submitted_at,
    started_at: row.started_at,
    finished_at: row.finished_at,
    attempt: row.attempt,
    deps: def.deps,
    command: def.command,
    cpus: def.cpus,
    memory: def.memory,
    time_limit: def.time_limit,
    partition: def.partition,
    pending_reason: row.pending_reason,
    scheduler_state: row.scheduler_state,
    generated_by: row.generated_by,
    max_rss: row.max_rss,
    cpu_efficiency: row.cpu_efficiency,
  };
}

export function toRunSummary(run: RunRow, counts: Record<string, number>): RunSummary {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  let terminal = 0;
  for (const [s, n] of Object.entries(counts)) if (isTerminalTask(s as TaskView['status'])) terminal += n;
  return {
    id: run.id,
    workflow_name: run.workflow_name,
    title: run.title,
    backend_name: run.backend_name,
    created_at: run.created_at,
    finished_at: run.finished_at,
    status: run.status,
    attempt: run.attempt,
    task_count: total,
    completed_count: terminal,
    submitted_count: total - (counts.pending ?? 0),
    status_counts: counts,
    max_concurrent: run.max_concurrent,
    halted_reason: run.halted_reason,
    source: run.source_name ? { name: run.source_name, repo: run.source_repo ?? null, branch: run.source_branch ?? null, commit: run.source_commit ?? null } : null,
  };
}

export function toAttemptView(a: AttemptRow): AttemptView {
  return {
    task_id: a.task_id,
    attempt: a.attempt,
    job_id: a.job_id,
    status: a.status,
    exit_code: a.exit_code,
    error: a.error,
    submitted_at: a.submitted_at,
    started_at: a.started_at,
    finished_at: a.finished_at,
  };
}
