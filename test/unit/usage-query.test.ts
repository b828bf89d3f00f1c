// Usage history from a real SQLite store: CPU-hours per local day / backend / workflow, earlier attempts counted,
// running tasks counted to now, per-CPU-hour cost in each backend's currency and cloud dollars with the snapshot date.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../../src-main/store/store';
import { usageReport } from '../../src-main/usage/usage-query';
import { splitByLocalHour } from '../../src-main/usage/local-days';
import { loadSnapshot, SNAPSHOT_FILE } from '../../src-main/pricing/snapshot';
import type { CostSettings } from '../../src-main/pricing/settings';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-usage-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const snapshot = loadSnapshot(path.resolve(__dirname, '..', '..', 'resources', 'pricing', SNAPSHOT_FILE));
const NOW = '2026-11-30T12:00:00.000Z';

function store(): Store {
  const s = new Store(path.join(dir, `${Math.random().toString(36).slice(2)}.db`));
  const run = (id: string, backend: string, workflow: string, tasks: Array<{ id: string; cpus: number; partition?: string; start: string | null; end: string | null }>) => {
    s.insertRun({ id, workflow_name: workflow, title: null, backend_name: backend, created_at: '2026-11-01T00:00:00.000Z', finished_at: null, status: 'running', attempt: 1, max_concurrent: null, doc_json: '{}', halted_reason: null, cancel_requested: 0, log_dir: null });
    s.insertTasks(id, tasks.map((t) => ({ task_id: t.id, def_json: JSON.stringify({ id: t.id, cpus: t.cpus, partition: t.partition ?? null, memory: '1G' }), retries_left: 0, generated_by: null })));
    for (const t of tasks) if (t.start) s.patchTask(id, t.id, { status: t.end ? 'completed' : 'running', startedAt: t.start, ...(t.end ? { finishedAt: t.end } : {}) });
  };
  // hpc: 4 cpus from 22:00 to 02:00 UTC (2 h each side of midnight) = 16 CPU-hours; a never-started task.
  run('r1', 'hpc', 'align', [
    { id: 'a', cpus: 4, start: '2026-11-28T22:00:00.000Z', end: '2026-11-29T02:00:00.000Z' },
    { id: 'b', cpus: 8, start: null, end: null },
  ]);
  // aws: 2 cpus for 1 h on a c5.xlarge-priced partition, plus a task still running since 10:00 (2 h to now).
  run('r2', 'aws', 'qc', [
    { id: 'c', cpus: 2, partition: 'cpu', start: '2026-11-29T10:00:00.000Z', end: '2026-11-29T11:00:00.000Z' },
    { id: 'd', cpus: 1, partition: 'cpu', start: '2026-11-30T10:00:00.000Z', end: null },
  ]);
  // An earlier attempt of r1/a (1 cpu-task x 4 cpus x 1 h) must count too.
  s.insertAttempt({ run_id: 'r1', task_id: 'a', attempt: 0, backend_name: 'hpc', tag: 'old', job_id: '1', status: 'failed', script: null, env_json: null, submit_output: null, log_output: null, log_error: null, exit_code: 1, error: null, submitted_at: null, started_at: '2026-11-28T20:00:00.000Z', finished_at: '2026-11-28T21:00:00.000Z' });
  return s;
}

const cost: CostSettings = {
  backends: { hpc: { currency: 'SU', per_cpu_hour: 2, partitions: {} } },
  pricing: { region: 'us-east-1', price_type: 'ondemand', partitions: { cpu: 'c5.xlarge' } },
  snapshot,
  snapshotError: null,
};
const c5 = snapshot.instances['c5.xlarge']!.pricing['us-east-1']!.ondemand! / 4;

describe('usage report', () => {
  const s = store();
  afterAll(() => s.close());
  it('by backend: CPU-hours incl. earlier attempts and running tasks, cost in each currency', () => {
    const u = usageReport(s.db, cost, { since: '2026-11-01', by: 'backend', timeZone: 'UTC', now: NOW });
    expect(u.total_cpu_hours).toBe(24);
    expect(u.price_date).toBe(snapshot.date);
    expect(u.rows).toEqual([
      { key: 'hpc', cpu_hours: 20, cost: { SU: 40 }, tasks: 2 },
      { key: 'aws', cpu_hours: 4, cost: { USD: Number((4 * c5).toFixed(4)) }, tasks: 2 },
    ]);
  });
  it('by local day: split at midnight in the given zone', () => {
    const utc = usageReport(s.db, cost, { since: '2026-11-01', by: 'day', timeZone: 'UTC', now: NOW });
    expect(utc.rows.map((r) => [r.key, r.cpu_hours])).toEqual([['2026-11-28', 12], ['2026-11-29', 10], ['2026-11-30', 2]]);
    // In Zurich (UTC+1) the hpc task runs 23:00-03:00 local: 1 h before midnight, 3 h after.
    const zrh = usageReport(s.db, cost, { since: '2026-11-01', by: 'day', timeZone: 'Europe/Zurich', now: NOW });
    expect(zrh.rows.map((r) => [r.key, r.cpu_hours])).toEqual([['2026-11-28', 8], ['2026-11-29', 14], ['2026-11-30', 2]]);
  });
  it('by workflow, and `since` cuts intervals that started before it', () => {
    const u = usageReport(s.db, cost, { since: '2026-11-29T00:00:00Z', by: 'workflow', timeZone: 'UTC', now: NOW });
    expect(u.rows.map((r) => [r.key, r.cpu_hours])).toEqual([['align', 8], ['qc', 4]]);
  });
});

describe('usage by source and by hour of day (stacked charts)', () => {
  const s = store();
  s.setRunSource('r2', { name: 'repo-a', repo: 'https://example.invalid/a.git', branch: 'main', commit: 'abc' });
  afterAll(() => s.close());
  it('by source: runs made from a workflow file are "(no source)"', () => {
    const u = usageReport(s.db, cost, { since: '2026-11-01', by: 'source', timeZone: 'UTC', now: NOW });
    expect(u.rows.map((r) => [r.key, r.cpu_hours, r.tasks])).toEqual([['(no source)', 20, 2], ['repo-a', 4, 2]]);
  });
  it('by local hour split by backend: one row per (hour, backend); a task is counted at the hour it started', () => {
    const utc = usageReport(s.db, cost, { since: '2026-11-01', by: 'hour', split: 'backend', timeZone: 'UTC', now: NOW });
    expect(utc.split).toBe('backend');
    expect(utc.rows.map((r) => [r.key, r.series, r.cpu_hours, r.tasks])).toEqual([
      ['00', 'hpc', 4, 0], ['01', 'hpc', 4, 0], ['10', 'aws', 3, 2], ['11', 'aws', 1, 0], ['20', 'hpc', 4, 1], ['22', 'hpc', 4, 1], ['23', 'hpc', 4, 0],
    ]);
    const zrh = usageReport(s.db, cost, { since: '2026-11-01', by: 'hour', split: 'backend', timeZone: 'Europe/Zurich', now: NOW });
    expect(zrh.rows.map((r) => [r.key, r.series, r.cpu_hours])).toEqual([
      ['00', 'hpc', 4], ['01', 'hpc', 4], ['02', 'hpc', 4], ['11', 'aws', 3], ['12', 'aws', 1], ['21', 'hpc', 4], ['23', 'hpc', 4],
    ]);
    expect(zrh.total_cpu_hours).toBe(24);
  });
  it('by day split by source sums to the same totals', () => {
    const u = usageReport(s.db, cost, { since: '2026-11-01', by: 'day', split: 'source', timeZone: 'UTC', now: NOW });
    expect(u.rows.map((r) => [r.key, r.series, r.cpu_hours])).toEqual([
      ['2026-11-28', '(no source)', 12], ['2026-11-29', '(no source)', 8], ['2026-11-29', 'repo-a', 2], ['2026-11-30', 'repo-a', 2],
    ]);
  });
  it('hours of the day across a DST change and in a half-hour zone', () => {
    // Zurich, 2026-03-29: 02:00 local does not exist; 00:00-03:00 UTC is 01-02 CET then 03-05 CEST.
    const h = splitByLocalHour(Date.parse('2026-03-29T00:00:00Z'), Date.parse('2026-03-29T03:00:00Z'), 'Europe/Zurich');
    expect(h.map((x, i) => [i, x]).filter(([, x]) => x)).toEqual([[1, 1], [3, 1], [4, 1]]);
    const ist = splitByLocalHour(Date.parse('2026-03-29T00:00:00Z'), Date.parse('2026-03-29T01:00:00Z'), 'Asia/Kolkata');
    expect(ist.map((x, i) => [i, x]).filter(([, x]) => x)).toEqual([[5, 0.5], [6, 0.5]]);
  });
});
