// ShellBackend + Slurm dialect against a REAL Slurm 22.05 cluster (test/harness/slurm.ts): locally with
// LocalRunner (jobs run as root) and once through the harness sshd (jobs run as the test user).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slurmDialect } from '../../src-main/backends/dialects/slurm';
import { ShellBackend, type ShellBackendOptions } from '../../src-main/backends/shell/shell-backend';
import type { ScriptContext } from '../../src-main/backends/types';
import type { Verdict } from '../../src-main/model/verdict';
import { LocalRunner } from '../../src-main/transport/local-runner';
import { LoggedRunner, type CommandRunner } from '../../src-main/transport/runner';
import type { TaskDefinition } from '../../src-shared/workflow/types';
import { shouldSkipSlurm, startSlurmCluster, type SlurmCluster } from '../harness/slurm';
import { SshCliRunner } from '../harness/ssh-cli-runner';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const runId = `it${process.pid}`;
// Under root's real $HOME on purpose: proves `~` is resolved for #SBATCH --output (Slurm does not expand it).
const logRoot = `~/.cache/scripthut-it-${process.pid}`;

function task(id: string, command: string, over: Partial<TaskDefinition> = {}): TaskDefinition {
  return {
    id,
    name: `task ${id}`,
    command,
    working_dir: '~',
    partition: null,
    cpus: 1,
    memory: '100M',
    time_limit: '5:00',
    deps: [],
    gres: null,
    image: null,
    env: [],
    generates_source: null,
    output_file: null,
    error_file: null,
    retries: 0,
    ...over,
  };
}

function makeBackend(runner: CommandRunner, over: Partial<ShellBackendOptions> = {}): ShellBackend {
  return new ShellBackend('test-slurm', slurmDialect, runner, { maxConcurrent: 10, pollIntervalMs: 1000, logRoot, closeRunner: false, ...over });
}

async function submitTask(backend: ShellBackend, t: TaskDefinition, env: Array<[string, string]> = []) {
  const tag = `${runId}-${t.id}-1`;
  const logs = backend.defaultLogPaths(runId, t.id, 1);
  const ctx: ScriptContext = { runId, taskId: t.id, attempt: 1, jobName: t.id, tag, task: t, env, init: '', logs, outputDir: backend.outputDir(runId, t.id), workingDir: t.working_dir };
  const submittedAt = new Date().toISOString();
  const res = await backend.submit({ runId, taskId: t.id, attempt: 1, tag, jobName: t.id, task: t, script: backend.buildScript(ctx), logs });
  return { ...res, tag, logs, submittedAt };
}

async function waitVerdict(backend: ShellBackend, jobId: string, submittedAt: string, timeoutMs = 60_000): Promise<Verdict> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const v = (await backend.accounting([{ jobId, submittedAt }])).get(jobId);
    if (v) return v;
    await sleep(500);
  }
  throw new Error(`no verdict for job ${jobId} after ${timeoutMs} ms`);
}

async function waitQueueState(backend: ShellBackend, jobId: string, state: string, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const obs = (await backend.poll([jobId])).jobs.get(jobId);
    if (obs?.state === state) return obs;
    await sleep(300);
  }
  throw new Error(`job ${jobId} never reached queue state ${state}`);
}

describe.skipIf(shouldSkipSlurm())('ShellBackend on a real Slurm cluster', () => {
  let cluster: SlurmCluster;
  let backend: ShellBackend;
  let logged: LoggedRunner;
  const savedConf = process.env.SLURM_CONF;

  beforeAll(async () => {
    cluster = await startSlurmCluster();
    process.env.SLURM_CONF = cluster.slurmConf; // LocalRunner's bash inherits it
    logged = new LoggedRunner(new LocalRunner(), 'test-slurm', () => {});
    backend = makeBackend(logged);
  });

  afterAll(async () => {
    if (cluster) {
      cluster.run('scancel --full -u root');
      await cluster.stop();
    }
    if (savedConf === undefined) delete process.env.SLURM_CONF;
    else process.env.SLURM_CONF = savedConf;
    rmSync(join(process.env.HOME ?? '/root', `.cache/scripthut-it-${process.pid}`), { recursive: true, force: true });
  });

  it('runs a job to completion: exit 0, env exported, log and task output readable', async () => {
    const t = task('ok', 'echo "greeting=$GREETING"; echo result > "$SCRIPTHUT_OUTPUT_DIR/result.txt"');
    const sub = await submitTask(backend, t, [['GREETING', `it's "quoted" $(not run)`]]);
    expect(sub.jobId).toMatch(/^\d+$/);
    const v = await waitVerdict(backend, sub.jobId, sub.submittedAt);
    expect(v).toMatchObject({ outcome: 'completed', exitCode: 0, reason: null, schedulerState: 'COMPLETED' });
    expect(v.finishedAt).toMatch(/Z$/);
    const log = await backend.readLog(sub.logs.output, {});
    expect(log.missing).toBe(false);
    expect(log.content).toContain(`greeting=it's "quoted" $(not run)`);
    expect(log.content).toContain('Exit code: 0');
    expect(log.nextOffset).toBe(Buffer.byteLength(log.content));
    expect((await backend.readFile(`${backend.outputDir(runId, 'ok')}/result.txt`)).trim()).toBe('result');
    const tail = await backend.readLog(sub.logs.output, { tail: 1 });
    expect(tail.content.trim()).toBe('Exit code: 0');
    expect(tail.offset + Buffer.byteLength(tail.content)).toBe(log.nextOffset);
  });

  it('exit 3 → failed with exit code 3', async () => {
    const sub = await submitTask(backend, task('exit3', 'echo failing >&2; exit 3'));
    const v = await waitVerdict(backend, sub.jobId, sub.submittedAt);
    expect(v).toMatchObject({ outcome: 'failed', exitCode: 3, reason: 'Non-zero exit code', schedulerState: 'FAILED' });
    expect((await backend.readLog(sub.logs.error, {})).content).toContain('failing');
  });

  it('cancels a pending job (no exit code) and a running job', async () => {
    const blocker = cluster.run(`sbatch --parsable -c 2 -o /dev/null --wrap 'sleep 300'`).stdout.trim();
    try {
      const pending = await submitTask(backend, task('pend', 'echo never'));
      const obs = await waitQueueState(backend, pending.jobId, 'pending');
      expect(obs.rawState).toBe('PENDING');
      await backend.cancel(pending.jobId);
      expect(await waitVerdict(backend, pending.jobId, pending.submittedAt)).toMatchObject({ outcome: 'cancelled', exitCode: null, reason: 'Cancelled' });
    } finally {
      cluster.run(`scancel ${blocker}`);
    }
    const running = await submitTask(backend, task('run', 'echo started; sleep 300'));
    const obs = await waitQueueState(backend, running.jobId, 'running');
    expect(obs.startedAt).toMatch(/Z$/);
    await backend.cancel(running.jobId);
    expect(await waitVerdict(backend, running.jobId, running.submittedAt)).toMatchObject({ outcome: 'cancelled', schedulerState: 'CANCELLED' });
    // Cancelling again (already finished) is not an error.
    await backend.cancel(running.jobId);
  });

  it('follows the log of a running job by byte offset', async () => {
    const sub = await submitTask(backend, task('follow', 'for i in $(seq 1 40); do echo "line $i"; sleep 0.1; done'));
    await waitQueueState(backend, sub.jobId, 'running');
    let offset = 0;
    let collected = '';
    const until = Date.now() + 60_000;
    let reads = 0;
    for (;;) {
      const r = await backend.readLog(sub.logs.output, { offset });
      if (!r.missing) {
        expect(r.offset).toBe(offset);
        collected += r.content;
        offset = r.nextOffset;
        reads += 1;
      }
      if (collected.includes('Exit code:') || Date.now() > until) break;
      await sleep(250);
    }
    expect(reads).toBeGreaterThan(1);
    const whole = await backend.readLog(sub.logs.output, {});
    expect(collected).toBe(whole.content);
    expect(collected).toContain('line 40');
  });

  it('finds jobs by idempotency tag after a "crash" (new backend), in the queue and in accounting', async () => {
    const sub = await submitTask(backend, task('tagged', 'sleep 2'));
    const fresh = makeBackend(new LocalRunner());
    const found = await fresh.findByTags([sub.tag, `${runId}-never-submitted-1`]);
    expect(found.get(sub.tag)).toBe(sub.jobId);
    expect(found.has(`${runId}-never-submitted-1`)).toBe(false);
    await waitVerdict(backend, sub.jobId, sub.submittedAt);
    // Once the controller has forgotten the job (after MinJobAge), only accounting knows it.
    const queueForgot = new ShellBackend('test-slurm', { ...slurmDialect, queueCommand: () => 'true' }, new LocalRunner(), { maxConcurrent: 1, pollIntervalMs: 1000, logRoot });
    // slurmdbd records jobs asynchronously: under load the record can trail the verdict by a moment.
    let viaAccounting: string | undefined;
    for (let i = 0; i < 20 && viaAccounting === undefined; i++) {
      viaAccounting = (await queueForgot.findByTags([sub.tag])).get(sub.tag);
      if (viaAccounting === undefined) await new Promise((r) => setTimeout(r, 500));
    }
    expect(viaAccounting).toBe(sub.jobId);
  });

  it('polls with ONE squeue and accounts with ONE sacct, whatever the number of jobs', async () => {
    const subs = [];
    for (let i = 0; i < 5; i += 1) subs.push(await submitTask(backend, task(`many${i}`, 'sleep 1')));
    const ids = subs.map((s) => s.jobId);
    const before = logged.commandCounts().scheduler;
    const poll = await backend.poll(ids);
    expect(logged.commandCounts().scheduler - before).toBe(1);
    expect([...poll.jobs.keys()].sort()).toEqual([...ids].sort());
    expect(poll.external.map((e) => e.jobId)).not.toContain(ids[0]);
    for (const id of ids) await waitVerdict(backend, id, subs[0]!.submittedAt);
    const before2 = logged.commandCounts().scheduler;
    const verdicts = await backend.accounting(subs.map((s) => ({ jobId: s.jobId, submittedAt: s.submittedAt })));
    expect(logged.commandCounts().scheduler - before2).toBe(1);
    expect([...verdicts.values()].map((v) => v.outcome)).toEqual(['completed', 'completed', 'completed', 'completed', 'completed']);
  });

  it('falls back to scontrol when the cluster has no accounting', async () => {
    const sub = await submitTask(backend, task('noacct', 'exit 4'));
    await waitVerdict(backend, sub.jobId, sub.submittedAt);
    const noAccounting = { ...slurmDialect, accountingCommand: () => `echo 'sacct: error: Slurm accounting storage is disabled' >&2; exit 1` };
    const b = new ShellBackend('test-slurm', noAccounting, new LocalRunner(), { maxConcurrent: 1, pollIntervalMs: 1000, logRoot });
    expect((await b.accounting([{ jobId: sub.jobId, submittedAt: sub.submittedAt }])).get(sub.jobId)).toMatchObject({ outcome: 'failed', exitCode: 4 });
    // …and says so: the user sees why verdicts may come late or from the settling timer.
    expect(b.status().detail).toMatch(/accounting is disabled/i);
  });

  it('reports an sbatch rejection as "sbatch failed (exit N): …"', async () => {
    await expect(submitTask(backend, task('badpart', 'true', { partition: 'nosuchpartition' }))).rejects.toThrow(/sbatch failed \(exit 1\): .*invalid partition/i);
  });

  it('in a batched submit, a rejected job carries sbatch\'s own message and the others are submitted', async () => {
    // Submitted in the same turn, they leave together in one batched remote command.
    const results = await Promise.allSettled([
      submitTask(backend, task('batch-ok-1', 'true')),
      submitTask(backend, task('batch-ok-2', 'true')),
      submitTask(backend, task('batch-bad', 'true', { partition: 'nosuchpartition' })),
      submitTask(backend, task('batch-ok-3', 'true')),
      submitTask(backend, task('batch-bad-2', 'true', { partition: 'nosuchpartition2' })),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'rejected']);
    expect(String((results[2] as PromiseRejectedResult).reason)).toMatch(/sbatch failed \(exit 1\): .*invalid partition/i);
    expect(String((results[4] as PromiseRejectedResult).reason)).toMatch(/sbatch failed \(exit 1\): .*invalid partition/i);
    for (const r of results) if (r.status === 'fulfilled') expect(r.value.jobId).toMatch(/^\d+$/);
  });

  it('reports a missing log as missing, not as an error', async () => {
    expect(await backend.readLog('~/no/such/file.log', { tail: 10 })).toEqual({ content: '', offset: 0, nextOffset: 0, missing: true });
    await expect(backend.readFile('~/no/such/file')).rejects.toThrow(/cannot read ~\/no\/such\/file/);
  });

  it('works through the harness sshd as the test user (SLURM_CONF from SetEnv)', async () => {
    const ssh = new SshCliRunner({
      host: cluster.host,
      port: cluster.sshPort,
      user: cluster.user,
      privateKeyPath: cluster.clientKeyPath,
      knownHostsPath: join(cluster.dir, 'ssh', 'known_hosts'),
    });
    const remote = makeBackend(ssh, { logRoot: '~/.cache/scripthut/logs' });
    expect(await remote.remoteHome()).toBe(`/home/${cluster.user}`);
    const sub = await submitTask(remote, task('viassh', 'echo "I am $(id -un)"'));
    expect(await waitVerdict(remote, sub.jobId, sub.submittedAt)).toMatchObject({ outcome: 'completed', exitCode: 0 });
    expect((await remote.readLog(sub.logs.output, {})).content).toContain(`I am ${cluster.user}`);
    const poll = await remote.poll([]);
    expect(poll.external.every((e) => e.user === cluster.user)).toBe(true);
  });

  it.skipIf(!process.env.SCRIPTHUT_SLOW)('a job over its walltime ends as TIMEOUT (slow: 60–90 s)', async () => {
    const sub = await submitTask(backend, task('timeout', 'sleep 300', { time_limit: '1' }));
    expect(await waitVerdict(backend, sub.jobId, sub.submittedAt, 150_000)).toMatchObject({ outcome: 'failed', schedulerState: 'TIMEOUT', reason: 'Exceeded walltime' });
  }, 180_000);
});
