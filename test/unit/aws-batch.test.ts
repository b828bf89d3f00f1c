// The Batch backend against recorded DescribeJobs/ListJobs/GetLogEvents responses (aws-sdk-client-mock): submit,
// each state on the way, verdicts (exit 0, exit 3, OOM, host terminated, cancelled, vanished), throttling,
// expired credentials, reconcile by tag with pagination, batching of DescribeJobs, logs and the command log.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  BatchClient,
  DescribeJobQueuesCommand,
  DescribeJobDefinitionsCommand,
  DescribeJobsCommand,
  ListJobsCommand,
  RegisterJobDefinitionCommand,
  SubmitJobCommand,
  TerminateJobCommand,
  type JobDetail,
} from '@aws-sdk/client-batch';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { BatchBackend } from '../../src-main/backends/aws/batch-backend';
import type { CommandLogEntry } from '../../src-main/model/command-log-entry';
import type { SubmitRequest } from '../../src-main/backends/types';
import { awsError, awsTask, fixture } from '../helpers/aws-fixtures';

const jobs = fixture<Record<string, JobDetail>>('batch-jobs.json');
const job = (name: string, id = 'job-1', extra: Partial<JobDetail> = {}): JobDetail => ({ ...jobs[name], jobId: id, ...extra }) as JobDetail;

const batch = mockClient(BatchClient);
const logs = mockClient(CloudWatchLogsClient);

let dir: string;
let log: CommandLogEntry[];
let clock: number;

function make(over: Partial<ConstructorParameters<typeof BatchBackend>[0]> = {}): BatchBackend {
  return new BatchBackend(
    { name: 'aws', aws: { region: 'eu-west-1', job_queue: 'main-q', profile: 'research' }, job_definition: null, default_image: null, job_role_arn: null, execution_role_arn: null, log_group: '/aws/batch/job', max_concurrent: 10, ...over },
    { dataDir: dir, commandLog: (e) => log.push(e), now: () => clock },
  );
}

function request(b: BatchBackend, over: Partial<SubmitRequest> = {}): SubmitRequest {
  const task = awsTask({ gres: 'gpu:a100:2' });
  const logsPaths = b.defaultLogPaths('r1', 't1', 1);
  const script = b.buildScript({ runId: 'r1', taskId: 't1', attempt: 1, jobName: 'T1', tag: 'sh-r1-t1-a1', task, env: [['GREETING', "it's me"], ['N', '3']], init: '', logs: logsPaths, outputDir: null, workingDir: '~' });
  return { runId: 'r1', taskId: 't1', attempt: 1, tag: 'sh-r1-t1-a1', jobName: 'T1', task, script, logs: logsPaths, ...over };
}

beforeEach(() => {
  batch.reset();
  logs.reset();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aws-batch-'));
  log = [];
  clock = Date.parse('2026-11-30T12:00:00Z');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('BatchBackend', () => {
  it('registers a job definition once per image+resources and submits with queue, env, resources, no retries and tags', async () => {
    const b = make();
    batch.on(DescribeJobDefinitionsCommand).resolves({ jobDefinitions: [] });
    batch.on(RegisterJobDefinitionCommand).resolves({ jobDefinitionName: 'scripthut-x', jobDefinitionArn: 'arn:jd/scripthut-x:1', revision: 1 });
    batch.on(SubmitJobCommand).resolvesOnce({ jobId: 'job-1', jobName: 'sh-r1-t1-a1' }).resolvesOnce({ jobId: 'job-2', jobName: 'sh-r1-t1-a2' });

    const res = await b.submit(request(b));
    expect(res.jobId).toBe('job-1');
    await b.submit(request(b, { tag: 'sh-r1-t1-a2', attempt: 2 }));
    expect(batch.commandCalls(RegisterJobDefinitionCommand)).toHaveLength(1);
    const reg = batch.commandCalls(RegisterJobDefinitionCommand)[0]!.args[0].input;
    expect(reg.containerProperties?.image).toBe('python:3.12');
    expect(reg.containerProperties?.resourceRequirements).toEqual([
      { type: 'VCPU', value: '2' },
      { type: 'MEMORY', value: '4096' },
      { type: 'GPU', value: '2' },
    ]);
    const sub = batch.commandCalls(SubmitJobCommand)[0]!.args[0].input;
    expect(sub.jobQueue).toBe('main-q');
    expect(sub.jobName).toBe('sh-r1-t1-a1');
    expect(sub.jobDefinition).toBe('arn:jd/scripthut-x:1');
    expect(sub.retryStrategy).toEqual({ attempts: 1 });
    expect(sub.timeout).toEqual({ attemptDurationSeconds: 3600 });
    expect(sub.tags?.['scripthut:tag']).toBe('sh-r1-t1-a1');
    expect(sub.containerOverrides?.command?.slice(0, 2)).toEqual(['bash', '-c']);
    expect(sub.containerOverrides?.command?.[2]).toContain('echo hi');
    expect(sub.containerOverrides?.environment).toEqual(expect.arrayContaining([{ name: 'GREETING', value: "it's me" }, { name: 'N', value: '3' }, { name: 'SCRIPTHUT_TAG', value: 'sh-r1-t1-a1' }]));
    expect(log.map((e) => e.command)).toContain('batch:SubmitJob queue=main-q name=sh-r1-t1-a1');
    expect(log.every((e) => e.kind === 'aws' && e.backend === 'aws')).toBe(true);
  });

  it('maps a task partition other than "normal" to the job queue, and refuses a task with no image anywhere', async () => {
    const b = make({ job_definition: 'my-def:4' });
    batch.on(SubmitJobCommand).resolves({ jobId: 'job-1', jobName: 'x' });
    await b.submit(request(b, { task: awsTask({ partition: 'gpu-q' }) }));
    expect(batch.commandCalls(SubmitJobCommand)[0]!.args[0].input.jobQueue).toBe('gpu-q');
    expect(batch.commandCalls(SubmitJobCommand)[0]!.args[0].input.jobDefinition).toBe('my-def:4');
    const noImage = make();
    await expect(noImage.submit(request(noImage, { task: awsTask({ image: null }) }))).rejects.toThrow(/no image and the backend has no default_image/);
  });

  it('reports every state on the way and gives evidence-based verdicts', async () => {
    const b = make();
    const seen: string[] = [];
    for (const name of ['runnable', 'starting', 'running']) {
      batch.on(DescribeJobsCommand).resolves({ jobs: [job(name)] });
      const obs = (await b.poll(['job-1'])).jobs.get('job-1');
      seen.push(`${obs?.state}:${obs?.rawState}`);
    }
    expect(seen).toEqual(['pending:RUNNABLE', 'running:STARTING', 'running:RUNNING']);

    const verdictOf = async (name: string) => {
      batch.on(DescribeJobsCommand).resolves({ jobs: [job(name)] });
      expect((await b.poll(['job-1'])).jobs.has('job-1')).toBe(false);
      return (await b.accounting([{ jobId: 'job-1', submittedAt: '2026-11-30T11:59:00Z' }])).get('job-1');
    };
    logs.on(GetLogEventsCommand).resolves({ events: [], nextForwardToken: 'f/1' });
    expect(await verdictOf('succeeded')).toMatchObject({ outcome: 'completed', exitCode: 0, schedulerState: 'SUCCEEDED', usage: { vcpus: 2, memoryMb: 4096, startedAt: '2026-11-30T00:54:20.000Z', stoppedAt: '2026-11-30T00:55:20.000Z' } });
    expect(await verdictOf('exit3')).toMatchObject({ outcome: 'failed', exitCode: 3, reason: 'Non-zero exit code' });
    expect(await verdictOf('oom')).toMatchObject({ outcome: 'failed', exitCode: 137, reason: expect.stringMatching(/^Out of memory/) });
    expect(await verdictOf('hostTerminated')).toMatchObject({ outcome: 'failed', exitCode: null, reason: expect.stringMatching(/^Host terminated: Host EC2/) });
    expect(await verdictOf('cancelled')).toMatchObject({ outcome: 'cancelled', reason: 'Cancelled' });
    // Still running: no verdict yet.
    batch.on(DescribeJobsCommand).resolves({ jobs: [job('running')] });
    expect((await b.accounting([{ jobId: 'job-1', submittedAt: '2026-11-30T11:59:00Z' }])).size).toBe(0);
  });

  it('fails a job that vanished from Batch (after a grace period), never completes it', async () => {
    const b = make();
    batch.on(DescribeJobsCommand).resolves({ jobs: [] });
    expect((await b.accounting([{ jobId: 'job-1', submittedAt: '2026-11-30T11:59:00Z' }])).size).toBe(0);
    const v = (await b.accounting([{ jobId: 'job-1', submittedAt: '2026-11-30T11:00:00Z' }])).get('job-1');
    expect(v).toMatchObject({ outcome: 'failed', exitCode: null, reason: expect.stringMatching(/^lost: AWS Batch has no record of job job-1/) });
  });

  it('describes tracked jobs 100 per DescribeJobs call', async () => {
    const b = make();
    const ids = Array.from({ length: 250 }, (_, i) => `job-${i}`);
    batch.on(DescribeJobsCommand).callsFake((input: { jobs: string[] }) => ({ jobs: input.jobs.map((id) => job('running', id)) }));
    const res = await b.poll(ids);
    expect(res.jobs.size).toBe(250);
    expect(batch.commandCalls(DescribeJobsCommand).map((c) => c.args[0].input.jobs?.length)).toEqual([100, 100, 50]);
    expect(log.filter((e) => e.command.startsWith('batch:DescribeJobs')).map((e) => e.command)).toEqual(['batch:DescribeJobs jobs=100', 'batch:DescribeJobs jobs=100', 'batch:DescribeJobs jobs=50']);
  });

  it('backs off on throttling: status backing_off with retryAt, calls refused until then, ready again after', async () => {
    const b = make();
    const states: string[] = [];
    b.onStatusChange((s) => states.push(s.state));
    batch.on(DescribeJobsCommand).rejectsOnce(awsError('TooManyRequestsException', 'Too Many Requests', 429)).resolves({ jobs: [job('running')] });
    await expect(b.poll(['job-1'])).rejects.toMatchObject({ transient: true });
    expect(b.status()).toMatchObject({ state: 'backing_off', retryAt: '2026-11-30T12:00:05.000Z' });
    await expect(b.poll(['job-1'])).rejects.toThrow(/backing off/);
    expect(batch.commandCalls(DescribeJobsCommand)).toHaveLength(1);
    clock += 6000;
    // The back-off is over: the engine may submit and poll again.
    expect(b.status().state).toBe('ready');
    expect((await b.poll(['job-1'])).jobs.get('job-1')?.state).toBe('running');
    expect(b.status().state).toBe('ready');
    expect(states).toEqual(['backing_off', 'ready']);
    expect(log.find((e) => e.error)?.error).toMatch(/TooManyRequestsException/);
  });

  it('expired credentials: status error naming `aws sso login --profile`, submission kept as an intent (nothing submitted)', async () => {
    const b = make();
    batch.on(DescribeJobDefinitionsCommand).rejects(awsError('ExpiredTokenException', 'The security token included in the request is expired'));
    await expect(b.submit(request(b))).rejects.toMatchObject({ transient: true });
    expect(b.status().state).toBe('error');
    expect(b.status().detail).toContain('aws sso login --profile research');
    expect(batch.commandCalls(SubmitJobCommand)).toHaveLength(0);
  });

  it('missing credentials show in the status at start (before any submission) and clear once credentials work', async () => {
    const b = make();
    const noCreds = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    batch.on(DescribeJobQueuesCommand).rejectsOnce(noCreds).resolves({ jobQueues: [] });
    batch.on(DescribeJobsCommand).resolves({ jobs: [] });
    await b.poll([]);
    expect(b.status()).toMatchObject({ state: 'error', detail: expect.stringContaining('aws sso login --profile research') });
    await b.poll([]);
    expect(b.status().state).toBe('ready');
    await b.poll([]);
    expect(batch.commandCalls(DescribeJobQueuesCommand)).toHaveLength(2);
  });

  it('cancel terminates the job with the ScriptHut reason', async () => {
    const b = make();
    batch.on(TerminateJobCommand).resolves({});
    await b.cancel('job-1');
    expect(batch.commandCalls(TerminateJobCommand)[0]!.args[0].input).toEqual({ jobId: 'job-1', reason: 'Cancelled by ScriptHut' });
  });

  it('after a restart mid-submission finds the job by its tag across ListJobs pages (no duplicate)', async () => {
    const b = make();
    batch
      .on(ListJobsCommand)
      .resolvesOnce({ jobSummaryList: [{ jobId: 'other', jobName: 'sh-r1-t1-a1x', createdAt: 1 }], nextToken: 'p2' })
      .resolvesOnce({ jobSummaryList: [{ jobId: 'job-9', jobName: 'sh-r1-t1-a1', createdAt: 2 }] })
      .resolves({ jobSummaryList: [] });
    batch.on(DescribeJobsCommand).resolves({ jobs: [job('running', 'job-9', { jobName: 'sh-r1-t1-a1', tags: { 'scripthut:tag': 'sh-r1-t1-a1' } })] });
    const found = await b.findByTags(['sh-r1-t1-a1', 'sh-r1-t2-a1']);
    expect([...found]).toEqual([['sh-r1-t1-a1', 'job-9']]);
    expect(batch.commandCalls(ListJobsCommand).map((c) => c.args[0].input.nextToken)).toEqual([undefined, 'p2', undefined]);
    expect(batch.commandCalls(ListJobsCommand)[0]!.args[0].input.filters).toEqual([{ name: 'JOB_NAME', values: ['sh-r1-t1-a1'] }]);
  });

  it('logs: follows CloudWatch while running (tail/offset), archives the whole log when the job ends, then reads offline', async () => {
    const b = make();
    batch.on(DescribeJobDefinitionsCommand).resolves({ jobDefinitions: [{ jobDefinitionArn: 'arn:jd/x:3', jobDefinitionName: 'x', revision: 3, type: 'container', status: 'ACTIVE' }] });
    batch.on(SubmitJobCommand).resolves({ jobId: 'job-1', jobName: 'sh-r1-t1-a1' });
    const req = request(b);
    await b.submit(req);
    expect(batch.commandCalls(RegisterJobDefinitionCommand)).toHaveLength(0);
    batch.on(DescribeJobsCommand).resolves({ jobs: [job('running')] });
    logs
      .on(GetLogEventsCommand)
      .resolvesOnce({ events: [{ message: 'line 1' }, { message: 'line 2' }], nextForwardToken: 'f/2' })
      .resolvesOnce({ events: [], nextForwardToken: 'f/2' });
    const first = await b.readLog(req.logs.output, {});
    expect(first.content).toBe('line 1\nline 2\n');
    logs.reset();
    logs.on(GetLogEventsCommand).resolvesOnce({ events: [{ message: 'line 1' }, { message: 'line 2' }, { message: 'line 3' }], nextForwardToken: 'f/3' }).resolves({ events: [], nextForwardToken: 'f/3' });
    const more = await b.readLog(req.logs.output, { offset: first.nextOffset });
    expect(more.content).toBe('line 3\n');
    expect(logs.commandCalls(GetLogEventsCommand)[0]!.args[0].input).toMatchObject({ logGroupName: '/aws/batch/job', logStreamName: 'scripthut-x/default/abc123', startFromHead: true });

    logs.reset();
    logs.on(GetLogEventsCommand).resolvesOnce({ events: ['a', 'b', 'c', 'done'].map((message) => ({ message })), nextForwardToken: 'f/4' }).resolves({ events: [], nextForwardToken: 'f/4' });
    batch.on(DescribeJobsCommand).resolves({ jobs: [job('succeeded')] });
    expect((await b.accounting([{ jobId: 'job-1', submittedAt: '2026-11-30T11:59:00Z' }])).get('job-1')?.outcome).toBe('completed');
    // Offline from here on: any AWS call would fail.
    batch.reset();
    logs.reset();
    logs.on(GetLogEventsCommand).rejects(new Error('offline'));
    expect((await b.readLog(req.logs.output, { tail: 2 })).content).toBe('c\ndone\n');
    expect((await b.readLog(req.logs.error, {})).content).toMatch(/merged into its output/);
  });
});
