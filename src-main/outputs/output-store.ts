// The outputs' rows (migration 9): one collection per task (when, what was left out) and its listed files.
// A task's rows are replaced as a whole when it is collected again (a rerun); deleting the run cascades.
import type { Db } from '../store/db';
import type { OutputKind } from './output-path';

export interface OutputRow {
  run_id: string;
  task_id: string;
  path: string;
  size: number;
  kind: OutputKind;
  stored: number;
  skipped: string | null;
}

export interface CollectionRow {
  run_id: string;
  task_id: string;
  attempt: number;
  collected_at: string;
  has_run_summary: number;
  notes_json: string;
  error: string | null;
}

export interface CollectionRecord {
  runId: string;
  taskId: string;
  attempt: number;
  collectedAt: string;
  hasRunSummary: boolean;
  notes: string[];
  error: string | null;
  outputs: Array<{ path: string; size: number; kind: OutputKind; stored: boolean; skipped: string | null }>;
}

export class OutputStore {
  constructor(private readonly db: Db) {}

  /** False when the task is gone (its run was deleted while the collection ran): nothing is written. */
  record(c: CollectionRecord): boolean {
    return this.recordAll([c])[0] as boolean;
  }

  /** Several collections in one transaction; for each, whether it was written (false: its task is gone). */
  recordAll(cs: readonly CollectionRecord[]): boolean[] {
    if (!cs.length) return [];
    const s = this.statements();
    return this.db.transaction(() =>
      cs.map((c) => {
        if (!s.exists.get(c.runId, c.taskId)) return false;
        s.clear.run(c.runId, c.taskId);
        s.collection.run(c.runId, c.taskId, c.attempt, c.collectedAt, c.hasRunSummary ? 1 : 0, JSON.stringify(c.notes), c.error);
        for (const o of c.outputs) s.output.run(c.runId, c.taskId, o.path, o.size, o.kind, o.stored ? 1 : 0, o.skipped);
        return true;
      }),
    )();
  }

  private stmts: ReturnType<OutputStore['prepare']> | null = null;
  // Prepared once: a collection runs for every finished task.
  private statements(): ReturnType<OutputStore['prepare']> {
    return (this.stmts ??= this.prepare());
  }
  private prepare() {
    return {
      exists: this.db.prepare('SELECT 1 FROM tasks WHERE run_id = ? AND task_id = ?'),
      clear: this.db.prepare('DELETE FROM task_outputs WHERE run_id = ? AND task_id = ?'),
      collection: this.db.prepare('INSERT OR REPLACE INTO task_output_collections (run_id, task_id, attempt, collected_at, has_run_summary, notes_json, error) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      output: this.db.prepare('INSERT INTO task_outputs (run_id, task_id, path, size, kind, stored, skipped) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    };
  }

  /** Outputs of a run (or one task), in task order, then task-summary.md first and by path. */
  outputs(runId: string, taskId?: string): OutputRow[] {
    const rows = this.db
      .prepare(
        `SELECT o.* FROM task_outputs o JOIN tasks t ON t.run_id = o.run_id AND t.task_id = o.task_id
         WHERE o.run_id = ? ${taskId === undefined ? '' : 'AND o.task_id = ?'}
         ORDER BY t.seq, CASE WHEN o.path = 'task-summary.md' THEN 0 ELSE 1 END, o.path`,
      )
      .all(...(taskId === undefined ? [runId] : [runId, taskId])) as OutputRow[];
    return rows;
  }

  output(runId: string, taskId: string, path: string): OutputRow | undefined {
    return this.db.prepare('SELECT * FROM task_outputs WHERE run_id = ? AND task_id = ? AND path = ?').get(runId, taskId, path) as OutputRow | undefined;
  }

  collections(runId: string, taskId?: string): Array<CollectionRow & { seq: number; name: string | null }> {
    return this.db
      .prepare(
        `SELECT c.*, t.seq, json_extract(t.def_json, '$.name') AS name FROM task_output_collections c
         JOIN tasks t ON t.run_id = c.run_id AND t.task_id = c.task_id
         WHERE c.run_id = ? ${taskId === undefined ? '' : 'AND c.task_id = ?'} ORDER BY t.seq`,
      )
      .all(...(taskId === undefined ? [runId] : [runId, taskId])) as Array<CollectionRow & { seq: number; name: string | null }>;
  }
}
