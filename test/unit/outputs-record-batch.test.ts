// Task outputs of many finished tasks are recorded in one transaction (a turn of short jobs pays one commit):
// each collection replaces the task's earlier rows, and one whose task is gone (run deleted) writes nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OutputStore, type CollectionRecord } from '../../src-main/outputs/output-store';
import { Store } from '../../src-main/store/store';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-outputs-batch-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const record = (taskId: string, paths: string[]): CollectionRecord => ({
  runId: 'r',
  taskId,
  attempt: 1,
  collectedAt: '2026-12-01T00:00:00.000Z',
  hasRunSummary: false,
  notes: [],
  error: null,
  outputs: paths.map((p) => ({ path: p, size: 1, kind: 'markdown', stored: true, skipped: null })),
});

describe('OutputStore.recordAll', () => {
  it('records several tasks at once, replaces earlier rows and skips a task that is gone', () => {
    const s = new Store(path.join(dir, 'a.db'));
    s.insertRun({ id: 'r', workflow_name: 'w', title: null, backend_name: 'local', created_at: '2026-12-01T00:00:00.000Z', finished_at: null, status: 'running', attempt: 1, max_concurrent: null, doc_json: '{}', halted_reason: null, cancel_requested: 0, log_dir: null });
    s.insertTasks('r', ['a', 'b'].map((t) => ({ task_id: t, def_json: JSON.stringify({ id: t }), retries_left: 0, generated_by: null })));
    const rows = new OutputStore(s.db);
    expect(rows.recordAll([record('a', ['old.md'])])).toEqual([true]);
    expect(rows.recordAll([record('a', ['task-summary.md', 'x.md']), record('gone', ['y.md']), record('b', [])])).toEqual([true, false, true]);
    expect(rows.outputs('r').map((o) => `${o.task_id}/${o.path}`)).toEqual(['a/task-summary.md', 'a/x.md']);
    expect(rows.collections('r').map((c) => c.task_id)).toEqual(['a', 'b']);
    expect(rows.collections('r', 'gone')).toEqual([]);
    expect(rows.recordAll([])).toEqual([]);
    s.close();
  });
});
