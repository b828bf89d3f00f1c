// Found by trying the product with a real Slurm (poll_interval 5): a job that finished between two polls — never
// seen pending or running — stayed "submitted" while `squeue -t all` still listed it (MinJobAge, 300 s by default)
// although sacct had its verdict at once; its dependents waited for those minutes too. Real Slurm + real sshd.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shouldSkipSlurm, type SlurmCluster } from '../harness/slurm';
import { startSlurmEngine, type SlurmEngine } from '../helpers/slurm-engine';
import type { RunningEngine } from '../../src-main/engine/start';
import type { RunDetail } from '../../src-shared/api/schemas';

const skip = shouldSkipSlurm();

describe.skipIf(skip)('a Slurm job that finished between two polls', () => {
  let bed: SlurmEngine;
  let cluster: SlurmCluster;
  let e: RunningEngine;

  beforeAll(async () => {
    // A long interval: the test decides when the engine looks, so the job is surely over before its first poll.
    bed = await startSlurmEngine('sh-tryout-fast-', { name: 'hpc', type: 'slurm', max_concurrent: 5, poll_interval: 600 });
    ({ cluster, e } = bed);
  }, 180_000);

  afterAll(async () => {
    await bed?.close();
  });

  // Never wakes the backend: here a poll happens only when the test asks for one.
  const until = (runId: string, done: (r: RunDetail) => boolean, what: string) => bed.untilRun(runId, done, { what, timeoutMs: 30_000 });

  it('gets its verdict from accounting at the next poll, and its dependents go on', async () => {
    // Let the start-up cycle (connect, first poll) end, so creating the run costs exactly one cycle: submit.
    await bed.until('backend hpc to connect', async () => ((await e.api.invoke('backends.list', {})).backends.find((b) => b.name === 'hpc')?.state === 'connected' ? true : null));
    await e.engine.idle();
    const run = await e.api.invoke('runs.createFromWorkflow', {
      backend: 'hpc',
      workflow_name: 'fast',
      document: [
        { id: 'quick-fail', command: 'echo broke >&2; exit 3', memory: '100M' },
        { id: 'quick-ok', command: 'echo fine', memory: '100M' },
        { id: 'after-ok', command: 'echo next', deps: ['quick-ok'], memory: '100M' },
      ],
    });
    const submitted = await until(run.id, (r) => r.items.filter((t) => t.job_id).length === 2, 'both jobs submitted');
    const jobs = submitted.items.filter((t) => t.job_id).map((t) => t.job_id as string);
    // Both over in Slurm's own accounting before the engine has polled once.
    await bed.until(`jobs ${jobs.join(',')} to finish in Slurm`, async () => (/^(FAILED\|3:0\nCOMPLETED\|0:0|COMPLETED\|0:0\nFAILED\|3:0)$/.test(cluster.run(`sacct -n -P -X -j ${jobs.join(',')} -o State,ExitCode`).stdout.trim()) ? true : null));
    expect(cluster.run(`squeue -h -t all -j ${jobs.join(',')} -o %T`).stdout).toMatch(/COMPLETED|FAILED/); // still listed
    const before = await e.api.invoke('runs.get', { id: run.id });
    expect(before.items.filter((t) => t.job_id).map((t) => t.status)).toEqual(['submitted', 'submitted']);

    e.engine.wake('hpc'); // one poll: squeue lists them as finished, sacct has the verdicts
    const r = await until(run.id, (x) => x.items.every((t) => (t.id === 'after-ok' ? t.job_id !== null : !['submitted', 'queued', 'running', 'settling'].includes(t.status))), 'the verdicts');
    const by = Object.fromEntries(r.items.map((t) => [t.id, t]));
    expect(by['quick-fail']).toMatchObject({ status: 'failed', exit_code: 3 });
    expect(by['quick-ok']).toMatchObject({ status: 'completed', exit_code: 0 });
    // The dependent was submitted by that same cycle, not minutes later.
    expect(String(by['after-ok']?.job_id)).toMatch(/^\d+$/);
  }, 180_000);
});
