// The ECS backend against recorded ECS/CloudWatch responses: task definition derived once, RunTask shape
// (Fargate or capacity providers, tags, startedBy, clientToken), every state, verdicts (exit 0, exit 3, OOM,
// spot interruption, cancelled, vanished), batching, reconcile by tag across pages, throttling, credentials, logs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { EcsBackend, startedByFor, type EcsBackendConfig } from '../../src-main/backends/aws/ecs-backend';
import type { SubmitRequest } from '../../src-main/backends/types';
import { awsError, awsTask, fixture } from '../helpers/aws-fixtures';

const recorded = fixture<Record<string, Task>>('ecs-tasks.json');
const ARN = 'arn:aws:ecs:eu-west-1:123456789012:task/jobs/0f1e2d3c';
const t = (name: string, extra: Partial<Task> = {}): Task => {
  const r = recorded[name] as Record<string, unknown>;
  const dates = Object.fromEntries(['createdAt', 'startedAt', 'stoppedAt'].filter((k) => r[k]).map((k) => [k, new Date(r[k] as string)]));
  return { ...r, ...dates, ...extra } as Task;
};

const ecs = mockClient(ECSClient);
const logs = mockClient(CloudWatchLogsClient);
let dir: string;
let clock: number;

function make(over: Partial<EcsBackendConfig> = {}): EcsBackend {
  return new EcsBackend(
    { name: 'aws-ecs', aws: { region: 'eu-west-1', cluster_name: 'jobs' }, max_concurrent: 10, default_image: null, launch_type: 'FARGATE', capacity_providers: [], subnet_ids: ['subnet-1'], security_group_ids: ['sg-1'], assign_public_ip: false, task_role_arn: null, execution_role_arn: 'arn:exec', log_group: '/ecs/scripthut', ...over },
    { dataDir: dir, now: () => clock },
  );
}
function request(b: EcsBackend, over: Partial<SubmitRequest> = {}): SubmitRequest {
  const task = awsTask();
  const logsPaths = b.defaultLogPaths('r1', 't1', 1);
  const script = b.buildScript({ runId: 'r1', taskId: 't1', attempt: 1, jobName: 'T1', tag: 'sh-r1-t1-a1', task, env: [['A', 'b c']], init: '', logs: logsPaths, outputDir: null, workingDir: '~' });
  return { runId: 'r1', taskId: 't1', attempt: 1, tag: 'sh-r1-t1-a1', jobName: 'T1', task, script, logs: logsPaths, ...over };
}
const q = (submittedAt = '2026-11-30T11:58:00Z') => [{ jobId: ARN, submittedAt }];

beforeEach(() => {
  ecs.reset();
  logs.reset();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aws-ecs-'));
  clock = Date.parse('2026-11-30T12:00:00Z');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('EcsBackend', () => {
  it('registers the task definition once and runs a Fargate task with the script, env, tags, startedBy and clientToken', async () => {
    const b = make();
    ecs.on(DescribeTaskDefinitionCommand).rejects(awsError('ClientException', 'Unable to describe task definition.'));
    ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: 'arn:td/scripthut-x:1', status: 'ACTIVE' } });
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: ARN }] });
    const req = request(b);
    expect((await b.submit(req)).jobId).toBe(ARN);
    await b.submit(request(b, { tag: 'sh-r1-t1-a2' }));
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(1);
    const td = ecs.commandCalls(RegisterTaskDefinitionCommand)[0]!.args[0].input;
    expect(td).toMatchObject({ requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc', cpu: '2048', memory: '4096', executionRoleArn: 'arn:exec' });
    expect(td.containerDefinitions![0]!.logConfiguration).toMatchObject({ logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/scripthut', 'awslogs-stream-prefix': 'scripthut' } });
    const run = ecs.commandCalls(RunTaskCommand)[0]!.args[0].input;
    expect(run).toMatchObject({ cluster: 'jobs', launchType: 'FARGATE', count: 1, startedBy: startedByFor('sh-r1-t1-a1'), networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], assignPublicIp: 'DISABLED' } } });
    expect(run.startedBy!.length).toBeLessThanOrEqual(36);
    expect(run.clientToken).toHaveLength(64);
    expect(run.tags).toEqual(expect.arrayContaining([{ key: 'scripthut:tag', value: 'sh-r1-t1-a1' }]));
    expect(run.overrides!.containerOverrides![0]!.command).toEqual(['bash', '-c', req.script]);
    expect(run.overrides!.containerOverrides![0]!.environment).toEqual(expect.arrayContaining([{ name: 'A', value: 'b c' }]));
  });

  it('uses capacity providers when configured and reports RunTask failures clearly', async () => {
    const b = make({ capacity_providers: ['gpu-asg'], launch_type: 'EC2' });
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: 'arn:td/x:2', status: 'ACTIVE' } });
    ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ arn: 'arn:ci', reason: 'RESOURCE:MEMORY' }] });
    await expect(b.submit(request(b))).rejects.toThrow("ecs:RunTask started no task on cluster 'jobs': RESOURCE:MEMORY");
    const run = ecs.commandCalls(RunTaskCommand)[0]!.args[0].input;
    expect(run.capacityProviderStrategy).toEqual([{ capacityProvider: 'gpu-asg', weight: 1 }]);
    expect(run.launchType).toBeUndefined();
  });

  it('reports every state and gives evidence-based verdicts', async () => {
    const b = make();
    const states: string[] = [];
    for (const name of ['provisioning', 'running', 'stopping']) {
      ecs.on(DescribeTasksCommand).resolves({ tasks: [t(name)] });
      states.push((await b.poll([ARN])).jobs.get(ARN)?.state ?? 'left');
    }
    expect(states).toEqual(['pending', 'running', 'completing']);
    // Not STOPPED yet: no verdict even though the container has an exit code.
    expect((await b.accounting(q())).size).toBe(0);
    logs.on(GetLogEventsCommand).resolves({ events: [] });
    const verdict = async (name: string) => {
      ecs.on(DescribeTasksCommand).resolves({ tasks: [t(name)] });
      expect((await b.poll([ARN])).jobs.has(ARN)).toBe(false);
      return (await b.accounting(q())).get(ARN);
    };
    expect(await verdict('exit0')).toMatchObject({ outcome: 'completed', exitCode: 0, usage: { vcpus: 2, memoryMb: 4096, spot: false, startedAt: '2026-11-30T11:59:00.000Z', stoppedAt: '2026-11-30T12:04:00.000Z' } });
    expect(await verdict('exit3')).toMatchObject({ outcome: 'failed', exitCode: 3, reason: 'Non-zero exit code' });
    expect(await verdict('oom')).toMatchObject({ outcome: 'failed', exitCode: 137, reason: expect.stringMatching(/^Out of memory/) });
    expect(await verdict('spot')).toMatchObject({ outcome: 'failed', exitCode: null, reason: 'Host terminated: Your Spot Task was interrupted.', usage: { spot: true } });
    expect(await verdict('cancelled')).toMatchObject({ outcome: 'cancelled' });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [], failures: [{ arn: ARN, reason: 'MISSING' }] });
    expect((await b.accounting(q('2026-11-30T11:00:00Z'))).get(ARN)).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/^lost: ECS has no record/) });
  });

  it('describes 100 tasks per DescribeTasks; cancel stops the task with the ScriptHut reason', async () => {
    const b = make();
    ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({ tasks: input.tasks.map((taskArn) => t('running', { taskArn })) }));
    const arns = Array.from({ length: 130 }, (_, i) => `${ARN}-${i}`);
    expect((await b.poll(arns)).jobs.size).toBe(130);
    expect(ecs.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input.tasks!.length)).toEqual([100, 30]);
    ecs.on(StopTaskCommand).resolves({});
    await b.cancel(ARN);
    expect(ecs.commandCalls(StopTaskCommand)[0]!.args[0].input).toEqual({ cluster: 'jobs', task: ARN, reason: 'Cancelled by ScriptHut' });
  });

  it('after a restart finds the task by tag (startedBy, RUNNING and STOPPED, all pages)', async () => {
    const b = make();
    ecs.on(ListTasksCommand, { desiredStatus: 'RUNNING' }).resolvesOnce({ taskArns: [], nextToken: 'n2' }).resolvesOnce({ taskArns: [ARN] });
    ecs.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: [] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [t('running', { tags: [{ key: 'scripthut:tag', value: 'sh-r1-t1-a1' }] })] });
    expect([...(await b.findByTags(['sh-r1-t1-a1']))]).toEqual([['sh-r1-t1-a1', ARN]]);
    expect(ecs.commandCalls(ListTasksCommand).map((c) => [c.args[0].input.desiredStatus, c.args[0].input.nextToken])).toEqual([['RUNNING', undefined], ['RUNNING', 'n2'], ['STOPPED', undefined]]);
    expect(ecs.commandCalls(DescribeTasksCommand)[0]!.args[0].input.include).toEqual(['TAGS']);
  });

  it('throttling backs off; expired credentials put the backend in error', async () => {
    const b = make();
    ecs.on(DescribeTasksCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    await expect(b.poll([ARN])).rejects.toMatchObject({ transient: true });
    expect(b.status().state).toBe('backing_off');
    const c = make();
    ecs.on(DescribeTaskDefinitionCommand).rejects(awsError('ExpiredTokenException', 'The security token included in the request is expired'));
    await expect(c.submit(request(c))).rejects.toMatchObject({ transient: true });
    expect(c.status()).toMatchObject({ state: 'error', detail: expect.stringContaining('aws sso login') });
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  it('reads the awslogs stream of the task and keeps it after the task ends', async () => {
    const b = make();
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: 'arn:td/x:2', status: 'ACTIVE' } });
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: ARN }] });
    const req = request(b);
    await b.submit(req);
    logs.on(GetLogEventsCommand).resolvesOnce({ events: [{ message: 'hello' }, { message: 'bye' }], nextForwardToken: 'f1' }).resolves({ events: [], nextForwardToken: 'f1' });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [t('exit0')] });
    await b.accounting(q());
    expect(logs.commandCalls(GetLogEventsCommand)[0]!.args[0].input).toMatchObject({ logGroupName: '/ecs/scripthut', logStreamName: 'scripthut/task/0f1e2d3c' });
    logs.reset();
    logs.onAnyCommand().rejects(new Error('offline'));
    expect((await b.readLog(req.logs.output, {})).content).toBe('hello\nbye\n');
  });
});
