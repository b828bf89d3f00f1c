// The local backend with real processes: detached supervisors, spool files, signals, and a second backend
// instance standing in for a restarted engine.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { LocalBackend as RealLocalBackend, LOST_REASON, type LocalBackendOptions } from '../../src-main/backends/local';
import { jobIdForTag } from '../../src-main/backends/local/spool';
import type { ScriptContext, SubmitRequest } from '../../src-main/backends/types';
import type { TaskDefinition } from '../../src-shared/workflow/types';

const roots: string[] = [];
let dataDir: string;
let work: string;
const startedGroups: number[] = [];

beforeEach(() => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'scripthut-local-'));
  roots.push(root);
  dataDir = path.join(root, 'data');
  work = path.join(root, 'work');
  mkdirSync(work, { recursive: true });
});

afterEach(() => {
  // Kill whatever a failed test left behind (only groups this file started).
  for (const pgid of startedGroups.splice(0)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function task(id: string, command: string): TaskDefinition {
  return {
    id,
    name: `Task ${id}`,
    command,
    working_dir: work,
    partition: null,
    cpus: 1,
    memory: '1G',
    time_limit: '0:10:00',
    deps: [],
    gres: null,
    image: null,
    env: [],
    generates_source: null,
    output_file: null,
    error_file: null,
    retries: 0,
  };
}

async function submit(backend: RealLocalBackend, id: string, command: string, env: Array<[string, string]> = []) {
  const req = request(backend, id, command, env);
  const result = await backend.submit(req);
  return { ...result, tag: req.tag, logs: req.logs };
}

function request(backend: RealLocalBackend, id: string, command: string, env: Array<[string, string]> = []): SubmitRequest {
  const runId = 'run1';
  const logs = backend.defaultLogPaths(runId, id, 1);
  const t = task(id, command);
  const tag = `sh-${runId}-${id}-1`;
  const ctx: ScriptContext = {
    runId,
    taskId: id,
    attempt: 1,
    jobName: `${runId}/${id}`,
    tag,
    task: t,
    env,
    init: '',
    logs,
    outputDir: backend.outputDir(runId, id),
    workingDir: work,
  };
  return { runId, taskId: id, attempt: 1, tag, jobName: ctx.jobName, task: t, script: backend.buildScript(ctx), logs };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function supervisorPid(backend: RealLocalBackend, jobId: string): number {
  return Number(readFileSync(path.join(backend.jobDir(jobId), 'pid'), 'utf8').split(' ')[0]);
}

/** The launcher that reaps the job (third line of the pid file a reaper writes). */
function reaperPid(backend: RealLocalBackend, jobId: string): number {
  const line = readFileSync(path.join(backend.jobDir(jobId), 'pid'), 'utf8').split('\n')[2] ?? '';
  const pid = Number(line.split(' ')[1]);
  if (!(pid > 1)) throw new Error(`no reaper in the pid file of ${jobId}: ${JSON.stringify(line)}`);
  return pid;
}

/** Gone = no such process, or a zombie (finished, waiting for a parent that may never reap it). */
function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

async function waitRunning(backend: RealLocalBackend, jobId: string) {
  await waitFor('job running', async () => (await backend.poll([jobId])).jobs.get(jobId)?.state === 'running');
  startedGroups.push(supervisorPid(backend, jobId));
}

async function waitLeft(backend: RealLocalBackend, jobId: string) {
  await waitFor('job left the queue', async () => !(await backend.poll([jobId])).jobs.has(jobId));
}

const gate = () => path.join(work, 'go');
const waitGate = () => `while [ ! -e ${gate()} ]; do sleep 0.05; done`;

// Every behaviour holds on both ways of starting jobs: the launcher reaping them itself (bash >= 5.1, the default
// here) and a bash supervisor per job (older bash, e.g. macOS /bin/bash 3.2).
describe.each(['auto', 'supervisor'] as const)('LocalBackend (launcher mode %s)', (launcherMode) => {
  const reaper = launcherMode === 'auto';
  class LocalBackend extends RealLocalBackend {
    constructor(opts: LocalBackendOptions) {
      super({ launcherMode, ...opts });
    }
  }

  it('runs a job to completion: running, then gone from the queue, then completed with its log', async () => {
    const b = new LocalBackend({ name: 'local', dataDir });
    const job = await submit(b, 'hello', `echo "hello from $SCRIPTHUT_OUTPUT_DIR"\n${waitGate()}\necho done-now`);
    await waitRunning(b, job.jobId);
    expect((await b.poll([job.jobId])).external).toEqual([]);
    // No verdict while it is still running.
    expect((await b.accounting([{ jobId: job.jobId, submittedAt: '' }])).has(job.jobId)).toBe(false);

    writeFileSync(gate(), '');
    await waitLeft(b, job.jobId);
    const v = (await b.accounting([{ jobId: job.jobId, submittedAt: '' }])).get(job.jobId);
    expect(v).toMatchObject({ outcome: 'completed', exitCode: 0, reason: null });
    expect(v?.startedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(v?.finishedAt).toMatch(/^\d{4}-\d\d-\d\dT/);

    const log = await b.readLog(job.logs.output, {});
    expect(log.missing).toBe(false);
    expect(log.content).toContain(`hello from ${b.outputDir('run1', 'hello')}`);
    expect(log.content).toContain('done-now');
    expect(log.content).toContain('Exit code: 0');
    expect(job.logs.output).toBe(path.join(dataDir, 'logs', 'run1', 'hello.1.out'));
  });

  it('reports a non-zero exit as failed with its exit code, and stderr lands in the error log', async () => {
    const b = new LocalBackend({ name: 'local', dataDir });
    const job = await submit(b, 'three', 'echo oops >&2\nexit 3');
    await waitLeft(b, job.jobId);
    const v = await waitFor('verdict', async () => (await b.accounting([{ jobId: job.jobId, submittedAt: '' }])).get(job.jobId));
    expect(v).toMatchObject({ outcome: 'failed', exitCode: 3, reason: 'Non-zero exit code' });
    expect((await b.readLog(job.logs.error, {})).content).toContain('oops');
  });

  it('reports a job whose supervisor was SIGKILLed as lost, never completed', async () => {
    const b = new LocalBackend({ name: 'local', dataDir });
    const job = await submit(b, 'victim', 'sleep 300');
    await waitRunning(b, job.jobId);
    // Under a reaper the launcher is the job's supervisor: killed, nobody records the job's exit any more.
    if (reaper) process.kill(reaperPid(b, job.jobId), 'SIGKILL');
    process.kill(-supervisorPid(b, job.jobId), 'SIGKILL');
    await waitLeft(b, job.jobId);
    const v = (await b.accounting([{ jobId: job.jobId, submittedAt: '' }])).get(job.jobId);
    expect(v).toMatchObject({ outcome: 'failed', exitCode: null, reason: LOST_REASON });
  });

  it('cancel kills the whole process group (children too) and the verdict is cancelled', async () => {
    const b = new LocalBackend({ name: 'local', dataDir, cancelGraceMs: 5000 });
    const childPidFile = path.join(work, 'child.pid');
    const job = await submit(b, 'sleeper', `sleep 300 &\necho $! > ${childPidFile}\nwait`);
    await waitRunning(b, job.jobId);
    const child = Number(await waitFor('child pid', async () => existsSync(childPidFile) && readFileSync(childPidFile, 'utf8').trim()));
    const supervisor = supervisorPid(b, job.jobId);
    expect(processGone(child)).toBe(false);

    await b.cancel(job.jobId);
    await waitFor('sleep child gone', async () => processGone(child));
    expect(processGone(supervisor)).toBe(true);
    await waitLeft(b, job.jobId);
    const v = (await b.accounting([{ jobId: job.jobId, submittedAt: '' }])).get(job.jobId);
    // The supervisor outlived the TERM and recorded the job's signal exit (128 + 15).
    expect(v).toMatchObject({ outcome: 'cancelled', reason: 'Cancelled', exitCode: 143 });
  });

  it('cancel escalates to SIGKILL when the job ignores SIGTERM', async () => {
    const b = new LocalBackend({ name: 'local', dataDir, cancelGraceMs: 300 });
    const childPidFile = path.join(work, 'stubborn.pid');
    const job = await submit(b, 'stubborn', `trap '' TERM\nsleep 300 &\necho $! > ${childPidFile}\nwait`);
    await waitRunning(b, job.jobId);
    const child = Number(await waitFor('child pid', async () => existsSync(childPidFile) && readFileSync(childPidFile, 'utf8').trim()));
    await b.cancel(job.jobId);
    await waitFor('stubborn child gone', async () => processGone(child));
    await waitLeft(b, job.jobId);
    // A supervisor in the job's group dies with it (no exit code); a reaper outside it records the SIGKILL.
    expect((await b.accounting([{ jobId: job.jobId, submittedAt: '' }])).get(job.jobId)).toMatchObject({ outcome: 'cancelled', exitCode: reaper ? 137 : null });
  });

  it('a job killed by SIGKILL (as the OOM killer does) fails with 128 + 9, and the launcher is named in the pid file only when it reaps', async () => {
    const b = new LocalBackend({ name: 'local', dataDir });
    const job = await submit(b, 'oom', 'sleep 300');
    await waitRunning(b, job.jobId);
    const pidFile = readFileSync(path.join(b.jobDir(job.jobId), 'pid'), 'utf8');
    expect(pidFile.includes('\nreaper ')).toBe(reaper);
    if (!reaper) return; // (a supervisor's own group would die with the job: covered by the lost test above)
    process.kill(-supervisorPid(b, job.jobId), 'SIGKILL');
    await waitLeft(b, job.jobId);
    expect((await b.accounting([{ jobId: job.jobId, submittedAt: '' }])).get(job.jobId)).toMatchObject({ outcome: 'failed', exitCode: 137, reason: 'Killed by signal 9' });
  });

  it('a spool folder whose supervisor never started is pending, then lost after the start grace', async () => {
    // Simulates an engine crash between creating the spool folder and spawning the supervisor.
    const patient = new LocalBackend({ name: 'local', dataDir });
    const jobId = 'sh-run1-orphan-1';
    mkdirSync(patient.jobDir(jobId), { recursive: true });
    writeFileSync(path.join(patient.jobDir(jobId), 'meta.json'), JSON.stringify({ tag: jobId, submitted_at: new Date().toISOString() }));
    expect((await patient.poll([jobId])).jobs.get(jobId)?.state).toBe('pending');
    expect((await patient.accounting([{ jobId, submittedAt: '' }])).has(jobId)).toBe(false);

    const impatient = new LocalBackend({ name: 'local', dataDir, startGraceMs: 0 });
    expect((await impatient.poll([jobId])).jobs.has(jobId)).toBe(false);
    const v = (await impatient.accounting([{ jobId, submittedAt: '' }])).get(jobId);
    expect(v).toMatchObject({ outcome: 'failed', exitCode: null });
    expect(v?.reason).toMatch(/^lost: /);
    // Unknown ids: no evidence, no verdict.
    expect((await impatient.accounting([{ jobId: 'sh-never-submitted', submittedAt: '' }])).size).toBe(0);
  });

  it('findByTags starts a job whose engine died before starting it, exactly once', async () => {
    const b = new LocalBackend({ name: 'local', dataDir });
    const counter = path.join(work, 'runs.txt');
    const first = await submit(b, 'counted', `echo ran >> ${counter}`);
    for (let i = 0; i < 100 && !existsSync(path.join(b.jobDir(first.jobId), 'rc')); i++) await new Promise((r) => setTimeout(r, 50));
    // The crash window: a complete spool folder (as `submit` renames it into place) but no supervisor yet.
    const tag = 'sh-run1-crashed-a1';
    const dir = b.jobDir(tag);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'script.sh'), readFileSync(path.join(b.jobDir(first.jobId), 'script.sh')), { mode: 0o700 });
    // The supervisor carries the job's facts (its tag among them) on its meta line.
    const supervisor = readFileSync(path.join(b.jobDir(first.jobId), 'supervise.sh'), 'utf8');
    expect(supervisor).toContain(`"tag":"${first.tag}"`);
    writeFileSync(path.join(dir, 'supervise.sh'), supervisor.replace(`"tag":"${first.tag}"`, `"tag":"${tag}"`), { mode: 0o700 });
    const restarted = new LocalBackend({ name: 'local', dataDir });
    expect((await restarted.findByTags([tag])).get(tag)).toBe(tag);
    await restarted.findByTags([tag]);
    for (let i = 0; i < 100 && !existsSync(path.join(dir, 'rc')); i++) await new Promise((r) => setTimeout(r, 50));
    await restarted.findByTags([tag]);
    await new Promise((r) => setTimeout(r, 300));
    expect((await restarted.accounting([{ jobId: tag, submittedAt: '' }])).get(tag)).toMatchObject({ outcome: 'completed', exitCode: 0 });
    expect(readFileSync(counter, 'utf8')).toBe('ran\nran\n');
  });

  it('a new backend instance on the same data folder adopts a running job and sees it finish', async () => {
    const first = new LocalBackend({ name: 'local', dataDir });
    const job = await submit(first, 'adopted', `${waitGate()}\nexit 0`);
    await waitRunning(first, job.jobId);
    await first.close();

    const second = new LocalBackend({ name: 'local', dataDir });
    expect(await second.findByTags([job.tag])).toEqual(new Map([[job.tag, job.jobId]]));
    expect((await second.poll([job.jobId])).jobs.get(job.jobId)?.state).toBe('running');
    writeFileSync(gate(), '');
    await waitLeft(second, job.jobId);
    expect((await second.accounting([{ jobId: job.jobId, submittedAt: '' }])).get(job.jobId)).toMatchObject({ outcome: 'completed', exitCode: 0 });
  });

  it('a job survives its engine process being SIGKILLed and is adopted by the next one', async () => {
    // A real engine process: bundle a tiny submitter, run it with node, kill it with SIGKILL once submitted.
    const entry = path.join(path.dirname(dataDir), 'engine.mjs');
    const backendModule = path.resolve(__dirname, '../../src-main/backends/local/index.ts');
    const contents = `
      import { LocalBackend } from ${JSON.stringify(backendModule)};
      const [dataDir, work, gate, launcherMode] = process.argv.slice(2);
      const b = new LocalBackend({ name: 'local', dataDir, launcherMode });
      const logs = b.defaultLogPaths('run9', 'survivor', 1);
      const task = { id: 'survivor', name: 'survivor', command: 'while [ ! -e ' + gate + ' ]; do sleep 0.05; done; echo survived',
        working_dir: work, partition: null, cpus: 1, memory: '1G', time_limit: '1:00', deps: [], gres: null, image: null,
        env: [], generates_source: null, output_file: null, error_file: null, retries: 0 };
      const ctx = { runId: 'run9', taskId: 'survivor', attempt: 1, jobName: 'survivor', tag: 'sh-run9-survivor-1', task,
        env: [], init: '', logs, outputDir: null, workingDir: work };
      const r = await b.submit({ runId: 'run9', taskId: 'survivor', attempt: 1, tag: ctx.tag, jobName: 'survivor', task,
        script: b.buildScript(ctx), logs });
      console.log(r.jobId);
      setInterval(() => {}, 1000); // stay alive like an engine until killed
    `;
    await build({ stdin: { contents, resolveDir: process.cwd(), loader: 'ts' }, bundle: true, platform: 'node', format: 'esm', outfile: entry, logLevel: 'silent' });
    const engine = spawn(process.execPath, [entry, dataDir, work, gate(), launcherMode], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    engine.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const jobId = await waitFor('engine to submit', async () => out.includes('\n') && out.trim());
    const exited = new Promise((r) => engine.once('exit', r));
    engine.kill('SIGKILL');
    await exited;

    const next = new LocalBackend({ name: 'local', dataDir });
    expect(await next.findByTags(['sh-run9-survivor-1'])).toEqual(new Map([['sh-run9-survivor-1', jobId]]));
    await waitRunning(next, jobId);
    writeFileSync(gate(), '');
    await waitLeft(next, jobId);
    expect((await next.accounting([{ jobId, submittedAt: '' }])).get(jobId)).toMatchObject({ outcome: 'completed', exitCode: 0 });
    expect((await next.readLog(next.defaultLogPaths('run9', 'survivor', 1).output, {})).content).toContain('survived');
    // The dead engine's launcher wrote the rc (the verdict above came from it) and, its input closed and its last
    // job reaped, went away.
    expect(readFileSync(path.join(next.jobDir(jobId), 'rc'), 'utf8')).toMatch(/^0\n/);
    if (reaper) {
      const launcher = reaperPid(next, jobId);
      await waitFor('the orphaned launcher to exit', async () => processGone(launcher));
    }
  });

  it('findByTags finds submitted tags only, and submitting the same tag twice starts one job', async () => {
    const b = new LocalBackend({ name: 'local', dataDir });
    const counter = path.join(work, 'count');
    const a = await submit(b, 'once', `echo x >> ${counter}`);
    const again = await submit(b, 'once', `echo x >> ${counter}`);
    expect(again.jobId).toBe(a.jobId);
    const found = await b.findByTags([a.tag, 'sh-run1-never-1', 'weird tag/with:chars']);
    expect(found).toEqual(new Map([[a.tag, a.jobId]]));
    await waitLeft(b, a.jobId);
    await waitFor('verdict', async () => (await b.accounting([{ jobId: a.jobId, submittedAt: '' }])).get(a.jobId));
    expect(readFileSync(counter, 'utf8')).toBe('x\n');
    // Another backend name has its own spool.
    expect(await new LocalBackend({ name: 'other', dataDir }).findByTags([a.tag])).toEqual(new Map());
  });

  it('a spool folder left half-written (no supervisor, or one cut before its meta line) is not found and is written again on submit', async () => {
    const b = new LocalBackend({ name: 'local', dataDir });
    const counter = path.join(work, 'count-half');
    for (const [id, leftover] of [
      ['half-empty', null],
      ['half-cut', '#!/bin/bash\n# scripthut-meta: {"tag":"sh-run1-half-cut-1"'],
    ] as const) {
      const dir = b.jobDir(jobIdForTag(`sh-run1-${id}-1`));
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'script.sh'), 'exit 99\n');
      if (leftover !== null) writeFileSync(path.join(dir, 'supervise.sh'), leftover);
      expect(await b.findByTags([`sh-run1-${id}-1`])).toEqual(new Map());
      const job = await submit(b, id, `echo ${id} >> ${counter}`);
      expect(job.submitOutput).toMatch(/^started local job/);
      expect((await b.findByTags([job.tag])).get(job.tag)).toBe(job.jobId);
      await waitLeft(b, job.jobId);
      const verdict = await waitFor('verdict', async () => (await b.accounting([{ jobId: job.jobId, submittedAt: '' }])).get(job.jobId));
      expect(verdict).toMatchObject({ outcome: 'completed', exitCode: 0 });
    }
    expect(readFileSync(counter, 'utf8')).toBe('half-empty\nhalf-cut\n');
  });

  it('a staged folder is no job: not found, never started; submitting its request runs it once; a changed request is written again; unstaged folders are removed', async () => {
    const b = new LocalBackend({ name: 'local', dataDir });
    const counter = path.join(work, 'count-staged');
    const same = request(b, 'staged-same', `echo same >> ${counter}`);
    const changed = request(b, 'staged-changed', `echo old >> ${counter}`);
    const dropped = request(b, 'staged-dropped', `echo dropped >> ${counter}`);
    b.stage([same, changed, dropped]);
    const dirOf = (r: SubmitRequest) => b.jobDir(jobIdForTag(r.tag));
    for (const r of [same, changed, dropped]) expect(existsSync(path.join(dirOf(r), 'supervise.sh')), r.tag).toBe(true);
    // A restarted engine would neither find nor start them.
    expect(await b.findByTags([same.tag, changed.tag, dropped.tag])).toEqual(new Map());
    expect(await new LocalBackend({ name: 'local', dataDir }).findByTags([same.tag])).toEqual(new Map());

    b.stage([same, changed]);
    expect(existsSync(dirOf(dropped))).toBe(false);
    // Submitting the staged request completes that folder (nothing is written again); the changed one is redone.
    for (const r of [same, changed]) writeFileSync(path.join(dirOf(r), 'staged-marker'), '');
    const jobs = [await b.submit(same), await b.submit({ ...changed, script: changed.script.replace('echo old', 'echo new') })];
    for (const job of jobs) {
      expect(job.submitOutput).toMatch(/^started local job/);
      await waitLeft(b, job.jobId);
      expect(await waitFor('verdict', async () => (await b.accounting([{ jobId: job.jobId, submittedAt: '' }])).get(job.jobId))).toMatchObject({ outcome: 'completed', exitCode: 0 });
    }
    expect((await b.findByTags([same.tag, changed.tag])).size).toBe(2);
    expect(existsSync(path.join(dirOf(same), 'staged-marker'))).toBe(true);
    expect(existsSync(path.join(dirOf(changed), 'staged-marker'))).toBe(false);
    expect(readFileSync(counter, 'utf8').split('\n').filter(Boolean).sort()).toEqual(['new', 'same']);
    // A submitted job is never staged over, and submitting it again starts nothing.
    b.stage([same]);
    expect((await b.submit(same)).submitOutput).toMatch(/^already submitted/);
    expect(readFileSync(path.join(dirOf(same), 'rc'), 'utf8')).toMatch(/^0\n/);
    expect(readFileSync(counter, 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('removeLeftovers removes only folders an earlier engine wrote ahead: jobs, legacy folders and its own staged folders stay', async () => {
    const b = new LocalBackend({ name: 'local', dataDir });
    const dirOf = (r: SubmitRequest) => b.jobDir(jobIdForTag(r.tag));
    const ahead = request(b, 'left-ahead', 'echo ahead');
    const empty = request(b, 'left-empty', 'echo empty');
    const withPid = request(b, 'left-pid', 'echo pid');
    const legacy = request(b, 'left-legacy', 'echo legacy');
    const mine = request(b, 'left-mine', 'echo mine');
    const job = await submit(b, 'left-job', 'true');
    await waitLeft(b, job.jobId);
    // An engine that is then killed: its backend object is never closed.
    new LocalBackend({ name: 'local', dataDir }).stage([ahead, withPid, legacy]);
    mkdirSync(dirOf(empty)); // an engine killed right after mkdir
    writeFileSync(path.join(dirOf(withPid), 'pid'), '1 1\n'); // a supervisor recorded itself: never ours to remove
    writeFileSync(path.join(dirOf(legacy), 'meta.json'), '{}'); // an earlier version's job
    // Written by an earlier engine: older than this process.
    const before = new Date(performance.timeOrigin - 60_000);
    for (const d of [dirOf(ahead), dirOf(empty), dirOf(withPid), dirOf(legacy), b.jobDir(job.jobId)]) utimesSync(d, before, before);
    b.stage([mine]); // this engine's own, written now
    expect(await new LocalBackend({ name: 'local', dataDir }).removeLeftovers()).toBe(2);
    expect(existsSync(dirOf(ahead))).toBe(false);
    expect(existsSync(dirOf(empty))).toBe(false);
    for (const d of [dirOf(withPid), dirOf(legacy), dirOf(mine), b.jobDir(job.jobId)]) expect(existsSync(d), d).toBe(true);
    // Nothing there yet: nothing to do.
    expect(await new LocalBackend({ name: 'other', dataDir }).removeLeftovers()).toBe(0);
  });

  it('readLog returns the last lines, and follows a growing log by offset without repeating bytes', async () => {
    const b = new LocalBackend({ name: 'local', dataDir });
    const job = await submit(b, 'writer', `echo line1; echo line2; echo line3\n${waitGate()}\necho line4; echo line5\nwhile [ ! -e ${gate()}2 ]; do sleep 0.05; done`);
    const first = await waitFor('first lines', async () => {
      const r = await b.readLog(job.logs.output, { offset: 0 });
      return r.content.includes('line3') ? r : null;
    });
    expect(first.offset).toBe(0);
    expect(first.nextOffset).toBe(Buffer.byteLength(first.content));
    expect(await b.readLog(job.logs.output, { tail: 2 })).toMatchObject({ content: 'line2\nline3\n', missing: false });

    writeFileSync(gate(), '');
    const next = await waitFor('more lines', async () => {
      const r = await b.readLog(job.logs.output, { offset: first.nextOffset });
      return r.content.includes('line5') ? r : null;
    });
    expect(next.content).toBe('line4\nline5\n');
    expect(next.offset).toBe(first.nextOffset);
    expect((await b.readLog(job.logs.output, { offset: next.nextOffset })).content).toBe('');
    expect((await b.poll([job.jobId])).jobs.get(job.jobId)?.state).toBe('running');
    writeFileSync(`${gate()}2`, '');
    await waitLeft(b, job.jobId);
    expect(await b.readLog(path.join(work, 'nope.log'), { tail: 5 })).toMatchObject({ content: '', missing: true });
  });

  it('passes env values with quotes, $(...), backticks and newlines verbatim, executing nothing', async () => {
    const b = new LocalBackend({ name: 'local', dataDir });
    const marker = path.join(os.tmpdir(), `scripthut-injected-${process.pid}-${Date.now()}`);
    const value = `it's "quoted" $(touch ${marker}) \`touch ${marker}\` $HOME\nsecond line\\n`;
    const out = path.join(work, 'env.txt');
    const job = await submit(b, 'env', `printf '%s' "$WEIRD" > ${out}`, [['WEIRD', value]]);
    await waitLeft(b, job.jobId);
    const v = await waitFor('verdict', async () => (await b.accounting([{ jobId: job.jobId, submittedAt: '' }])).get(job.jobId));
    expect(v.outcome).toBe('completed');
    expect(readFileSync(out, 'utf8')).toBe(value);
    expect(existsSync(marker)).toBe(false);
  });

  it('without the launcher, each job gets a detached bash of its own: it runs to its real exit code, and its end wakes the engine', async () => {
    // A launcher that cannot start anything (bash would not start, its pipe broke): the backend falls back.
    let refused = 0;
    const launcher = { start: () => Promise.reject(new Error(`launcher unavailable (${++refused})`)), close: () => undefined };
    const b = new LocalBackend({ name: 'local', dataDir, launcher });
    let ends = 0;
    b.onJobEnd(() => ends++);
    const ok = await submit(b, 'fallback-ok', 'echo fine');
    const bad = await submit(b, 'fallback-bad', 'echo broken >&2\nexit 7');
    expect(refused).toBe(2);
    expect(ok.submitOutput).toMatch(/^started local job /);
    // No launcher report exists: the end is known from the spawned child's exit, the verdict from the spool.
    await waitFor('both ends seen', async () => ends >= 2);
    await waitLeft(b, ok.jobId);
    await waitLeft(b, bad.jobId);
    const verdicts = await b.accounting([ok, bad].map((j) => ({ jobId: j.jobId, submittedAt: '' })));
    expect(verdicts.get(ok.jobId)).toMatchObject({ outcome: 'completed', exitCode: 0, reason: null });
    expect(verdicts.get(bad.jobId)).toMatchObject({ outcome: 'failed', exitCode: 7, reason: 'Non-zero exit code' });
    // The stamps come from the spool's pid and rc files.
    expect(verdicts.get(bad.jobId)?.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(verdicts.get(bad.jobId)?.finishedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect((await b.readLog(ok.logs.output, {})).content).toContain('fine');
    expect((await b.readLog(bad.logs.error, {})).content).toContain('broken');
  });

  it('reads a spool folder written by an earlier version (meta.json, launched, stamp files) and never starts it again', async () => {
    const b = new LocalBackend({ name: 'local', dataDir });
    const tag = 'sh-run1-legacy-1';
    const dir = b.jobDir(tag);
    mkdirSync(dir, { recursive: true });
    const counter = path.join(work, 'legacy-runs.txt');
    writeFileSync(path.join(dir, 'script.sh'), `echo ran >> ${counter}\n`, { mode: 0o700 });
    // An earlier supervisor: its lock is the `launched` file, its stamps are files of their own.
    writeFileSync(path.join(dir, 'supervise.sh'), `set -C\n{ : > launched; } 2>/dev/null || exit 0\nbash script.sh\n`, { mode: 0o700 });
    writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ tag, submitted_at: new Date().toISOString() }));
    writeFileSync(path.join(dir, 'launched'), '');
    writeFileSync(path.join(dir, 'pid'), '999999 1\n');
    writeFileSync(path.join(dir, 'started_at'), '2026-01-01T00:00:00Z\n');
    writeFileSync(path.join(dir, 'finished_at'), '2026-01-01T00:00:05Z\n');
    writeFileSync(path.join(dir, 'rc'), '4\n');
    expect(await b.findByTags([tag])).toEqual(new Map([[tag, tag]]));
    expect((await b.poll([tag])).jobs.has(tag)).toBe(false);
    expect((await b.accounting([{ jobId: tag, submittedAt: '' }])).get(tag)).toMatchObject({
      outcome: 'failed',
      exitCode: 4,
      startedAt: '2026-01-01T00:00:00Z',
      finishedAt: '2026-01-01T00:00:05Z',
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(existsSync(counter)).toBe(false);
  });
});
