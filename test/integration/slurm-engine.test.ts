// The whole path against a REAL Slurm (with accounting) reached over a REAL sshd on 127.0.0.1: engine → SSH broker →
// Slurm dialect → sbatch/squeue/sacct. Skips with a message where the harness cannot run (not Linux/root, packages
// missing) and fails instead when SCRIPTHUT_REQUIRE_SLURM=1 (CI).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { shouldSkipSlurm, startSlurmCluster, type SlurmCluster } from '../harness/slurm';
import { clusterBackendYaml, knownHostsLine, startClusterEngine, untilRun } from '../helpers/slurm-engine';
import type { RunningEngine } from '../../src-main/engine/start';
import type { RunDetail } from '../../src-shared/api/schemas';
import { isTerminalRun } from '../../src-shared/model/status';
import type { EngineEvent } from '../../src-shared/api/contract';

const skip = shouldSkipSlurm();

describe.skipIf(skip)('engine on a real Slurm over SSH', () => {
  let cluster: SlurmCluster;
  let dir: string;
  const engines: RunningEngine[] = [];

  beforeAll(async () => {
    cluster = await startSlurmCluster();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-slurm-engine-'));
    fs.writeFileSync(path.join(dir, 'known_hosts'), knownHostsLine(cluster));
  }, 180_000);

  afterAll(async () => {
    for (const e of engines) await e.close().catch(() => undefined);
    await cluster?.stop();
  });

  function configFile(name: string, extra = ''): string {
    const file = path.join(dir, `${name}.yaml`);
    fs.writeFileSync(
      file,
      `backends:\n${clusterBackendYaml(cluster, { name: 'hpc', type: 'slurm', max_concurrent: 20, poll_interval: 5 })}${extra}`,
    );
    return file;
  }

  async function engine(dataDir: string, opts: { knownHosts?: string | null; config?: string } = {}): Promise<RunningEngine> {
    const e = await startClusterEngine(dataDir, opts.config ?? configFile('base'), opts.knownHosts === undefined ? path.join(dir, 'known_hosts') : opts.knownHosts, dir);
    engines.push(e);
    return e;
  }

  /** Poll the run, nudging the backend's cycle (its configured interval is 5 s) until `done` holds. */
  const until = (e: RunningEngine, runId: string, done: (r: RunDetail) => boolean) => untilRun(e, runId, done, { timeoutMs: 90_000, wake: 'hpc' });
  const finished = (r: RunDetail) => isTerminalRun(r.status);

  it('runs a workflow: completed, exit 3 → failed with code 3, dep_failed downstream, logs readable', async () => {
    const e = await engine(path.join(dir, 'data-basic'));
    const run = await e.api.invoke('runs.createFromWorkflow', {
      backend: 'hpc',
      workflow_name: 'basic',
      document: [
        { id: 'ok', command: 'echo "hello from slurm on $(hostname)"' },
        { id: 'bad', command: 'echo failing >&2; exit 3' },
        { id: 'after-bad', command: 'echo never', deps: ['bad'] },
        { id: 'after-ok', command: 'echo "second step"', deps: ['ok'] },
      ],
    });
    const r = await until(e, run.id, finished);
    const by = Object.fromEntries(r.items.map((t) => [t.id, t]));
    expect(r.status).toBe('failed');
    expect(by.ok).toMatchObject({ status: 'completed', exit_code: 0 });
    expect(by.ok?.job_id).toMatch(/^\d+$/);
    expect(by.bad).toMatchObject({ status: 'failed', exit_code: 3 });
    expect(by['after-bad']).toMatchObject({ status: 'dep_failed' });
    expect(by['after-ok']).toMatchObject({ status: 'completed', exit_code: 0 });
    const log = await e.api.invoke('tasks.log', { run_id: run.id, task_id: 'ok' });
    expect(log.content).toContain('hello from slurm on');
    const err = await e.api.invoke('tasks.log', { run_id: run.id, task_id: 'bad', type: 'error' });
    expect(err.content).toContain('failing');
    const script = await e.api.invoke('tasks.script', { run_id: run.id, task_id: 'ok' });
    expect(script.script).toContain('#SBATCH');
    expect(script.script).toContain('set -o pipefail');
    // Accounting agrees with what the app shows.
    const sacct = cluster.run(`sacct -n -P -X -j ${by.bad?.job_id} -o State,ExitCode`).stdout.trim();
    expect(sacct).toBe('FAILED|3:0');
    // Polls are one squeue per cycle, not one per job.
    const cmds = await e.api.invoke('backends.commands', { name: 'hpc', limit: 1000 });
    const squeues = cmds.commands.filter((c) => /\bsqueue\b/.test(c.command) && !/--jobs?=/.test(c.command)).length;
    // Overlapping submissions share one remote command: count the sbatch invocations inside them.
    const sbatches = cmds.commands.reduce((n, c) => n + (c.command.match(/\bsbatch --parsable\b/g)?.length ?? 0), 0);
    expect(sbatches).toBe(3); // after-bad is never submitted
    expect(squeues).toBeGreaterThan(0);
    expect(cmds.counts.scheduler).toBeGreaterThan(0);
  }, 120_000);

  it('follows a running task log by offset and cancels a run with a running and a pending task', async () => {
    const e = await engine(path.join(dir, 'data-cancel'));
    const run = await e.api.invoke('runs.createFromWorkflow', {
      backend: 'hpc',
      workflow_name: 'follow-cancel',
      document: [
        { id: 'ticker', command: 'for i in $(seq 1 200); do echo "tick $i"; sleep 0.2; done' },
        { id: 'later', command: 'echo later', deps: ['ticker'] },
      ],
    });
    await until(e, run.id, (r) => r.items.find((t) => t.id === 'ticker')?.status === 'running');
    let offset = 0;
    let text = '';
    for (let i = 0; i < 20 && !text.includes('tick 5'); i++) {
      const chunk = await e.api.invoke('tasks.log', { run_id: run.id, task_id: 'ticker', offset });
      expect(chunk.offset).toBe(offset);
      text += chunk.content;
      offset = chunk.next_offset;
      await new Promise((res) => setTimeout(res, 500));
    }
    expect(text).toMatch(/tick 1\n[\s\S]*tick 5/);
    expect(text.match(/tick 1\n/g)?.length).toBe(1); // followed, never re-read from the start
    const jobId = (await e.api.invoke('runs.get', { id: run.id })).items.find((t) => t.id === 'ticker')?.job_id as string;
    await e.api.invoke('runs.cancel', { id: run.id });
    const r = await until(e, run.id, finished);
    expect(r.status).toBe('cancelled');
    expect(r.items.find((t) => t.id === 'ticker')?.status).toBe('cancelled');
    expect(r.items.find((t) => t.id === 'later')?.status).toBe('cancelled');
    expect(cluster.run(`squeue -h -j ${jobId} -o %T`).stdout.trim()).not.toMatch(/RUNNING|PENDING/);
  }, 120_000);

  it('a job outlives an engine restart, and an sshd restart mid-run causes no false failure or duplicate', async () => {
    const dataDir = path.join(dir, 'data-restart');
    let e = await engine(dataDir);
    const run = await e.api.invoke('runs.createFromWorkflow', { backend: 'hpc', workflow_name: 'restart', document: [{ id: 'slow', command: 'sleep 6; echo done-sleeping' }, { id: 'next', command: 'echo next', deps: ['slow'] }] });
    await until(e, run.id, (r) => r.items[0]?.status === 'running' || r.items[0]?.status === 'queued');
    const jobId = (await e.api.invoke('runs.get', { id: run.id })).items[0]?.job_id;
    await e.close();
    e = await engine(dataDir);
    await cluster.restartSshd();
    const r = await until(e, run.id, finished);
    expect(r.status).toBe('completed');
    expect(r.items[0]?.job_id).toBe(jobId);
    expect(r.items.every((t) => t.attempt === 1)).toBe(true);
    const attempts = await e.api.invoke('tasks.attempts', { run_id: run.id, task_id: 'slow' });
    expect(attempts.attempts).toHaveLength(1);
    const log = await e.api.invoke('tasks.log', { run_id: run.id, task_id: 'slow' });
    expect(log.content).toContain('done-sleeping');
  }, 150_000);

  it('shows jobs submitted outside the app with their owner, and drops them when they leave the queue', async () => {
    const e = await engine(path.join(dir, 'data-external'));
    const sub = cluster.ssh(`sbatch --parsable --job-name=by-hand --wrap 'sleep 120' -o /dev/null`);
    expect(sub.exitCode).toBe(0);
    const jobId = sub.stdout.trim().split(';')[0] as string;
    const find = async () => (await e.api.invoke('jobs.external', { backend: 'hpc' })).jobs.find((j) => j.job_id === jobId);
    let job = await find();
    for (let i = 0; i < 40 && !job; i++) {
      e.engine.wake('hpc');
      await new Promise((res) => setTimeout(res, 250));
      job = await find();
    }
    expect(job).toMatchObject({ name: 'by-hand', user: cluster.user });
    expect(job?.state).toMatch(/PENDING|RUNNING/);
    cluster.run(`scancel ${jobId}`);
    for (let i = 0; i < 40 && job; i++) {
      e.engine.wake('hpc');
      await new Promise((res) => setTimeout(res, 250));
      job = await find();
    }
    expect(job).toBeUndefined();
    const all = await e.api.invoke('jobs.external', { backend: 'hpc', include_gone: true });
    expect(all.jobs.find((j) => j.job_id === jobId)?.gone_at).toBeTruthy();
  }, 60_000);

  it('asks about an unknown host key through the contract, remembers it, and refuses a changed key', async () => {
    const dataDir = path.join(dir, 'data-hostkey');
    const empty = path.join(dir, 'empty_known_hosts');
    fs.writeFileSync(empty, '');
    const e = await engine(dataDir, { knownHosts: empty });
    const prompts: EngineEvent[] = [];
    e.api.subscribe((ev) => {
      if (ev.event === 'prompt') {
        prompts.push(ev);
        void e.api.invoke('prompts.respond', { id: (ev.payload as { id: string }).id, answers: ['yes'] });
      }
    });
    const run = await e.api.invoke('runs.createFromWorkflow', { backend: 'hpc', document: [{ id: 'hi', command: 'echo hi' }] });
    const r = await until(e, run.id, finished);
    expect(r.status).toBe('completed');
    expect(prompts).toHaveLength(1);
    const p = prompts[0]?.payload as { kind: string; fingerprint: string; host: string };
    expect(p.kind).toBe('host-key');
    expect(p.fingerprint).toMatch(/^SHA256:/);
    const expected = execFileSync('ssh-keygen', ['-lf', '-'], { input: cluster.hostPublicKey }).toString().split(' ')[1];
    expect(p.fingerprint).toBe(expected);
    expect(fs.readFileSync(path.join(dataDir, 'known_hosts'), 'utf8')).toContain(cluster.hostPublicKey.trim().split(' ')[1] as string);
    await e.close();

    // Same data folder: remembered, no second question.
    const again = await engine(dataDir, { knownHosts: empty });
    let asked = 0;
    again.api.subscribe((ev) => {
      if (ev.event === 'prompt') asked++;
    });
    const run2 = await again.api.invoke('runs.createFromWorkflow', { backend: 'hpc', document: [{ id: 'hi', command: 'echo hi' }] });
    expect((await until(again, run2.id, finished)).status).toBe('completed');
    expect(asked).toBe(0);
    await again.close();

    // A different key for the same host:port is refused, loudly, and nothing is submitted.
    const other = path.join(dir, 'other-key');
    fs.rmSync(other, { force: true });
    fs.rmSync(`${other}.pub`, { force: true });
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const wrong = path.join(dir, 'wrong_known_hosts');
    fs.writeFileSync(wrong, `[127.0.0.1]:${cluster.sshPort} ${fs.readFileSync(`${other}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ')}\n`);
    const refused = await engine(path.join(dir, 'data-hostkey-changed'), { knownHosts: wrong });
    let promptedOnChange = 0;
    refused.api.subscribe((ev) => {
      if (ev.event === 'prompt') promptedOnChange++;
    });
    const run3 = await refused.api.invoke('runs.createFromWorkflow', { backend: 'hpc', document: [{ id: 'hi', command: 'echo hi' }] });
    let status = await refused.api.invoke('backends.status', { name: 'hpc' });
    for (let i = 0; i < 40 && !/HOST KEY CHANGED/i.test(status.detail ?? ''); i++) {
      refused.engine.wake('hpc');
      await new Promise((res) => setTimeout(res, 250));
      status = await refused.api.invoke('backends.status', { name: 'hpc' });
    }
    expect(status.detail ?? '').toMatch(/HOST KEY CHANGED/i);
    expect(promptedOnChange).toBe(0);
    const r3 = await refused.api.invoke('runs.get', { id: run3.id });
    expect(r3.items[0]?.job_id).toBeNull();
  }, 150_000);
});
