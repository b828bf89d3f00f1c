// Found by trying the product with a real Slurm over SSH: while the cluster's sshd is down, reading a task's log
// answered "internal" (HTTP 500, logged as an engine error) instead of "unavailable" (503) with the reason. The
// same outage also checks what a researcher expects: the backend says why it is disconnected, the run stays
// browsable, and after sshd is back the jobs that ended meanwhile get their true verdicts from sacct.
// Real Slurm + the real sshd (stopped and restarted by its pid file, with its open connections).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killPid } from '../harness/sshd';
import { shouldSkipSlurm, type SlurmCluster } from '../harness/slurm';
import { startSlurmEngine, type SlurmEngine } from '../helpers/slurm-engine';
import type { RunningEngine } from '../../src-main/engine/start';
import { startHost, type Host } from '../../src-main/host/server';
import type { RunDetail } from '../../src-shared/api/schemas';

const skip = shouldSkipSlurm();

describe.skipIf(skip)('a Slurm backend whose sshd goes away for a while', () => {
  let bed: SlurmEngine;
  let cluster: SlurmCluster;
  let e: RunningEngine;
  let host: Host;

  beforeAll(async () => {
    bed = await startSlurmEngine('sh-tryout-outage-', { name: 'hpc', type: 'slurm', max_concurrent: 5, poll_interval: 5 });
    ({ cluster, e } = bed);
    host = await startHost({ api: e.api, port: 0, rendererDir: null, version: 'test', logs: { store: e.store, backends: e.backends } });
  }, 180_000);

  afterAll(async () => {
    await host?.close();
    // Whatever happened, the cluster's sshd is running again for the next suite.
    const pidFile = cluster && path.join(cluster.dir, 'ssh', 'sshd.pid');
    if (cluster && (!fs.existsSync(pidFile) || !alive(Number(fs.readFileSync(pidFile, 'utf8').trim())))) await cluster.restartSshd();
    await bed?.close();
  }, 60_000);

  function alive(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  // Wakes the backend between tries, so a reconnect or a verdict need not wait out the poll interval.
  const until = <T>(what: string, get: () => Promise<T | null>, timeoutMs = 60_000) => bed.until(what, get, { timeoutMs, wake: 'hpc' });
  const statusOf = (r: RunDetail, id: string) => r.items.find((t) => t.id === id)?.status;

  it('says why it is disconnected, answers log reads with "unavailable", and settles true verdicts once back', async () => {
    const run = await e.api.invoke('runs.createFromWorkflow', {
      backend: 'hpc',
      workflow_name: 'outage',
      document: [
        { id: 'long', command: 'echo started; sleep 20; echo finished', memory: '100M' },
        { id: 'bad', command: 'sleep 12; echo oops >&2; exit 3', memory: '100M' },
      ],
    });
    await until('both jobs running', async () => {
      const r = await e.api.invoke('runs.get', { id: run.id });
      return statusOf(r, 'long') === 'running' && statusOf(r, 'bad') === 'running' ? r : null;
    });

    // sshd down: the listener by its pid file, and the connections it forked (the engine's open session).
    const listener = Number(fs.readFileSync(path.join(cluster.dir, 'ssh', 'sshd.pid'), 'utf8').trim());
    const children = execFileSync('pgrep', ['-P', String(listener)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
    await killPid(listener);
    for (const c of children) await killPid(c);

    const down = await until('the backend to read disconnected', async () => {
      const b = (await e.api.invoke('backends.list', {})).backends.find((x) => x.name === 'hpc');
      return b && !b.connected && b.detail ? b : null;
    });
    expect(down.detail).toMatch(/lost|cannot connect|ECONNREFUSED|not connected/);

    // History stays browsable; the live log cannot be read, and says so as "unavailable" with the reason.
    expect((await e.api.invoke('runs.get', { id: run.id })).items).toHaveLength(2);
    // Over HTTP, as the UI and the CLI read it: the tail and the whole-file download.
    for (const url of [`/api/v1/runs/${run.id}/tasks/long/logs`, `/api/v1/runs/${run.id}/tasks/long/log/raw?type=output`]) {
      const res = await fetch(`http://127.0.0.1:${host.port}${url}`, { headers: { authorization: `Bearer ${host.token}` } });
      const body = (await res.json()) as { code: string; message: string };
      expect({ url, status: res.status, code: body.code }).toEqual({ url, status: 503, code: 'unavailable' });
      expect(body.message).toMatch(/lost|cannot connect|ECONNREFUSED|not connected/);
    }

    // Both jobs end while the app cannot see them.
    const jobs = (await e.api.invoke('runs.get', { id: run.id })).items.map((t) => t.job_id as string);
    await until('both jobs to end in Slurm', async () => (/^(\S+\|\S+\n)*\S+\|\S+$/.test(cluster.run(`sacct -n -P -X -j ${jobs.join(',')} -o State,ExitCode`).stdout.trim()) && !/RUNNING|PENDING/.test(cluster.run(`sacct -n -P -X -j ${jobs.join(',')} -o State`).stdout) ? true : null), 90_000);

    await cluster.restartSshd();
    const r = await until('the run to finish after the reconnect', async () => {
      const x = await e.api.invoke('runs.get', { id: run.id });
      return ['completed', 'failed', 'cancelled'].includes(x.status) ? x : null;
    }, 240_000);
    expect((await e.api.invoke('backends.list', {})).backends.find((x) => x.name === 'hpc')?.connected).toBe(true);
    const by = Object.fromEntries(r.items.map((t) => [t.id, t]));
    expect(by.long).toMatchObject({ status: 'completed', exit_code: 0 });
    expect(by.bad).toMatchObject({ status: 'failed', exit_code: 3 });
    for (const t of r.items) {
      const acct = cluster.run(`sacct -n -P -X -j ${t.job_id} -o State,ExitCode`).stdout.trim();
      expect(acct).toBe(t.id === 'long' ? 'COMPLETED|0:0' : 'FAILED|3:0');
    }
  }, 420_000);
});
