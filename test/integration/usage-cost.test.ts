// `runs.cost` end to end on the real local backend: real jobs, a real SQLite file, allocation units from a
// backend `cost` block, and a backend without one whose tasks are counted as uncosted with the reason.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEngine, type RunningEngine } from '../../src-main/engine/start';
import { item, task, waitRunDone, type EngineHarness } from '../helpers/engine-harness';
import { ApiError } from '../../src-shared/api/contract';

let root: string | null = null;
let eng: RunningEngine | null = null;
afterEach(async () => {
  await eng?.close();
  eng = null;
  if (root) fs.rmSync(root, { recursive: true, force: true });
  root = null;
});

async function start(budget = ''): Promise<EngineHarness> {
  root ??= fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-cost-'));
  const work = path.join(root, 'work');
  fs.mkdirSync(work, { recursive: true });
  const configPath = path.join(root, 'scripthut.yaml');
  fs.writeFileSync(
    configPath,
    [
      'backends:',
      '  - name: charged',
      '    type: local',
      '    max_concurrent: 4',
      `    cost: {currency: SU, per_cpu_hour: 3600, partitions: {gpu: {per_cpu_hour: 7200}}${budget}}`,
      '  - {name: free, type: local, max_concurrent: 4}',
      'settings:',
      '  local_poll_interval_ms: 100',
      '',
    ].join('\n'),
  );
  eng = await startEngine({ dataDir: path.join(root, 'data'), configPath, version: 'test', resourcesDir: path.resolve(__dirname, '..', '..', 'resources') });
  const events: EngineHarness['events'] = [];
  eng.engine.subscribe((e) => events.push(e));
  return { root, dataDir: path.join(root, 'data'), work, eng, events, close: async () => undefined };
}

const hours = (t: { started_at: string | null; finished_at: string | null }) => (Date.parse(t.finished_at!) - Date.parse(t.started_at!)) / 3_600_000;

describe('run cost on the local backend', () => {
  it('charges allocated cpus x elapsed at the backend (or partition) rate, and says why other tasks are not costed', async () => {
    const h = await start();
    const document = {
      title: 'costed',
      tasks: [task('two', 'sleep 1', { cpus: 2 }), task('gpu', 'sleep 1', { partition: 'gpu' }), task('bad', 'exit 3'), task('after', 'true', { deps: ['bad'] })].map((t) => ({ ...t, working_dir: h.work })),
    };
    const run = await h.eng.api.invoke('runs.createFromWorkflow', { backend: 'charged', document });
    const done = await waitRunDone(h, run.id);
    const cost = await h.eng.api.invoke('runs.cost', { id: run.id });
    expect(cost).toMatchObject({ run_id: run.id, currency: 'SU', basis: 'allocation', price_date: null, costed_tasks: 3, uncosted_tasks: 1 });
    const byId = Object.fromEntries(cost.tasks.map((t) => [t.task_id, t]));
    // 3600 SU per cpu-hour = 1 SU per cpu-second.
    expect(byId.two!.cost).toBeCloseTo(hours(item(done, 'two')) * 2 * 3600, 3);
    expect(byId.two!.cost).toBeGreaterThan(1.5);
    expect(byId.gpu!.cost).toBeCloseTo(hours(item(done, 'gpu')) * 7200, 3);
    expect(byId.bad!.cost).not.toBeNull(); // failed tasks ran, so they are charged
    expect(byId.after).toEqual({ task_id: 'after', cost: null, reason: 'never started (no start time)' });
    expect(cost.total).toBeCloseTo(byId.two!.cost! + byId.gpu!.cost! + byId.bad!.cost!, 3);
    // Totals only (the run page's header): the same figures without the per-task list.
    const totals = await h.eng.api.invoke('runs.cost', { id: run.id, tasks: false });
    expect(totals).toEqual({ ...cost, tasks: [] });

    // The usage history reads the same store: CPU-hours of the charged backend, priced at the same rates.
    const usage = await h.eng.api.invoke('usage.summary', { by: 'backend', tz: 'UTC' });
    const charged = usage.rows.find((r) => r.key === 'charged')!;
    expect(charged.tasks).toBe(3);
    expect(charged.cpu_hours).toBeCloseTo(hours(item(done, 'two')) * 2 + hours(item(done, 'gpu')) + hours(item(done, 'bad')), 3);
    expect(charged.cost.SU).toBeCloseTo(cost.total, 2);
    await expect(h.eng.api.invoke('usage.summary', { tz: 'Mars/Olympus' })).rejects.toMatchObject({ code: 'bad_input' });
    await expect(h.eng.api.invoke('usage.summary', { by: 'minute' as 'hour' })).rejects.toMatchObject({ code: 'bad_input' });

    // Right-sizing reads the completed tasks of the window: 'two' and 'gpu' (the failed one is not a size sample).
    const rs = await h.eng.api.invoke('usage.rightsizing', { workflow: 'costed' });
    expect(rs.tasks.map((t) => t.name).sort()).toEqual(['Task gpu', 'Task two']);
    expect(rs.tasks.every((t) => t.workflow === 'costed' && t.runs === 1 && t.memory_requested_gb === 100 / 1024)).toBe(true);
    // The local backend has no queue: a 5-minute limit barely used is flagged, but no earlier start is promised.
    const timeAdvice = rs.tasks.flatMap((t) => t.advice).filter((a) => a.startsWith('time limit 0:05:00'));
    expect(timeAdvice.length).toBeGreaterThan(0);
    expect(timeAdvice.every((a) => a.endsWith('(a shorter limit stops a runaway task earlier)'))).toBe(true);
    await expect(h.eng.api.invoke('usage.rightsizing', { since: 'yesterday' })).rejects.toMatchObject({ code: 'bad_input' });
  });

  it('a backend without a cost block: every task uncosted, with the reason; unknown run is not_found', async () => {
    const h = await start();
    const run = await h.eng.api.invoke('runs.createFromWorkflow', { backend: 'free', document: { tasks: [{ ...task('x', 'true'), working_dir: h.work }] } });
    await waitRunDone(h, run.id);
    const cost = await h.eng.api.invoke('runs.cost', { id: run.id });
    expect(cost).toMatchObject({ total: 0, currency: null, basis: null, costed_tasks: 0, uncosted_tasks: 1 });
    expect(cost.tasks[0]!.reason).toBe("no cost configured for backend 'free' (add backends[].cost or pricing.partitions)");
    // Totals only: counted without reading a task's attempts, the same figures as the full answer.
    expect(await h.eng.api.invoke('runs.cost', { id: run.id, tasks: false })).toEqual({ ...cost, tasks: [] });
    await expect(h.eng.api.invoke('runs.cost', { id: 'nope', tasks: false })).rejects.toBeInstanceOf(ApiError);
    await expect(h.eng.api.invoke('runs.cost', { id: 'nope' })).rejects.toBeInstanceOf(ApiError);
  });

  it('announces a monthly budget crossing once per threshold, keeps it across a restart and shows it in health', async () => {
    // 1 SU per cpu-second and a 1 SU budget: one task of a second crosses 80 % and 100 % at once.
    let h = await start(', monthly_budget: 1');
    const budgetNotes = () => h.events.filter((e) => e.event === 'notification' && (e.payload as { kind: string }).kind === 'budget').map((e) => e.payload as { level: string; title: string; body: string; run_id: string });
    const first = await h.eng.api.invoke('runs.createFromWorkflow', { backend: 'charged', document: { tasks: [{ ...task('a', 'sleep 1'), working_dir: h.work }] } });
    await waitRunDone(h, first.id);
    const month = new Date().toISOString().slice(0, 7);
    expect(budgetNotes()).toEqual([
      expect.objectContaining({ level: 'info', title: 'Budget 80 % used: charged', run_id: first.id }),
      expect.objectContaining({ level: 'error', title: 'Budget used up: charged', run_id: first.id }),
    ]);
    expect(budgetNotes()[1]!.body).toMatch(new RegExp(`^charged has used \\d+ % of its ${month} budget \\([\\d.]+ of 1 SU\\)$`));
    // More spending in the same month: nothing new.
    const second = await h.eng.api.invoke('runs.createFromWorkflow', { backend: 'charged', document: { tasks: [{ ...task('b', 'sleep 1'), working_dir: h.work }] } });
    await waitRunDone(h, second.id);
    expect(budgetNotes()).toHaveLength(2);
    const health = await h.eng.api.invoke('health', {});
    expect(health.budget_alerts!.map((a) => [a.backend, a.month, a.threshold, a.budget])).toEqual([['charged', month, 0.8, 1], ['charged', month, 1, 1]]);
    expect(fs.existsSync(path.join(h.dataDir, 'budget-alerts.json'))).toBe(true);

    // A restart on the same data folder remembers what was sent.
    await eng!.close();
    h = await start(', monthly_budget: 1');
    const third = await h.eng.api.invoke('runs.createFromWorkflow', { backend: 'charged', document: { tasks: [{ ...task('c', 'sleep 1'), working_dir: h.work }] } });
    await waitRunDone(h, third.id);
    expect(budgetNotes()).toHaveLength(0);
    expect((await h.eng.api.invoke('health', {})).budget_alerts).toHaveLength(2);
  });
});
