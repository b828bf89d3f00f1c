// Found by trying the product with a real Slurm (poll_interval 5): a job that finished between two polls — never
// seen pending or running — stayed "submitted" while `squeue -t all` still listed it (MinJobAge, 300 s by default)
// although sacct had its verdict at once; its dependents waited for those minutes too. Real Slurm + real sshd.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shouldSkipSlurm, startSlurmCluster, type SlurmCluster } from '../harness/slurm';
import { startEngine, type RunningEngine } from '../../src-main/engine/start';
import { makeShellBackendFactory } from '../../src-main/engine/ssh-wiring';
import type { RunDetail } from '../../src-shared/api/schemas';

const skip = shouldSkipSlurm();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(skip)('a Slurm job that finished between two polls', () => {
  let cluster: SlurmCluster;
  let dir: string;
  let e: RunningEngine;

  beforeAll(async () => {
    cluster = await startSlurmCluster();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-tryout-fast-'));
    fs.writeFileSync(path.join(dir, 'known_hosts'), `[127.0.0.1]:${cluster.sshPort} ${cluster.hostPublicKey.trim()}\n`);
    const config = path.join(dir, 'scripthut.yaml');
    // A long interval: the test decides when the engine looks, so the job is surely over before its first poll.
    fs.writeFileSync(
      config,
      `backends:\n  - name: hpc\n    type: slurm\n    max_concurrent: 5\n    poll_interval: 600\n    ssh:\n      host: 127.0.0.1\n      port: ${cluster.sshPort}\n      user: ${cluster.user}\n      key_path: ${cluster.clientKeyPath}\n`,
    );
    e = await startEngine({
      dataDir: path.join(dir, 'data'),
      configPath: config,
      version: 'test',
      makeShellBackend: makeShellBackendFactory,
      sshOptions: { userKnownHostsPath: path.join(dir, 'known_hosts'), sshConfigPath: path.join(dir, 'no-ssh-config'), agentSocket: null },
    });
  }, 180_000);

  afterAll(async () => {
    await e?.close().catch(() => undefined);
    await cluster?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function until(runId: string, done: (r: RunDetail) => boolean, what: string, timeoutMs = 30_000): Promise<RunDetail> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const r = await e.api.invoke('runs.get', { id: runId });
      if (done(r)) return r;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; tasks: ${JSON.stringify(r.items.map((t) => [t.id, t.status, t.job_id, t.error]))}`);
      await sleep(300);
    }
  }

  it('gets its verdict from accounting at the next poll, and its dependents go on', async () => {
    // Let the start-up cycle (connect, first poll) end, so creating the run costs exactly one cycle: submit.
    const ready = Date.now() + 60_000;
    while ((await e.api.invoke('backends.list', {})).backends.find((b) => b.name === 'hpc')?.state !== 'connected') {
      if (Date.now() > ready) throw new Error('backend hpc never connected');
      await sleep(200);
    }
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
    const end = Date.now() + 60_000;
    while (!/^(FAILED\|3:0\nCOMPLETED\|0:0|COMPLETED\|0:0\nFAILED\|3:0)$/.test(cluster.run(`sacct -n -P -X -j ${jobs.join(',')} -o State,ExitCode`).stdout.trim())) {
      if (Date.now() > end) throw new Error(`jobs ${jobs.join(',')} did not finish in Slurm`);
      await sleep(300);
    }
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
