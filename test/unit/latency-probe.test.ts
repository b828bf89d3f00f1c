// The bench's slot-gap probe: which ended job is paired with which started one, and what is left out.
import { afterEach, describe, expect, it } from 'vitest';
import { LATENCY_STAGES, latencyProbe } from '../../src-main/logging/latency-probe';

afterEach(() => latencyProbe.disable());

function submitted(tag: string): void {
  for (const step of ['spool', 'startLine', 'pid', 'recorded'] as const) latencyProbe.submitStep(tag, step);
}

describe('latencyProbe', () => {
  it('records nothing while off', () => {
    latencyProbe.disable();
    expect(latencyProbe.cycleStart()).toBe(-1);
    latencyProbe.jobDone('j1');
    latencyProbe.enable();
    expect(latencyProbe.report().pairs).toBe(0);
  });

  it('pairs the earliest ended job with the first started one; a first fill and unanswered starts are left out', () => {
    latencyProbe.enable();
    // First fill: jobs started, none ended.
    const fill = latencyProbe.cycleStart();
    latencyProbe.cycleStep(fill, 'observed');
    latencyProbe.cycleStep(fill, 'committed');
    latencyProbe.cycleJobs(fill, [], ['a', 'b']);
    submitted('a');
    submitted('b');
    latencyProbe.jobDone('a');
    latencyProbe.jobDone('b');
    const c = latencyProbe.cycleStart();
    latencyProbe.cycleStep(c, 'observed');
    latencyProbe.cycleStep(c, 'committed');
    latencyProbe.cycleJobs(c, ['b', 'a'], ['x', 'y']);
    submitted('x');
    latencyProbe.submitStep('y', 'spool'); // never answered: not a pair
    const r = latencyProbe.report();
    expect(r.pairs).toBe(1);
    for (const k of LATENCY_STAGES) expect(r.stages[k].median).toBeGreaterThanOrEqual(0);
    expect(r.total.median).toBeGreaterThanOrEqual(r.stages.pid.median);
  });

  it('a done line read after its cycle began counts no wake-up wait', () => {
    latencyProbe.enable();
    const c = latencyProbe.cycleStart();
    latencyProbe.jobDone('late');
    latencyProbe.cycleStep(c, 'observed');
    latencyProbe.cycleStep(c, 'committed');
    latencyProbe.cycleJobs(c, ['late'], ['next']);
    submitted('next');
    expect(latencyProbe.report().stages.woken.median).toBe(0);
  });
});
