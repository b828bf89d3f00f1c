// Fair sharing of a backend's slots between runs.
import { describe, expect, it } from 'vitest';
import { allocate, type AllocRun } from '../../src-main/scheduler/allocate';

function run(runId: string, ready: number, fields: Partial<AllocRun> = {}): AllocRun {
  return {
    runId,
    createdAt: `2024-01-01T00:00:0${runId.charCodeAt(0) % 10}.000Z`,
    maxConcurrent: null,
    inFlight: 0,
    ready: Array.from({ length: ready }, (_, i) => `${runId}-t${i}`),
    ...fields,
  };
}

const perRun = (picks: ReturnType<typeof allocate>) => {
  const out: Record<string, number> = {};
  for (const p of picks) out[p.runId] = (out[p.runId] ?? 0) + 1;
  return out;
};

describe('allocate', () => {
  it('two runs sharing a cap of 2 both get a slot', () => {
    const picks = allocate(2, [run('a', 10), run('b', 10)]);
    expect(perRun(picks)).toEqual({ a: 1, b: 1 });
  });

  it('a big run cannot starve a small one that arrives later', () => {
    expect(perRun(allocate(1, [run('a', 100, { inFlight: 3 }), run('b', 1)]))).toEqual({});
    expect(perRun(allocate(4, [run('a', 100, { inFlight: 3 }), run('b', 1)]))).toEqual({ b: 1 });
  });

  it('least-loaded run first', () => {
    const picks = allocate(4, [run('a', 10, { inFlight: 2 }), run('b', 10, { inFlight: 0 })]);
    expect(perRun(picks)).toEqual({ b: 2 });
    const more = allocate(6, [run('a', 10, { inFlight: 2 }), run('b', 10, { inFlight: 0 })]);
    expect(perRun(more)).toEqual({ a: 1, b: 3 });
  });

  it('ties go to the older run', () => {
    const picks = allocate(1, [run('b', 1, { createdAt: '2024-01-02T00:00:00Z' }), run('a', 1, { createdAt: '2024-01-01T00:00:00Z' })]);
    expect(picks).toEqual([{ runId: 'a', taskId: 'a-t0' }]);
  });

  it("a run's own cap holds; its spare share goes to others", () => {
    const picks = allocate(10, [run('a', 10, { maxConcurrent: 1 }), run('b', 3)]);
    expect(perRun(picks)).toEqual({ a: 1, b: 3 });
    expect(allocate(10, [run('a', 10, { maxConcurrent: 2, inFlight: 2 })])).toEqual([]);
  });

  it('no slot idles while work is ready', () => {
    const picks = allocate(8, [run('a', 1), run('b', 2), run('c', 20)]);
    expect(picks).toHaveLength(8);
    expect(perRun(picks)).toEqual({ a: 1, b: 2, c: 5 });
  });

  it('slots held by other runs (nothing ready) count against the cap', () => {
    expect(allocate(3, [run('other', 0, { inFlight: 3 }), run('a', 5)])).toEqual([]);
    expect(perRun(allocate(3, [run('other', 0, { inFlight: 2 }), run('a', 5)]))).toEqual({ a: 1 });
  });

  it('tasks go out in workflow order, never twice', () => {
    const picks = allocate(3, [run('a', 5)]);
    expect(picks.map((p) => p.taskId)).toEqual(['a-t0', 'a-t1', 'a-t2']);
  });

  it('a full backend submits nothing', () => {
    expect(allocate(2, [run('a', 5, { inFlight: 2 })])).toEqual([]);
    expect(allocate(2, [run('a', 5, { inFlight: 3 })])).toEqual([]);
  });
});
