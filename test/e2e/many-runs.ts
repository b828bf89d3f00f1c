// Years of history for the runs list: finished runs written straight into the host's SQLite file (through the
// Store, before the host starts), one a minute from 2024-01-01, so the engine has nothing to resume and the list
// is all there is to measure. Statuses: every 7th failed, every 11th cancelled, the rest completed.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../src-main/store/store';
import type { RunStatus } from '../../src-shared/model/status';

export interface SeededRuns {
  /** Run ids, oldest first. */
  ids: string[];
  failed: number;
}

export function runIdAt(i: number): string {
  return `hist${String(i).padStart(5, '0')}`;
}

export function statusAt(i: number): RunStatus {
  return i % 7 === 0 ? 'failed' : i % 11 === 0 ? 'cancelled' : 'completed';
}

/** For startRealHost's `prepare` (given the config folder, whose sibling is the data folder). */
export function seedFinishedRuns(configHome: string, count: number, tasksPerRun = 3): SeededRuns {
  const dataDir = join(configHome, '..', 'data');
  mkdirSync(dataDir, { recursive: true });
  const store = new Store(join(dataDir, 'scripthut.db'));
  const ids: string[] = [];
  let failed = 0;
  const start = Date.UTC(2024, 0, 1);
  try {
    for (let from = 0; from < count; from += 500) {
      store.tx(() => {
        for (let i = from; i < Math.min(count, from + 500); i++) {
          const id = runIdAt(i);
          const status = statusAt(i);
          if (status === 'failed') failed++;
          const created = new Date(start + i * 60_000).toISOString();
          const finished = new Date(start + i * 60_000 + 30_000).toISOString();
          store.insertRun({
            id, workflow_name: `history-${i % 5}`, title: `History run ${i}`, backend_name: 'local', created_at: created, finished_at: finished,
            status, attempt: 1, max_concurrent: null, doc_json: '{}', halted_reason: null, cancel_requested: 0, log_dir: null,
          });
          store.insertTasks(
            id,
            Array.from({ length: tasksPerRun }, (_, k) => ({ task_id: `t${k}`, def_json: JSON.stringify({ id: `t${k}`, name: `t${k}`, command: 'true', deps: [] }), retries_left: 0, generated_by: null })),
          );
          for (let k = 0; k < tasksPerRun; k++) {
            const taskStatus = status === 'failed' && k === 0 ? 'failed' : status === 'cancelled' && k === 0 ? 'cancelled' : 'completed';
            store.patchTask(id, `t${k}`, { status: taskStatus, jobId: String(1000 + k), submittedAt: created, startedAt: created, finishedAt: finished, exitCode: taskStatus === 'failed' ? 1 : taskStatus === 'completed' ? 0 : null });
          }
          ids.push(id);
        }
      });
    }
  } finally {
    store.close();
  }
  return { ids, failed };
}
