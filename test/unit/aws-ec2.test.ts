// The EC2 backend (one instance per task) against recorded EC2/SSM responses: RunInstances shape (IMDSv2,
// spot, tags, idempotency token, user-data), states via DescribeInstances + SSM probe, verdicts (exit 0, exit 3,
// spot interruption, cancelled), log read in chunks over SSM and archived, orphan termination, reconcile by tag
// across pages, throttling and expired credentials.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { CreateTagsCommand, DescribeInstancesCommand, EC2Client, RunInstancesCommand, TerminateInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import { GetCommandInvocationCommand, ListCommandInvocationsCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { Ec2Backend, type Ec2BackendConfig } from '../../src-main/backends/aws/ec2-backend';
import { LOG_CHUNK_BYTES } from '../../src-main/backends/aws/ec2-user-data';
import type { SubmitRequest } from '../../src-main/backends/types';
import type { CommandLogEntry } from '../../src-main/model/command-log-entry';
import { awsError, awsTask, fixture } from '../helpers/aws-fixtures';

const recorded = fixture<Record<string, Instance & { LaunchTime: string }>>('ec2-instances.json');
const inst = (name: string, extra: Partial<Instance> = {}): Instance => ({ ...recorded[name], LaunchTime: new Date(recorded[name]!.LaunchTime), ...extra }) as Instance;
const page = (...instances: Instance[]) => ({ Reservations: [{ Instances: instances }] });

const ec2 = mockClient(EC2Client);
const ssm = mockClient(SSMClient);
let dir: string;
let log: CommandLogEntry[];
let clock: number;

function make(over: Partial<Ec2BackendConfig> = {}): Ec2Backend {
  return new Ec2Backend(
    { name: 'aws-ec2', aws: { region: 'us-east-1', profile: 'lab' }, ami: 'ami-123', subnet_id: 'subnet-1', security_group_ids: ['sg-1'], instance_types: { default: 'c5.xlarge', gpu: 'g5.xlarge' }, instance_profile_arn: 'arn:aws:iam::1:instance-profile/scripthut', default_image: null, max_instances: 5, max_concurrent: 100, idle_terminate_seconds: 600, tag_prefix: 'scripthut', extra_tags: { project: 'p1' }, spot: true, ...over },
    { dataDir: dir, commandLog: (e) => log.push(e), now: () => clock },
  );
}
function request(b: Ec2Backend, over: Partial<SubmitRequest> = {}): SubmitRequest {
  const task = awsTask({ partition: 'gpu' });
  const logs = b.defaultLogPaths('r1', 't1', 1);
  const script = b.buildScript({ runId: 'r1', taskId: 't1', attempt: 1, jobName: 'T1', tag: 'sh-r1-t1-a1', task, env: [], init: '', logs, outputDir: null, workingDir: '~' });
  return { runId: 'r1', taskId: 't1', attempt: 1, tag: 'sh-r1-t1-a1', jobName: 'T1', task, script, logs, ...over };
}

beforeEach(() => {
  ec2.reset();
  ssm.reset();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aws-ec2-'));
  log = [];
  clock = Date.parse('2026-11-30T12:00:00Z');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('Ec2Backend', () => {
  it('launches one instance per task: IMDSv2 required, spot, tags, idempotency token, user-data running the script', async () => {
    const b = make();
    ec2.on(RunInstancesCommand).resolves({ Instances: [{ InstanceId: 'i-0aaa' }] });
    const req = request(b);
    expect((await b.submit(req)).jobId).toBe('i-0aaa');
    const input = ec2.commandCalls(RunInstancesCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ ImageId: 'ami-123', InstanceType: 'g5.xlarge', MinCount: 1, MaxCount: 1, SubnetId: 'subnet-1', SecurityGroupIds: ['sg-1'], InstanceInitiatedShutdownBehavior: 'terminate', MetadataOptions: { HttpTokens: 'required' }, InstanceMarketOptions: { MarketType: 'spot' }, IamInstanceProfile: { Arn: 'arn:aws:iam::1:instance-profile/scripthut' } });
    expect(input.ClientToken).toHaveLength(64);
    const tags = Object.fromEntries(input.TagSpecifications![0]!.Tags!.map((t) => [t.Key, t.Value]));
    expect(tags).toMatchObject({ 'scripthut:tag': 'sh-r1-t1-a1', 'scripthut:backend': 'aws-ec2', project: 'p1', Name: 'scripthut-T1' });
    const userData = Buffer.from(input.UserData!, 'base64').toString('utf8');
    const b64 = /echo (\S+) \| base64 -d/.exec(userData)![1]!;
    expect(Buffer.from(b64, 'base64').toString('utf8')).toBe(req.script);
    expect(userData).toContain('docker pull python:3.12');
    expect(userData).toMatch(/echo \$\? > \/var\/run\/scripthut\/exit_code\.tmp/);
    expect(userData).toMatch(/shutdown -h \+10/);
  });

  it('pending, running, then the SSM probe finds exit 0: completed, log archived, instance terminated', async () => {
    const b = make();
    ec2.on(RunInstancesCommand).resolves({ Instances: [{ InstanceId: 'i-0aaa' }] });
    const req = request(b);
    await b.submit(req);
    ec2.on(DescribeInstancesCommand).resolvesOnce(page(inst('pending'))).resolves(page(inst('running')));
    expect((await b.poll(['i-0aaa'])).jobs.get('i-0aaa')?.state).toBe('pending');
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'probe-1' } });
    expect((await b.poll(['i-0aaa'])).jobs.get('i-0aaa')?.state).toBe('running');
    ssm.on(ListCommandInvocationsCommand).resolvesOnce({ CommandInvocations: [{ InstanceId: 'i-0aaa', Status: 'Success', CommandPlugins: [{ Output: 'RUNNING\n' }] }] });
    expect((await b.poll(['i-0aaa'])).jobs.get('i-0aaa')?.state).toBe('running');
    ssm.on(ListCommandInvocationsCommand).resolves({ CommandInvocations: [{ InstanceId: 'i-0aaa', Status: 'Success', CommandPlugins: [{ Output: 'EXIT=0 FINISHED=2026-11-30T12:05:00Z\n' }] }] });
    expect((await b.poll(['i-0aaa'])).jobs.has('i-0aaa')).toBe(false);

    // The log is longer than one SSM chunk: read in two.
    const big = 'x'.repeat(LOG_CHUNK_BYTES - 1) + '\nlast line\n';
    ssm.on(SendCommandCommand).callsFake((input: { Parameters: { commands: string[] } }) => ({ Command: { CommandId: `log:${/tail -c \+(\d+)/.exec(input.Parameters.commands[0]!)![1]}` } }));
    ssm.on(GetCommandInvocationCommand).callsFake((input: { CommandId: string }) => {
      const from = Number(input.CommandId.split(':')[1]) - 1;
      return { Status: 'Success', StandardOutputContent: Buffer.from(big).subarray(from, from + LOG_CHUNK_BYTES).toString('base64') };
    });
    ec2.on(TerminateInstancesCommand).resolves({});
    const v = (await b.accounting([{ jobId: 'i-0aaa', submittedAt: '2026-11-30T11:58:00Z' }])).get('i-0aaa');
    expect(v).toMatchObject({ outcome: 'completed', exitCode: 0, usage: { instanceType: 'c5.xlarge', vcpus: 4, spot: true, startedAt: '2026-11-30T11:58:00.000Z', stoppedAt: '2026-11-30T12:05:00Z' } });
    expect(ec2.commandCalls(TerminateInstancesCommand)[0]!.args[0].input.InstanceIds).toEqual(['i-0aaa']);
    ssm.reset();
    ssm.onAnyCommand().rejects(new Error('offline'));
    expect((await b.readLog(req.logs.output, { tail: 1 })).content).toBe('last line\n');
    expect(log.some((e) => e.command.startsWith('ssm:SendCommand probe instances=1'))).toBe(true);
  });

  it('exit 3 fails with the exit code; a spot interruption fails as host terminated; cancel tags, terminates and is cancelled', async () => {
    const b = make();
    ec2.on(DescribeInstancesCommand).resolves(page(inst('running')));
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'probe-1' } });
    await b.poll(['i-0aaa']);
    ssm.on(ListCommandInvocationsCommand).resolves({ CommandInvocations: [{ InstanceId: 'i-0aaa', Status: 'Success', CommandPlugins: [{ Output: 'EXIT=3 FINISHED=2026-11-30T12:05:00Z' }] }] });
    await b.poll(['i-0aaa']);
    ssm.on(GetCommandInvocationCommand).resolves({ Status: 'Success', StandardOutputContent: '' });
    ec2.on(TerminateInstancesCommand).resolves({});
    expect((await b.accounting([{ jobId: 'i-0aaa', submittedAt: '2026-11-30T11:58:00Z' }])).get('i-0aaa')).toMatchObject({ outcome: 'failed', exitCode: 3, reason: 'Non-zero exit code' });

    const b2 = make();
    ec2.on(DescribeInstancesCommand).resolves(page(inst('spotInterrupted')));
    expect((await b2.accounting([{ jobId: 'i-0aaa', submittedAt: '2026-11-30T11:58:00Z' }])).get('i-0aaa')).toMatchObject({ outcome: 'failed', exitCode: null, reason: expect.stringMatching(/^Host terminated: spot instance interrupted/) });

    ec2.on(CreateTagsCommand).resolves({});
    await b2.cancel('i-0aaa');
    expect(ec2.commandCalls(CreateTagsCommand)[0]!.args[0].input.Tags![0]!.Key).toBe('scripthut:cancelled');
    ec2.on(DescribeInstancesCommand).resolves(page(inst('spotInterrupted', { State: { Name: 'terminated' }, Tags: [...inst('running').Tags!, { Key: 'scripthut:cancelled', Value: 'x' }] })));
    expect((await b2.accounting([{ jobId: 'i-0aaa', submittedAt: '2026-11-30T11:58:00Z' }])).get('i-0aaa')).toMatchObject({ outcome: 'cancelled' });
  });

  it('terminates and reports an orphaned instance (tagged for this backend, no live task), never a fresh one', async () => {
    const b = make();
    const owner = fs.readFileSync(path.join(dir, 'owner-id'), 'utf8').trim();
    const mine = (i: Instance): Instance => ({ ...i, Tags: [...(i.Tags ?? []), { Key: 'scripthut:owner', Value: owner }] });
    ec2.on(DescribeInstancesCommand).resolves(page(inst('running'), mine(inst('orphan')), mine(inst('pending', { InstanceId: 'i-0new', LaunchTime: new Date('2026-11-30T11:59:00Z') }))));
    ec2.on(TerminateInstancesCommand).resolves({});
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'p' } });
    await b.poll(['i-0aaa']);
    expect(ec2.commandCalls(TerminateInstancesCommand).map((c) => c.args[0].input.InstanceIds)).toEqual([['i-0orphan']]);
    expect(b.orphansTerminated).toEqual(['i-0orphan']);
    expect(log.some((e) => /ec2:TerminateInstances instances=i-0orphan \(orphaned/.test(e.command))).toBe(true);
  });

  it("never terminates another data folder's instance of a backend with the same name", async () => {
    const b = make();
    const other = { ...inst('orphan'), Tags: [...inst('orphan').Tags!, { Key: 'scripthut:owner', Value: '00000000-0000-4000-8000-000000000000' }] };
    ec2.on(DescribeInstancesCommand).resolves(page(inst('running'), other, inst('orphan', { InstanceId: 'i-0untagged' })));
    ec2.on(TerminateInstancesCommand).resolves({});
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'p' } });
    await b.poll(['i-0aaa']);
    expect(ec2.commandCalls(TerminateInstancesCommand)).toHaveLength(0);
    expect(b.orphansTerminated).toEqual([]);
  });

  it('tags every instance it launches with its data folder id', async () => {
    const b = make();
    ec2.on(RunInstancesCommand).resolves({ Instances: [{ InstanceId: 'i-0new' }] });
    await b.submit(request(b)).catch(() => undefined);
    const owner = fs.readFileSync(path.join(dir, 'owner-id'), 'utf8').trim();
    const tags = ec2.commandCalls(RunInstancesCommand)[0]?.args[0].input.TagSpecifications?.[0]?.Tags ?? [];
    expect(tags).toContainEqual({ Key: 'scripthut:owner', Value: owner });
  });

  it('after a restart finds instances by tag across DescribeInstances pages', async () => {
    const b = make();
    ec2.on(DescribeInstancesCommand).resolvesOnce({ Reservations: [], NextToken: 'n2' }).resolvesOnce(page(inst('running')));
    const found = await b.findByTags(['sh-r1-t1-a1', 'sh-r1-t2-a1']);
    expect([...found]).toEqual([['sh-r1-t1-a1', 'i-0aaa']]);
    const calls = ec2.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input);
    expect(calls[0]!.Filters).toEqual([{ Name: 'tag:scripthut:tag', Values: ['sh-r1-t1-a1', 'sh-r1-t2-a1'] }]);
    expect(calls[1]!.NextToken).toBe('n2');
  });

  it('throttling backs off; expired credentials put the backend in error and launch nothing', async () => {
    const b = make();
    ec2.on(DescribeInstancesCommand).rejects(awsError('RequestLimitExceeded', 'Request limit exceeded.', 503));
    await expect(b.poll(['i-0aaa'])).rejects.toMatchObject({ transient: true });
    expect(b.status().state).toBe('backing_off');
    const c = make();
    ec2.on(RunInstancesCommand).rejects(awsError('AuthFailure', 'AWS was not able to validate the provided access credentials'));
    await expect(c.submit(request(c))).rejects.toMatchObject({ transient: true });
    expect(c.status()).toMatchObject({ state: 'error', detail: expect.stringContaining('aws sso login --profile lab') });
  });
});
