// Allocation units on a REAL Slurm (with accounting) over a REAL sshd: the engine stores each finished job's
// AllocTRES from sacct on its attempt, and `runs.cost` charges the `billing=` TRES at the backend's billing_tres rate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shouldSkipSlurm, type SlurmCluster } from '../harness/slurm';
import { startSlurmEngine, type SlurmEngine } from '../helpers/slurm-engine';
import type { RunningEngine } from '../../src-main/engine/start';

const skip = shouldSkipSlurm();

describe.skipIf(skip)('billing TRES from a real Slurm', () => {
  let bed: SlurmEngine;
  let cluster: SlurmCluster;
  let e: RunningEngine;

  beforeAll(async () => {
    bed = await startSlurmEngine('sh-slurm-cost-', { name: 'hpc', type: 'slurm', poll_interval: 5, more: ['cost: {currency: core-hours, billing_tres: 3600}'] });
    ({ cluster, e } = bed);
  }, 180_000);

  afterAll(async () => {
    await bed?.close();
  });

  it('keeps AllocTRES (cpu=, mem=, node=, billing=) per attempt and costs the run by billing TRES', async () => {
    const run = await e.api.invoke('runs.createFromWorkflow', {
      backend: 'hpc',
      workflow_name: 'billed',
      document: [{ id: 'work', command: 'sleep 2', cpus: 1, memory: '100M' }],
    });
    const r = await bed.untilFinished(run.id, { wake: 'hpc', timeoutMs: 90_000 });
    expect(r.status).toBe('completed');
    const task = r.items[0]!;

    // What Slurm's accounting says for the allocation, read on the cluster itself.
    const fromSacct = cluster.run(`sacct -n -P -X -j ${task.job_id} -o AllocTRES`).stdout.trim();
    expect(fromSacct).toMatch(/^billing=\d+,cpu=1,mem=100M,node=1$/);
    const stored = e.store.db.prepare('SELECT alloc_tres FROM attempts WHERE run_id = ? AND task_id = ?').get(run.id, 'work') as { alloc_tres: string };
    expect(stored.alloc_tres).toBe(fromSacct);

    const billing = Number(/billing=(\d+)/.exec(fromSacct)![1]);
    const hours = (Date.parse(task.finished_at!) - Date.parse(task.started_at!)) / 3_600_000;
    const cost = await e.api.invoke('runs.cost', { id: run.id });
    expect(cost).toMatchObject({ currency: 'core-hours', basis: 'allocation', costed_tasks: 1, uncosted_tasks: 0 });
    // billing_tres 3600 per billing-unit-hour = 1 per billing-unit-second.
    expect(cost.total).toBeCloseTo(billing * hours * 3600, 3);
    expect(cost.total).toBeGreaterThan(0);
  }, 180_000);
});
