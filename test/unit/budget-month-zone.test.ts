// Budget months follow the usage report's zone: in Zurich a task finishing at 00:30 local on 1 November counts
// against November's budget, although it is still 31 October in UTC.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../../src-main/store/store';
import { BudgetWatch, monthOf, monthToDateSpend } from '../../src-main/usage/budget-watch';
import { localMonthStart } from '../../src-main/usage/local-days';
import type { CostSettings } from '../../src-main/pricing/settings';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-budget-zone-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const cost: CostSettings = { backends: { hpc: { currency: 'SU', per_cpu_hour: 1, monthly_budget: 10, partitions: {} } }, pricing: null, snapshot: null, snapshotError: null };

describe('budget months in the report zone', () => {
  it('month starts at local midnight, DST included', () => {
    expect(new Date(localMonthStart(Date.parse('2026-11-15T12:00:00Z'), 'Europe/Zurich')).toISOString()).toBe('2026-10-31T23:00:00.000Z');
    expect(new Date(localMonthStart(Date.parse('2026-04-10T12:00:00Z'), 'Europe/Zurich')).toISOString()).toBe('2026-03-31T22:00:00.000Z');
    expect(new Date(localMonthStart(Date.parse('2026-11-15T12:00:00Z'), 'UTC')).toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(monthOf('2026-10-31T23:30:00.000Z', 'Europe/Zurich')).toBe('2026-11');
    expect(monthOf('2026-10-31T23:30:00.000Z', 'UTC')).toBe('2026-10');
  });

  const s = new Store(path.join(dir, 'b.db'));
  afterAll(() => s.close());
  s.insertRun({ id: 'r', workflow_name: 'w', title: null, backend_name: 'hpc', created_at: '2026-10-31T20:00:00.000Z', finished_at: null, status: 'running', attempt: 1, max_concurrent: null, doc_json: '{}', halted_reason: null, cancel_requested: 0, log_dir: null });
  s.insertTasks('r', [
    { task_id: 'oct', def_json: JSON.stringify({ id: 'oct', cpus: 8, memory: '1G' }), retries_left: 0, generated_by: null },
    { task_id: 'edge', def_json: JSON.stringify({ id: 'edge', cpus: 9, memory: '1G' }), retries_left: 0, generated_by: null },
  ]);
  for (const id of ['oct', 'edge']) s.insertAttempt({ run_id: 'r', task_id: id, attempt: 1, backend_name: 'hpc', tag: `t-${id}`, job_id: id, status: 'completed', script: null, env_json: null, submit_output: null, log_output: null, log_error: null, exit_code: 0, error: null, submitted_at: null, started_at: null, finished_at: null });
  // 8 SU finishing 22:30 UTC = 23:30 in Zurich: October everywhere. 9 SU finishing 23:30 UTC = 00:30 on 1 Nov in Zurich.
  s.patchTask('r', 'oct', { status: 'completed', startedAt: '2026-10-31T21:30:00.000Z', finishedAt: '2026-10-31T22:30:00.000Z' });
  s.patchTask('r', 'edge', { status: 'completed', startedAt: '2026-10-31T22:30:00.000Z', finishedAt: '2026-10-31T23:30:00.000Z' });

  it('month-to-date spend across the boundary', () => {
    expect(monthToDateSpend(s.db, cost, 'hpc', '2026-11-01T08:00:00.000Z', 'Europe/Zurich')?.spent).toBe(9);
    expect(monthToDateSpend(s.db, cost, 'hpc', '2026-11-01T08:00:00.000Z', 'UTC')?.spent).toBe(0);
    // Still 31 October in UTC: both tasks are this month's there; in Zurich it is already November.
    expect(monthToDateSpend(s.db, cost, 'hpc', '2026-10-31T23:45:00.000Z', 'UTC')?.spent).toBe(17);
    expect(monthToDateSpend(s.db, cost, 'hpc', '2026-10-31T23:45:00.000Z', 'Europe/Zurich')?.spent).toBe(9);
  });

  it('the watch announces the local month', () => {
    const zrh = new BudgetWatch(fs.mkdtempSync(path.join(dir, 'w-')), 'Europe/Zurich');
    const n = zrh.check(s.db, cost, 'hpc', 'r', '2026-10-31T23:45:00.000Z');
    expect(n.map((x) => x.title)).toEqual(['Budget 80 % used: hpc']);
    expect(zrh.current('2026-10-31T23:45:00.000Z').map((a) => a.month)).toEqual(['2026-11']);
    const utc = new BudgetWatch(fs.mkdtempSync(path.join(dir, 'w-')), 'UTC');
    expect(utc.check(s.db, cost, 'hpc', 'r', '2026-10-31T23:45:00.000Z').map((x) => x.title)).toEqual(['Budget 80 % used: hpc', 'Budget used up: hpc']);
    expect(utc.current('2026-10-31T23:45:00.000Z').map((a) => a.month)).toEqual(['2026-10', '2026-10']);
  });
});
