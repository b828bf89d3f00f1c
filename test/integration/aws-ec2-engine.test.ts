// A workflow through the real Engine on the EC2 backend: EC2/SSM are mocked by a small in-memory region whose
// instances run the script from their user-data as real bash processes; SSM commands are answered from them.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { CreateTagsCommand, DescribeInstancesCommand, EC2Client, RunInstancesCommand, TerminateInstancesCommand, type Instance, type RunInstancesCommandInput } from '@aws-sdk/client-ec2';
import { GetCommandInvocationCommand, ListCommandInvocationsCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { startAwsEngine } from '../helpers/aws-engine';
import { FakeContainers } from '../helpers/aws-fake-containers';
import { cancelRunning, diamondWithRerun } from '../helpers/aws-workflow-checks';
import type { EngineHarness } from '../helpers/engine-harness';

const ec2 = mockClient(EC2Client);
const ssm = mockClient(SSMClient);

class FakeRegion {
  readonly instances = new Map<string, { inst: Instance; script: string }>();
  readonly containers = new FakeContainers();
  readonly commands = new Map<string, { ids: string[]; command: string }>();
  private n = 0;
  run(input: RunInstancesCommandInput) {
    const id = `i-${(++this.n).toString(16).padStart(8, '0')}`;
    const userData = Buffer.from(input.UserData!, 'base64').toString('utf8');
    const script = Buffer.from(/echo (\S+) \| base64 -d/.exec(userData)![1]!, 'base64').toString('utf8');
    this.instances.set(id, { inst: { InstanceId: id, InstanceType: input.InstanceType, LaunchTime: new Date(), State: { Name: 'pending' }, Tags: input.TagSpecifications![0]!.Tags }, script });
    return { Instances: [{ InstanceId: id }] };
  }
  describe(input: { InstanceIds?: string[]; Filters?: Array<{ Name?: string; Values?: string[] }> }) {
    const f = input.Filters?.[0];
    const all = [...this.instances.values()].filter(({ inst }) =>
      input.InstanceIds ? input.InstanceIds.includes(inst.InstanceId!) : inst.Tags!.some((t) => `tag:${t.Key}` === f?.Name && f.Values!.includes(t.Value!)),
    );
    for (const x of all) {
      if (x.inst.State!.Name === 'pending') {
        x.inst.State = { Name: 'running' };
        this.containers.start(x.inst.InstanceId!, x.script);
      }
    }
    return { Reservations: [{ Instances: all.map((x) => structuredClone(x.inst)) }] };
  }
  send(input: { InstanceIds: string[]; Parameters: { commands: string[] } }) {
    const id = `cmd-${++this.n}`;
    this.commands.set(id, { ids: input.InstanceIds, command: input.Parameters.commands[0]! });
    return { Command: { CommandId: id } };
  }
  output(instanceId: string, command: string): string {
    const c = this.containers.all.get(instanceId);
    if (command.includes('exit_code')) return c && c.exitCode !== null ? `EXIT=${c.exitCode} FINISHED=${new Date(c.stoppedAt!).toISOString()}\n` : 'RUNNING\n';
    const from = Number(/tail -c \+(\d+)/.exec(command)![1]) - 1;
    const text = (c?.output ?? []).map((l) => `${l}\n`).join('');
    return Buffer.from(text).subarray(from, from + 15_000).toString('base64');
  }
  terminate(ids: string[]) {
    for (const id of ids) {
      const x = this.instances.get(id);
      if (!x) continue;
      this.containers.kill(id);
      x.inst.State = { Name: 'terminated' };
    }
  }
}

let fake: FakeRegion;
let h: EngineHarness | null = null;
beforeEach(() => {
  fake = new FakeRegion();
  ec2.reset();
  ssm.reset();
  ec2.on(RunInstancesCommand).callsFake((i: RunInstancesCommandInput) => fake.run(i));
  ec2.on(DescribeInstancesCommand).callsFake((i) => fake.describe(i));
  ec2.on(TerminateInstancesCommand).callsFake((i: { InstanceIds: string[] }) => {
    fake.terminate(i.InstanceIds);
    return {};
  });
  ec2.on(CreateTagsCommand).callsFake((i: { Resources: string[]; Tags: Array<{ Key: string; Value: string }> }) => {
    for (const id of i.Resources) fake.instances.get(id)?.inst.Tags!.push(...i.Tags);
    return {};
  });
  ssm.on(SendCommandCommand).callsFake((i) => fake.send(i));
  ssm.on(ListCommandInvocationsCommand).callsFake((i: { CommandId: string }) => {
    const c = fake.commands.get(i.CommandId)!;
    return { CommandInvocations: c.ids.map((InstanceId) => ({ InstanceId, Status: 'Success', CommandPlugins: [{ Output: fake.output(InstanceId, c.command) }] })) };
  });
  ssm.on(GetCommandInvocationCommand).callsFake((i: { CommandId: string; InstanceId: string }) => ({ Status: 'Success', StandardOutputContent: fake.output(i.InstanceId, fake.commands.get(i.CommandId)!.command) }));
});
afterEach(async () => {
  fake.containers.killAll();
  await h?.close();
  h = null;
});

const EC2 = ['- {name: aws, type: ec2, aws: {region: us-east-1}, ami: ami-123, subnet_id: subnet-1}'];
const running = () => [...fake.instances.values()].filter((x) => x.inst.State!.Name !== 'terminated').map((x) => x.inst.InstanceId);

describe('EC2 backend through the real engine', () => {
  it('a diamond with a failing branch, logs over SSM, a failed-only rerun, and no instance left running', async () => {
    h = await startAwsEngine(EC2);
    await diamondWithRerun(h, 'aws');
    expect(fake.instances.size).toBe(5);
    expect(running()).toEqual([]);
    // What each attempt is billed on (instance type, spot or not, real start/stop) is kept with the attempt.
    const usage = h.eng.store.db.prepare("SELECT usage_json FROM attempts WHERE task_id = 'a'").get() as { usage_json: string | null };
    expect(JSON.parse(usage.usage_json ?? 'null')).toMatchObject({ instanceType: expect.any(String) });
  });
  it('cancel terminates the instance', async () => {
    h = await startAwsEngine(EC2);
    await cancelRunning(h);
    expect(running()).toEqual([]);
    expect(ec2.commandCalls(CreateTagsCommand)).toHaveLength(1);
  });
});
