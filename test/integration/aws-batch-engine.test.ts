// A workflow through the real Engine on the Batch backend. The Batch/CloudWatch APIs are mocked
// (aws-sdk-client-mock) by a small in-memory Batch whose "containers" are real bash processes running the
// submitted script: same task states, exit codes, logs, cancel and rerun as on Slurm.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  BatchClient,
  DescribeJobDefinitionsCommand,
  DescribeJobQueuesCommand,
  DescribeJobsCommand,
  ListJobsCommand,
  RegisterJobDefinitionCommand,
  SubmitJobCommand,
  TerminateJobCommand,
  type JobDetail,
  type SubmitJobCommandInput,
} from '@aws-sdk/client-batch';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { item, startRun, task, waitFor, waitRunDone, type EngineHarness } from '../helpers/engine-harness';
import { startAwsEngine } from '../helpers/aws-engine';
import { diamondWithRerun } from '../helpers/aws-workflow-checks';
import { FakeContainers } from '../helpers/aws-fake-containers';

const batch = mockClient(BatchClient);
const logs = mockClient(CloudWatchLogsClient);

interface FakeJob {
  detail: JobDetail;
  script: string;
  env: Record<string, string>;
  describes: number;
}

/** An in-memory Batch queue: RUNNABLE, then STARTING, then RUNNING (bash starts), then SUCCEEDED/FAILED. */
class FakeBatch {
  readonly jobs = new Map<string, FakeJob>();
  readonly containers = new FakeContainers();
  private n = 0;
  submit(input: SubmitJobCommandInput) {
    const jobId = `job-${++this.n}`;
    const env = Object.fromEntries((input.containerOverrides?.environment ?? []).map((e) => [e.name!, e.value!]));
    this.jobs.set(jobId, { detail: { jobId, jobName: input.jobName!, jobQueue: input.jobQueue!, status: 'RUNNABLE', createdAt: Date.now(), jobDefinition: input.jobDefinition!, tags: input.tags, container: {} } as JobDetail, script: input.containerOverrides!.command![2]!, env, describes: 0 });
    return { jobId, jobName: input.jobName! };
  }
  describe(ids: string[]): JobDetail[] {
    const out: JobDetail[] = [];
    for (const id of ids) {
      const j = this.jobs.get(id);
      if (!j) continue;
      this.advance(id, j);
      out.push(structuredClone(j.detail));
    }
    return out;
  }
  private advance(id: string, j: FakeJob): void {
    const d = j.detail;
    j.describes++;
    if (d.status === 'RUNNABLE' && j.describes >= 2) d.status = 'STARTING';
    else if (d.status === 'STARTING') {
      d.status = 'RUNNING';
      d.startedAt = Date.now();
      d.container = { logStreamName: `scripthut/default/${id}`, resourceRequirements: [{ type: 'VCPU', value: '1' }, { type: 'MEMORY', value: '100' }] };
      this.containers.start(id, j.script, j.env);
    } else if (d.status === 'RUNNING') {
      const c = this.containers.all.get(id)!;
      if (c.exitCode === null) return;
      d.status = c.killed ? 'FAILED' : c.exitCode === 0 ? 'SUCCEEDED' : 'FAILED';
      d.statusReason = c.killed ? 'Cancelled by ScriptHut' : 'Essential container in task exited';
      d.stoppedAt = c.stoppedAt!;
      d.container = { ...d.container, exitCode: c.exitCode };
    }
  }
  terminate(id: string, reason: string): void {
    const j = this.jobs.get(id);
    if (!j) return;
    if (j.detail.status === 'RUNNING') this.containers.kill(id);
    else if (j.detail.status !== 'SUCCEEDED' && j.detail.status !== 'FAILED') Object.assign(j.detail, { status: 'FAILED', statusReason: reason, stoppedAt: Date.now() });
  }
  logLines(stream: string): string[] {
    const id = stream.split('/').pop()!;
    return this.containers.all.get(id)?.output ?? [];
  }
}

let fake: FakeBatch;
let h: EngineHarness | null = null;

beforeEach(() => {
  fake = new FakeBatch();
  batch.reset();
  logs.reset();
  batch.on(DescribeJobDefinitionsCommand).resolves({ jobDefinitions: [] });
  batch.on(RegisterJobDefinitionCommand).resolves({ jobDefinitionArn: 'arn:jd/scripthut:1', jobDefinitionName: 'scripthut', revision: 1 });
  batch.on(SubmitJobCommand).callsFake((input: SubmitJobCommandInput) => fake.submit(input));
  batch.on(DescribeJobsCommand).callsFake((input: { jobs: string[] }) => ({ jobs: fake.describe(input.jobs) }));
  batch.on(TerminateJobCommand).callsFake((input: { jobId: string; reason: string }) => {
    fake.terminate(input.jobId, input.reason);
    return {};
  });
  batch.on(ListJobsCommand).callsFake((input: { filters?: Array<{ values?: string[] }> }) => ({
    jobSummaryList: [...fake.jobs.values()].filter((j) => j.detail.jobName === input.filters?.[0]?.values?.[0]).map((j) => ({ jobId: j.detail.jobId!, jobName: j.detail.jobName! })),
  }));
  logs.on(GetLogEventsCommand).callsFake((input: { logStreamName: string; nextToken?: string }) => {
    const lines = fake.logLines(input.logStreamName);
    // Two pages, like CloudWatch does for longer streams.
    const start = input.nextToken ? Number(input.nextToken.slice(2)) : 0;
    const end = Math.min(lines.length, start + 3);
    return { events: lines.slice(start, end).map((message, i) => ({ message, timestamp: start + i })), nextForwardToken: `f/${end}` };
  });
});

afterEach(async () => {
  fake.containers.killAll();
  await h?.close();
  h = null;
});

const BATCH = ['- {name: aws, type: batch, aws: {region: eu-west-1, job_queue: main-q}, default_image: "python:3.12"}'];

describe('Batch backend through the real engine', () => {
  it('with nothing submitted, missing credentials still show as the backend error (with the fix), and nothing is submitted', async () => {
    batch.on(DescribeJobQueuesCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    h = await startAwsEngine(BATCH);
    const engine = h;
    const info = await waitFor(async () => {
      const { backends } = await engine.eng.api.invoke('backends.list', {});
      const b = backends.find((x) => x.name === 'aws');
      return b?.state === 'error' ? b : null;
    }, 'the idle batch backend to report its credentials');
    expect(info.detail).toMatch(/credentials/i);
    expect(batch.commandCalls(SubmitJobCommand)).toHaveLength(0);
  });

  it('a diamond with a failing branch: same states as Slurm, exit codes, logs; failed-only rerun completes', async () => {
    h = await startAwsEngine(BATCH);
    const cmds = await diamondWithRerun(h, 'aws', ['submitted', 'queued', 'running', 'completed']);
    // a, b, c; then b (attempt 2) and d: nothing ran twice.
    expect(fake.jobs.size).toBe(5);
    expect(cmds.commands.some((c) => c.kind === 'aws' && /^batch:DescribeJobs jobs=\d+$/.test(c.command))).toBe(true);
    expect(cmds.counts.aws).toBeGreaterThan(0);
  });

  it('outputs: a finished task records that the Batch backend has no output folder, and lists no files', async () => {
    h = await startAwsEngine(BATCH);
    const e = h;
    const run = await startRun(e, [task('a', 'echo a-ran; echo "- a" > "${SCRIPTHUT_RUN_SUMMARY:-/dev/null}"')]);
    expect((await waitRunDone(e, run.id)).status).toBe('completed');
    const res = await waitFor(async () => {
      const r = await e.eng.api.invoke('outputs.list', { run_id: run.id, task_id: 'a' });
      return r.collections.length ? r : null;
    }, 'the collection of task a');
    expect(res.outputs).toEqual([]);
    expect(res.collections[0]).toMatchObject({ task_id: 'a', attempt: 1, has_run_summary: false, notes: [] });
    expect(res.collections[0]!.error).toBe("Task outputs are not supported on the batch backend 'aws': it has no shared folder, so $SCRIPTHUT_OUTPUT_DIR is not set there.");
    expect((await e.eng.api.invoke('outputs.summary', { run_id: run.id })).markdown).toBeNull();
  });

  it('a SubmitJob whose reply is lost is found by its tag on the next cycle: one job, task completed', async () => {
    let cutOff = true;
    batch.on(SubmitJobCommand).callsFake((input: SubmitJobCommandInput) => {
      const res = fake.submit(input);
      if (cutOff) {
        cutOff = false;
        // AWS accepted the job, but the reply never arrived.
        throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' });
      }
      return res;
    });
    h = await startAwsEngine(BATCH);
    const e = h;
    const run = await startRun(e, [task('once', 'echo ran-once')]);
    const done = await waitRunDone(e, run.id);
    expect(item(done, 'once')).toMatchObject({ status: 'completed', exit_code: 0, job_id: 'job-1' });
    expect(fake.jobs.size).toBe(1);
    expect(batch.commandCalls(SubmitJobCommand)).toHaveLength(1);
    expect(batch.commandCalls(ListJobsCommand).length).toBeGreaterThan(0);
    const transitions = (await e.eng.api.invoke('tasks.transitions', { run_id: run.id, task_id: 'once' })).transitions;
    expect(transitions.some((t) => /found job job-1 by its tag/.test(t.reason ?? ''))).toBe(true);
  });

  it('an engine killed mid-SubmitJob: the next engine finds the job by its tag and does not submit it again', async () => {
    // First engine: AWS accepts the job but the reply never comes back before the engine goes away.
    batch.on(SubmitJobCommand).callsFake((input: SubmitJobCommandInput) => {
      fake.submit(input);
      return new Promise(() => undefined);
    });
    const first = await startAwsEngine(BATCH, { keep: true });
    const run = await startRun(first, [task('once', 'echo ran-once')]);
    await waitFor(() => fake.jobs.size === 1, 'the job to reach Batch');
    await first.close();

    batch.on(SubmitJobCommand).callsFake((input: SubmitJobCommandInput) => fake.submit(input));
    h = await startAwsEngine(BATCH, { root: first.root });
    const done = await waitRunDone(h, run.id);
    expect(item(done, 'once')).toMatchObject({ status: 'completed', exit_code: 0, job_id: 'job-1' });
    expect(fake.jobs.size).toBe(1);
    expect((await h.eng.api.invoke('tasks.log', { run_id: run.id, task_id: 'once' })).content).toContain('ran-once');
  });

  it('cancel stops a running job; the task is cancelled, not completed', async () => {
    h = await startAwsEngine(BATCH);
    const e = h;
    const run = await startRun(e, [task('slow', 'echo started; sleep 60; echo never')]);
    await waitFor(async () => item(await e.eng.api.invoke('runs.get', { id: run.id }), 'slow').status === 'running', 'the slow task to run');
    await waitFor(async () => (await e.eng.api.invoke('tasks.log', { run_id: run.id, task_id: 'slow' })).content.includes('started'), 'its log to show up');
    await e.eng.api.invoke('runs.cancel', { id: run.id });
    const done = await waitRunDone(e, run.id);
    expect(item(done, 'slow').status).toBe('cancelled');
    expect(batch.commandCalls(TerminateJobCommand)).toHaveLength(1);
    await waitFor(() => fake.containers.all.get('job-1')?.exitCode !== null, 'the container to stop');
  });
});
