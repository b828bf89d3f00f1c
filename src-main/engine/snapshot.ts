// A run as decide() sees it, loaded from the store in one read of its tasks.
import type { EnvRule } from '../../src-shared/workflow/types';
import type { RunSnapshot, Snapshot, TaskSnapshot } from '../scheduler/decide';
import type { Store } from '../store/store';
import type { RunRow, TaskRow } from '../store/rows';
import { taskDef, toRuntime } from './views';

export interface LoadedRun {
  run: RunRow;
  snapshot: Snapshot;
  /** The rows the snapshot was made from, by task id (the unit of work applies transitions to them). */
  rows: Map<string, TaskRow>;
}

export function loadRunSnapshot(store: Store, runId: string): LoadedRun | null {
  const run = store.getRun(runId);
  if (!run) return null;
  const rows = store.listTasks(runId);
  return { run, rows: new Map(rows.map((r) => [r.task_id, r])), snapshot: { run: runSnapshot(run), tasks: rows.map(taskSnapshot), taskCount: rows.length } };
}

/**
 * A run with only some of its tasks loaded (a verdict needs its one task): decide() then leaves settling the run
 * to the caller. `taskCount` is how many tasks the run has in all.
 */
export function partialRunSnapshot(run: RunRow, rows: TaskRow[], taskCount: number): LoadedRun {
  return { run, rows: new Map(rows.map((r) => [r.task_id, r])), snapshot: { run: runSnapshot(run), tasks: rows.map(taskSnapshot), taskCount } };
}

function runSnapshot(run: RunRow): RunSnapshot {
  const doc = JSON.parse(run.doc_json || '{}') as { env?: EnvRule[]; env_groups?: Record<string, EnvRule[]> };
  return { id: run.id, workflowName: run.workflow_name, status: run.status, attempt: run.attempt, cancelRequested: !!run.cancel_requested, haltedReason: run.halted_reason, env: { env: doc.env ?? [], env_groups: doc.env_groups ?? {} } };
}

function taskSnapshot(row: TaskRow): TaskSnapshot {
  const def = taskDef(row);
  return { ...toRuntime(row, def), generatedBy: row.generated_by, retries: def.retries };
}
