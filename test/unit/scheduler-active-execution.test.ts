// The engine's incremental execution state must agree with the pure whole-run rules (scheduler/run-state) after
// any sequence of status changes: ready set, dependency cascade and run status.
import { describe, expect, it } from 'vitest';
import type { TaskStatus } from '../../src-shared/model/status';
import { RunExecution } from '../../src-main/engine/active-execution';
import { cascadeDepFailures, deriveRunStatus, readyTasks } from '../../src-main/scheduler/run-state';
import type { TaskRuntime } from '../../src-main/model/task-runtime';
import type { TaskRow } from '../../src-main/store/rows';

function row(id: string, seq: number, status: TaskStatus = 'pending'): TaskRow {
  return { run_id: 'r', task_id: id, seq, def_json: '', status, attempt: 1, retries_left: 0, job_id: null, submit_tag: null, exit_code: null, error: null, submitted_at: null, started_at: null, finished_at: null, settling_since: null, pending_reason: null, scheduler_state: null, generated_by: null, max_rss: null, cpu_efficiency: null };
}

/** A small random DAG (deps only on earlier tasks). */
function dag(n: number, rand: () => number): Map<string, string[]> {
  const deps = new Map<string, string[]>();
  for (let i = 0; i < n; i++) deps.set(`t${i}`, Array.from({ length: i }, (_, j) => `t${j}`).filter(() => rand() < 0.25));
  return deps;
}

function lcg(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

const runtime = (id: string, deps: string[], status: TaskStatus): TaskRuntime => ({ id, deps, status, jobId: null, attempt: 1, retriesLeft: 0, submittedAt: null, startedAt: null, finishedAt: null, settlingSince: null, exitCode: null, error: null, pendingReason: null, schedulerState: null });

describe('RunExecution agrees with the whole-run rules', () => {
  const steps: TaskStatus[] = ['submitted', 'running', 'completed', 'failed', 'cancelled', 'completed', 'completed'];
  it.each(Array.from({ length: 40 }, (_, i) => i + 1))('random run #%i', (seed) => {
    const rand = lcg(seed);
    const deps = dag(12, rand);
    const ids = [...deps.keys()];
    const status = new Map<string, TaskStatus>(ids.map((id) => [id, 'pending']));
    const ex = new RunExecution(ids.map((id, i) => row(id, i)), (r) => deps.get(r.task_id) ?? []);
    for (let step = 0; step < 30; step++) {
      const all = () => ids.map((id) => runtime(id, deps.get(id) ?? [], status.get(id) as TaskStatus));
      expect(ex.readyIds(1000)).toEqual(readyTasks(all()));
      // A few at a time (what allocation asks for) are the first few in workflow order.
      expect(ex.readyIds(2)).toEqual(readyTasks(all()).slice(0, 2));
      const ready = ex.readyIds(1000);
      const inFlight = ids.filter((id) => ['submitted', 'running'].includes(status.get(id) as string));
      const pick = [...ready, ...inFlight][Math.floor(rand() * (ready.length + inFlight.length))];
      if (!pick) break;
      const cur = status.get(pick);
      const to = cur === 'pending' ? 'submitted' : cur === 'submitted' ? 'running' : (steps[2 + Math.floor(rand() * 5)] as TaskStatus);
      status.set(pick, to);
      ex.setStatus(pick, to);
      const expected = cascadeDepFailures(all(), 'now');
      const got = ex.cascade('now');
      expect(got.map((t) => t.taskId).sort()).toEqual(expected.map((t) => t.taskId).sort());
      for (const t of got) status.set(t.taskId, 'dep_failed');
      expect(ex.derivedStatus(false)).toBe(deriveRunStatus(all(), false));
      expect(ex.derivedStatus(true)).toBe(deriveRunStatus(all(), true));
    }
  });

  it('cascades in the same dependency order and with the same reasons as decide() (one cascade rule)', () => {
    const deps = new Map<string, string[]>([['a', []], ['e', ['c', 'd']], ['b', ['a']], ['c', ['b']], ['d', ['a']]]);
    const ids = [...deps.keys()];
    const ex = new RunExecution(ids.map((id, i) => row(id, i)), (r) => deps.get(r.task_id) ?? []);
    ex.setStatus('a', 'failed');
    const got = ex.cascade('now').map((t) => [t.taskId, t.reason]);
    const whole = cascadeDepFailures(ids.map((id) => runtime(id, deps.get(id) ?? [], id === 'a' ? 'failed' : 'pending')), 'now').map((t) => [t.taskId, t.reason]);
    expect(got).toEqual([['b', "Dependency 'a' failed"], ['d', "Dependency 'a' failed"], ['c', "Dependency 'b' failed"], ['e', "Dependency 'd' failed"]]);
    expect(got).toEqual(whole);
    expect(ex.cascade('now')).toEqual([]);
  });

  it('offers ready tasks in workflow order, at most as many as asked', () => {
    const ex = new RunExecution([row('c', 2), row('a', 0), row('b', 1, 'completed')], () => []);
    expect(ex.readyIds(10)).toEqual(['a', 'c']);
    expect(ex.readyIds(1)).toEqual(['a']);
  });
});

describe('RunExecution ready order', () => {
  it('hands out ready tasks by seq, without repeats, as tasks leave and come back (retries)', () => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const ex = new RunExecution(ids.map((id, i) => row(id, i)), () => []);
    expect(ex.readyIds(2)).toEqual(['a', 'b']);
    ex.setStatus('a', 'submitted');
    ex.setStatus('c', 'submitted');
    expect(ex.readyIds(2)).toEqual(['b', 'd']);
    // c is retried: pending again, and back in its place before d.
    ex.setStatus('c', 'pending', 2);
    expect(ex.readyIds(10)).toEqual(['b', 'c', 'd', 'e']);
    ex.setStatus('c', 'submitted');
    ex.setStatus('c', 'pending', 3);
    expect(ex.readyIds(10)).toEqual(['b', 'c', 'd', 'e']);
    ex.finishPending('cancelled');
    expect(ex.readyIds(10)).toEqual([]);
  });
});
