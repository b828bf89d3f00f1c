// A workflow through the real Engine on the ECS backend: the ECS/CloudWatch APIs are mocked by a small in-memory
// cluster whose containers are real bash processes running the submitted script.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, type RunTaskCommandInput, type Task } from '@aws-sdk/client-ecs';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { startAwsEngine } from '../helpers/aws-engine';
import { FakeContainers } from '../helpers/aws-fake-containers';
import { cancelRunning, diamondWithRerun } from '../helpers/aws-workflow-checks';
import type { EngineHarness } from '../helpers/engine-harness';

const ecs = mockClient(ECSClient);
const logs = mockClient(CloudWatchLogsClient);

class FakeEcs {
  readonly tasks = new Map<string, { task: Task; script: string; env: Record<string, string>; seen: number; stopReason?: string }>();
  readonly containers = new FakeContainers();
  private n = 0;
  run(input: RunTaskCommandInput) {
    const id = `t${++this.n}`;
    const taskArn = `arn:aws:ecs:eu-west-1:1:task/jobs/${id}`;
    const o = input.overrides!.containerOverrides![0]!;
    this.tasks.set(taskArn, { task: { taskArn, lastStatus: 'PROVISIONING', tags: input.tags, startedBy: input.startedBy, createdAt: new Date(), cpu: '1024', memory: '100', launchType: 'FARGATE', containers: [{ name: 'task' }] }, script: o.command![2]!, env: Object.fromEntries((o.environment ?? []).map((e) => [e.name!, e.value!])), seen: 0 });
    return { tasks: [{ taskArn }] };
  }
  describe(arns: string[]) {
    return { tasks: arns.filter((a) => this.tasks.has(a)).map((a) => this.advance(a)), failures: arns.filter((a) => !this.tasks.has(a)).map((arn) => ({ arn, reason: 'MISSING' })) };
  }
  private advance(arn: string): Task {
    const f = this.tasks.get(arn)!;
    const t = f.task;
    f.seen++;
    if (t.lastStatus === 'PROVISIONING') t.lastStatus = 'PENDING';
    else if (t.lastStatus === 'PENDING') {
      t.lastStatus = 'RUNNING';
      t.startedAt = new Date();
      this.containers.start(arn, f.script, f.env);
    } else if (t.lastStatus === 'RUNNING') {
      const c = this.containers.all.get(arn)!;
      if (c.exitCode !== null) {
        Object.assign(t, { lastStatus: 'STOPPED', stoppedAt: new Date(), stopCode: f.stopReason ? 'UserInitiated' : 'EssentialContainerExited', stoppedReason: f.stopReason ?? 'Essential container in task exited', containers: [{ name: 'task', exitCode: c.exitCode }] });
      }
    }
    return structuredClone(t);
  }
  stop(arn: string, reason: string) {
    const f = this.tasks.get(arn);
    if (!f) return;
    f.stopReason = reason;
    if (f.task.lastStatus === 'RUNNING') this.containers.kill(arn);
    else Object.assign(f.task, { lastStatus: 'STOPPED', stopCode: 'UserInitiated', stoppedReason: reason, containers: [{ name: 'task' }] });
  }
}

let fake: FakeEcs;
let h: EngineHarness | null = null;
beforeEach(() => {
  fake = new FakeEcs();
  ecs.reset();
  logs.reset();
  ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: 'arn:td/scripthut:1', status: 'ACTIVE' } });
  ecs.on(RegisterTaskDefinitionCommand).rejects(new Error('not expected: the definition exists'));
  ecs.on(RunTaskCommand).callsFake((i: RunTaskCommandInput) => fake.run(i));
  ecs.on(DescribeTasksCommand).callsFake((i: { tasks: string[] }) => fake.describe(i.tasks));
  ecs.on(StopTaskCommand).callsFake((i: { task: string; reason: string }) => {
    fake.stop(i.task, i.reason);
    return {};
  });
  ecs.on(ListTasksCommand).resolves({ taskArns: [] });
  logs.on(GetLogEventsCommand).callsFake((i: { logStreamName: string }) => {
    const arn = `arn:aws:ecs:eu-west-1:1:task/jobs/${i.logStreamName.split('/').pop()}`;
    return { events: (fake.containers.all.get(arn)?.output ?? []).map((message) => ({ message })), nextForwardToken: 'end' };
  });
});
afterEach(async () => {
  fake.containers.killAll();
  await h?.close();
  h = null;
});

const ECS = ['- {name: aws, type: ecs, aws: {region: eu-west-1, cluster_name: jobs}, default_image: "python:3.12", subnet_ids: [subnet-1]}'];

describe('ECS backend through the real engine', () => {
  it('a diamond with a failing branch, logs, and a failed-only rerun', async () => {
    h = await startAwsEngine(ECS);
    await diamondWithRerun(h, 'aws');
    expect(fake.tasks.size).toBe(5);
  });
  it('cancel stops the running task', async () => {
    h = await startAwsEngine(ECS);
    await cancelRunning(h);
    expect(ecs.commandCalls(StopTaskCommand)).toHaveLength(1);
  });
});
