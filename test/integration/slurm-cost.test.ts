// Allocation units on a REAL Slurm (with accounting) over a REAL sshd: the engine stores each finished job's
// AllocTRES from sacct on its attempt, and `runs.cost` charges the `billing=` TRES at the backend's billing_tres rate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { shouldSkipSlurm, startSlurmCluster, type SlurmCluster } from '../harness/slurm';
import { startEngine, type RunningEngine } from '../../src-main/engine/start';
import { makeShellBackendFactory } from '../../src-main/engine/ssh-wiring';
import type { RunDetail } from '../../src-shared/api/schemas';

const skip = shouldSkipSlurm();

describe.skipIf(skip)('billing TRES from a real Slurm', () => {
  let cluster: SlurmCluster;
  let dir: string;
  let e: RunningEngine | null = null;

  beforeAll(async () => {
    cluster = await startSlurmCluster();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-slurm-cost-'));
    fs.writeFileSync(path.join(dir, 'known_hosts'), `[127.0.0.1]:${cluster.sshPort} ${cluster.hostPublicKey.trim()}\n`);
  }, 180_000);

  afterAll(async () => {
    await e?.close().catch(() => undefined);
    await cluster?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps AllocTRES (cpu=, mem=, node=, billing=) per attempt and costs the run by billing TRES', async () => {
    const configPath = path.join(dir, 'scripthut.yaml');
    fs.writeFileSync(
      configPath,
      `backends:\n  - name: hpc\n    type: slurm\n    poll_interval: 5\n    ssh:\n      host: 127.0.0.1\n      port: ${cluster.sshPort}\n      user: ${cluster.user}\n      key_path: ${cluster.clientKeyPath}\n    cost: {currency: core-hours, billing_tres: 3600}\n`,
    );
    e = await startEngine({
      dataDir: path.join(dir, 'data'),
      configPath,
      version: 'test',
      makeShellBackend: makeShellBackendFactory,
      sshOptions: { userKnownHostsPath: path.join(dir, 'known_hosts'), sshConfigPath: path.join(dir, 'no-ssh-config'), agentSocket: null },
    });
    const run = await e.api.invoke('runs.createFromWorkflow', {
      backend: 'hpc',
      workflow_name: 'billed',
      document: [{ id: 'work', command: 'sleep 2', cpus: 1, memory: '100M' }],
    });
    const end = Date.now() + 90_000;
    let r: RunDetail;
    for (;;) {
      r = await e.api.invoke('runs.get', { id: run.id });
      if (['completed', 'failed', 'cancelled'].includes(r.status)) break;
      if (Date.now() > end) throw new Error(`timed out; run is ${r.status}`);
      e.engine.wake('hpc');
      await new Promise((res) => setTimeout(res, 500));
    }
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
