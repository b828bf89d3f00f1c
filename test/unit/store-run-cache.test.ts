// The Store keeps committed run rows by id (the loop reads a run several times per task it moves). A cached row
// must never outlive a write, nor hold a row that a rolled-back transaction wrote.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../../src-main/store/store';
import type { RunRow } from '../../src-main/store/rows';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-run-cache-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const run = (id: string): RunRow => ({ id, workflow_name: 'wf', title: null, backend_name: 'local', created_at: '2026-12-01T00:00:00.000Z', finished_at: null, status: 'pending', attempt: 1, max_concurrent: null, doc_json: '{}', halted_reason: null, cancel_requested: 0, log_dir: null });

describe('run rows read through the Store', () => {
  const s = new Store(path.join(dir, 'cache.db'));
  afterAll(() => s.close());
  s.insertRun(run('r'));

  it('follow every write, inside and outside transactions', () => {
    expect(s.getRun('r')?.status).toBe('pending');
    s.updateRun('r', { status: 'running' });
    expect(s.getRun('r')?.status).toBe('running');
    s.tx(() => {
      s.updateRun('r', { halted_reason: 'stop' });
      expect(s.getRun('r')?.halted_reason).toBe('stop');
    });
    expect(s.getRun('r')?.halted_reason).toBe('stop');
    s.setRunSource('r', { name: 'src', repo: null, branch: null, commit: null });
    expect(s.getRun('r')?.source_name).toBe('src');
  });

  it('never keep what a rolled-back transaction wrote', () => {
    s.updateRun('r', { status: 'running', halted_reason: null });
    expect(s.getRun('r')?.status).toBe('running');
    expect(() =>
      s.tx(() => {
        s.updateRun('r', { status: 'failed' });
        // Read (and possibly cached) while the write is not committed.
        expect(s.getRun('r')?.status).toBe('failed');
        throw new Error('roll back');
      }),
    ).toThrow('roll back');
    expect(s.getRun('r')?.status).toBe('running');
    expect(s.getRun('r')?.status).toBe('running');
  });

  it('hand out copies, and forget a deleted run', () => {
    const a = s.getRun('r') as RunRow;
    a.status = 'completed';
    expect(s.getRun('r')?.status).toBe('running');
    s.deleteRun('r');
    expect(s.getRun('r')).toBeUndefined();
  });
});
