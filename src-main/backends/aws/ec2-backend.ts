// AWS EC2, one instance per task attempt (no SSH, no session-manager plugin): RunInstances with IMDSv2 required
// and a user-data that runs the script and records its exit code in a file; SSM RunShellScript reads that file
// (status) and the log (chunks); the instance is terminated once the verdict is in, on cancel and on failure,
// and any instance of this backend that no live task owns is terminated and reported.
import {
  CreateTagsCommand,
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type Instance,
  type _InstanceType,
} from '@aws-sdk/client-ec2';
import { GetCommandInvocationCommand, ListCommandInvocationsCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { BackendKind } from '../../../src-shared/model/backend-kinds';
import type { AccountingQuery, Backend, LogRead, LogReadOptions, PollResult, SubmitRequest, SubmitResult } from '../types';
import type { QueueObservation } from '../../model/queue-observation';
import type { Verdict } from '../../model/verdict';
import type { AwsBlock } from './client-config';
import { AwsBackendBase, type AwsBackendDeps, exitVerdict, isoOrNull } from './common';
import { LOG_CHUNK_BYTES, PROBE_COMMAND, USER_DATA_LIMIT, ec2UserData, logChunkCommand, parseProbe } from './ec2-user-data';
import { readMirrored, writeMirror } from './log-cache';
import { TAG_KEYS, chunks, shortHash, timeLimitSeconds } from './resources';
import { dataFolderOwnerId } from './owner-id';

export interface Ec2BackendConfig {
  name: string;
  aws: AwsBlock;
  ami: string;
  subnet_id: string;
  security_group_ids: string[];
  instance_types: Record<string, string>;
  instance_profile_arn: string | null;
  default_image: string | null;
  max_instances: number;
  max_concurrent: number;
  idle_terminate_seconds: number;
  tag_prefix: string;
  extra_tags: Record<string, string>;
  spot?: boolean;
  poll_interval?: number;
}

const CANCELLED_TAG = 'scripthut:cancelled';
/** An untracked instance younger than this may be a submission the engine has not recorded yet. */
const ORPHAN_GRACE_MS = 10 * 60_000;
const GONE = new Set(['shutting-down', 'terminated', 'stopping', 'stopped']);

export class Ec2Backend extends AwsBackendBase<Ec2BackendConfig> implements Backend {
  readonly kind: BackendKind = 'ec2';
  private readonly ec2: EC2Client;
  private readonly ssm: SSMClient;
  /** Exit codes read from instances (the file the user-data wrote). */
  private readonly exits = new Map<string, { exitCode: number; finishedAt: string | null }>();
  /** The SSM probe sent last cycle, read back this cycle. */
  private probe: string[] = [];
  private readonly live = new Set<string>();
  /** Orphans terminated, for the report (backend status detail and the command log). */
  readonly orphansTerminated: string[] = [];
  /** How long to wait for an SSM command to finish (log reads). */
  ssmWaitMs = 60_000;

  constructor(cfg: Ec2BackendConfig, deps: AwsBackendDeps) {
    super(cfg, deps, 'AWS EC2', Math.min(cfg.max_concurrent, cfg.max_instances));
    this.ec2 = new EC2Client(this.clientConfig);
    this.ssm = new SSMClient(this.clientConfig);
    this.ownerId = dataFolderOwnerId(deps.dataDir);
  }

  /** This data folder's id, tagged on every instance it launches (see owner-id.ts). */
  private readonly ownerId: string;


  instanceTypeFor(partition: string | null): string {
    const types = this.cfg.instance_types;
    if (partition && partition !== 'normal' && types[partition]) return types[partition];
    return types.default ?? types[Object.keys(types).sort()[0] ?? ''] ?? 'c5.xlarge';
  }

  async submit(req: SubmitRequest): Promise<SubmitResult> {
    if (this.live.size >= this.cfg.max_instances) {
      throw Object.assign(new Error(`ec2 backend '${this.cfg.name}' already runs max_instances=${this.cfg.max_instances} instances`), { transient: true });
    }
    const image = req.task.image ?? this.cfg.default_image;
    const userData = ec2UserData({ script: req.script, image, timeLimitSeconds: timeLimitSeconds(req.task.time_limit) ?? 3600, idleSeconds: this.cfg.idle_terminate_seconds });
    if (Buffer.byteLength(userData) > USER_DATA_LIMIT) {
      throw new Error(`ec2 backend '${this.cfg.name}': task '${req.taskId}' script is too large for EC2 user-data (${Buffer.byteLength(userData)} bytes, limit ${USER_DATA_LIMIT}); move the command into a file in the image or the AMI`);
    }
    const instanceType = this.instanceTypeFor(req.task.partition);
    const tags = [
      { Key: TAG_KEYS.tag, Value: req.tag },
      { Key: TAG_KEYS.backend, Value: this.cfg.name },
      { Key: TAG_KEYS.run, Value: req.runId },
      { Key: TAG_KEYS.task, Value: req.taskId.slice(0, 256) },
      { Key: TAG_KEYS.owner, Value: this.ownerId },
      { Key: `${this.cfg.tag_prefix}:backend`, Value: this.cfg.name },
      { Key: 'Name', Value: `scripthut-${req.jobName}`.slice(0, 255) },
      ...Object.entries(this.cfg.extra_tags).map(([Key, Value]) => ({ Key, Value })),
    ].filter((t, i, all) => all.findIndex((x) => x.Key === t.Key) === i);
    await this.logIndex.prepare(req.tag, req.logs);
    const out = await this.calls.call(`ec2:RunInstances type=${instanceType} tag=${req.tag}`, () =>
      this.ec2.send(
        new RunInstancesCommand({
          ImageId: this.cfg.ami,
          InstanceType: instanceType as _InstanceType,
          MinCount: 1,
          MaxCount: 1,
          SubnetId: this.cfg.subnet_id,
          ...(this.cfg.security_group_ids.length ? { SecurityGroupIds: this.cfg.security_group_ids } : {}),
          ...(this.cfg.instance_profile_arn ? { IamInstanceProfile: { Arn: this.cfg.instance_profile_arn } } : {}),
          UserData: Buffer.from(userData, 'utf8').toString('base64'),
          InstanceInitiatedShutdownBehavior: 'terminate',
          MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
          ...(this.cfg.spot ? { InstanceMarketOptions: { MarketType: 'spot', SpotOptions: { SpotInstanceType: 'one-time', InstanceInterruptionBehavior: 'terminate' } } } : {}),
          // Same tag = same token: a retried RunInstances after a lost reply returns the same instance.
          ClientToken: shortHash(`${this.cfg.name}|${req.tag}`, 64),
          TagSpecifications: [
            { ResourceType: 'instance', Tags: tags },
            { ResourceType: 'volume', Tags: tags },
          ],
        }),
      ),
    );
    const id = out.Instances?.[0]?.InstanceId;
    if (!id) throw new Error(`ec2:RunInstances returned no instance for ${req.tag}`);
    this.live.add(id);
    await this.logIndex.bind(id, req.logs).catch((err) =>
      console.warn(`[aws] ec2 instance ${id}: cannot record its log location: ${(err as Error).message}`),
    );
    return { jobId: id, submitOutput: `ec2:RunInstances instance=${id} type=${instanceType} ami=${this.cfg.ami}${this.cfg.spot ? ' spot' : ''}` };
  }

  /** Instances of this backend (filter by the backend tag), or the given ids; all pages. */
  private async describe(input: { ids?: string[]; tagFilter?: { key: string; values: string[] } }, label: string): Promise<Instance[]> {
    const out: Instance[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.calls.call(label + (NextToken ? ' next' : ''), () =>
        this.ec2.send(
          new DescribeInstancesCommand(
            input.ids
              ? { InstanceIds: input.ids, NextToken }
              : { Filters: [{ Name: `tag:${input.tagFilter?.key ?? TAG_KEYS.backend}`, Values: input.tagFilter?.values ?? [this.cfg.name] }], NextToken },
          ),
        ),
      );
      for (const r of page.Reservations ?? []) out.push(...(r.Instances ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    return out;
  }

  async findByTags(tags: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const group of chunks(tags, 100)) {
      const instances = await this.describe({ tagFilter: { key: TAG_KEYS.tag, values: group } }, `ec2:DescribeInstances tags=${group.length}`);
      for (const i of instances.sort((a, b) => Number(a.LaunchTime ?? 0) - Number(b.LaunchTime ?? 0))) {
        const tag = i.Tags?.find((t) => t.Key === TAG_KEYS.tag)?.Value;
        if (tag && i.InstanceId && !found.has(tag) && i.Tags?.some((t) => t.Key === TAG_KEYS.backend && t.Value === this.cfg.name)) {
          found.set(tag, i.InstanceId);
          await this.logIndex.bindFromTag(tag, i.InstanceId);
          if (!GONE.has(i.State?.Name ?? '')) this.live.add(i.InstanceId);
        }
      }
    }
    return found;
  }

  async poll(trackedJobIds: string[]): Promise<PollResult> {
    const tracked = new Set(trackedJobIds);
    const jobs = new Map<string, QueueObservation>();
    const instances = await this.describe({}, 'ec2:DescribeInstances backend');
    const running: string[] = [];
    for (const i of instances) {
      const id = i.InstanceId!;
      const state = i.State?.Name ?? 'unknown';
      if (!tracked.has(id)) {
        // Another engine's instance (same backend name, other data folder) is never ours to terminate.
        const ours = i.Tags?.some((t) => t.Key === TAG_KEYS.owner && t.Value === this.ownerId);
        if (ours && !GONE.has(state) && this.now() - Number(i.LaunchTime ?? this.now()) > ORPHAN_GRACE_MS) await this.terminateOrphan(i);
        continue;
      }
      // After a restart the count of live instances (max_instances) is rebuilt from what AWS reports.
      if (GONE.has(state)) this.live.delete(id);
      else this.live.add(id);
      if (GONE.has(state) || this.exits.has(id)) continue;
      if (state === 'pending') jobs.set(id, { state: 'pending', rawState: 'pending', pendingReason: 'instance starting' });
      else if (state === 'running') {
        jobs.set(id, { state: 'running', rawState: 'running', startedAt: isoOrNull(i.LaunchTime) });
        running.push(id);
      }
    }
    await this.readProbe();
    for (const id of this.exits.keys()) jobs.delete(id);
    await this.sendProbe(running.filter((id) => !this.exits.has(id)));
    return { jobs, external: [] };
  }

  /** Read back last cycle's probe: instances whose exit-code file exists have ended. */
  private async readProbe(): Promise<void> {
    const commandId = this.probe[0];
    if (!commandId) return;
    this.probe = [];
    const res = await this.calls.call(`ssm:ListCommandInvocations probe=${commandId}`, () => this.ssm.send(new ListCommandInvocationsCommand({ CommandId: commandId, Details: true })));
    for (const inv of res.CommandInvocations ?? []) {
      const parsed = parseProbe(inv.CommandPlugins?.map((p) => p.Output ?? '').join('\n') ?? '');
      if (inv.InstanceId && parsed) this.exits.set(inv.InstanceId, parsed);
    }
  }

  private async sendProbe(ids: string[]): Promise<void> {
    for (const group of chunks(ids, 50)) {
      try {
        const out = await this.calls.call(`ssm:SendCommand probe instances=${group.length}`, () =>
          this.ssm.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: group, Parameters: { commands: [PROBE_COMMAND] }, TimeoutSeconds: 60, Comment: 'scripthut status probe' })),
        );
        if (out.Command?.CommandId) this.probe.push(out.Command.CommandId);
      } catch (err) {
        // The SSM agent registers a minute or so after boot: not an error, the next cycle asks again.
        if ((err as Error).name !== 'InvalidInstanceId') throw err;
      }
    }
  }

  private async terminate(ids: string[], why: string): Promise<void> {
    if (ids.length === 0) return;
    await this.calls.call(`ec2:TerminateInstances instances=${ids.join(',')} (${why})`, () => this.ec2.send(new TerminateInstancesCommand({ InstanceIds: ids })));
    for (const id of ids) this.live.delete(id);
  }

  private async terminateOrphan(i: Instance): Promise<void> {
    const tag = i.Tags?.find((t) => t.Key === TAG_KEYS.tag)?.Value ?? '(no tag)';
    await this.terminate([i.InstanceId!], `orphaned: no live task owns ${tag}`);
    this.orphansTerminated.push(i.InstanceId!);
    console.warn(`[aws] ec2 backend '${this.cfg.name}': terminated orphaned instance ${i.InstanceId} (tag ${tag}, launched ${isoOrNull(i.LaunchTime)})`);
  }

  async accounting(queries: AccountingQuery[]): Promise<Map<string, Verdict>> {
    const verdicts = new Map<string, Verdict>();
    if (queries.length === 0) return verdicts;
    let instances: Instance[] = [];
    try {
      instances = await this.describe({ ids: queries.map((q) => q.jobId) }, `ec2:DescribeInstances instances=${queries.length}`);
    } catch (err) {
      if ((err as Error).name !== 'InvalidInstanceID.NotFound') throw err;
      // One unknown id fails the whole call: ask one by one.
      for (const q of queries) instances.push(...(await this.describe({ ids: [q.jobId] }, `ec2:DescribeInstances instances=1`).catch(() => [])));
    }
    const byId = new Map(instances.map((i) => [i.InstanceId!, i]));
    const toTerminate: string[] = [];
    for (const q of queries) {
      const i = byId.get(q.jobId);
      if (!i) {
        if (this.now() - Date.parse(q.submittedAt) > ORPHAN_GRACE_MS) verdicts.set(q.jobId, { outcome: 'failed', exitCode: null, reason: `lost: EC2 has no record of instance ${q.jobId}`, schedulerState: 'VANISHED' });
        continue;
      }
      const state = i.State?.Name ?? 'unknown';
      const exit = this.exits.get(q.jobId);
      const usage = {
        instanceType: i.InstanceType ?? null,
        vcpus: i.CpuOptions?.CoreCount ? i.CpuOptions.CoreCount * (i.CpuOptions.ThreadsPerCore ?? 1) : null,
        memoryMb: null,
        spot: i.InstanceLifecycle === 'spot' ? true : i.InstanceLifecycle ? false : !this.cfg.spot ? false : null,
        startedAt: isoOrNull(i.LaunchTime),
        stoppedAt: exit?.finishedAt ?? null,
      };
      const cancelled = i.Tags?.some((t) => t.Key === CANCELLED_TAG);
      if (cancelled) {
        verdicts.set(q.jobId, { outcome: 'cancelled', exitCode: exit?.exitCode ?? null, reason: 'Cancelled', schedulerState: 'TERMINATED', startedAt: usage.startedAt, usage });
        if (!GONE.has(state)) toTerminate.push(q.jobId);
        continue;
      }
      if (exit) {
        await this.archiveLog(q.jobId).catch((err) => console.warn(`[aws] could not archive the log of instance ${q.jobId}: ${(err as Error).message}`));
        verdicts.set(q.jobId, exitVerdict(exit.exitCode, exit.exitCode === 0 ? 'SUCCEEDED' : 'FAILED', exit.exitCode === 124 ? 'Time limit reached (timeout)' : null, { startedAt: usage.startedAt, finishedAt: exit.finishedAt, usage }));
        if (!GONE.has(state)) toTerminate.push(q.jobId);
        continue;
      }
      if (GONE.has(state)) {
        const why = i.StateReason?.Message ?? i.StateTransitionReason ?? state;
        const spotGone = /Spot/i.test(i.StateReason?.Code ?? '') || /spot/i.test(why);
        verdicts.set(q.jobId, {
          outcome: 'failed',
          exitCode: null,
          reason: spotGone ? `Host terminated: spot instance interrupted (${why})` : `Host terminated: instance ${state} before the task recorded an exit code (${why})`,
          schedulerState: 'TERMINATED_EARLY',
          startedAt: usage.startedAt,
          usage,
        });
        if (state === 'stopped' || state === 'stopping') toTerminate.push(q.jobId);
      }
    }
    // Never leave an instance running without a live task.
    await this.terminate(toTerminate, 'task ended');
    return verdicts;
  }

  async cancel(jobId: string): Promise<void> {
    // The tag is the evidence that survives a restart: a terminated instance alone could also be a crash.
    await this.calls.call(`ec2:CreateTags instance=${jobId} ${CANCELLED_TAG}`, () => this.ec2.send(new CreateTagsCommand({ Resources: [jobId], Tags: [{ Key: CANCELLED_TAG, Value: new Date(this.now()).toISOString() }] })));
    await this.terminate([jobId], 'cancelled');
  }

  /** Run a shell command on the instance through SSM and wait for its output. */
  private async ssmRun(instanceId: string, command: string, what: string): Promise<string> {
    const sent = await this.calls.call(`ssm:SendCommand ${what} instance=${instanceId}`, () =>
      this.ssm.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [instanceId], Parameters: { commands: [command] }, TimeoutSeconds: 60 })),
    );
    const CommandId = sent.Command?.CommandId;
    if (!CommandId) throw new Error(`ssm:SendCommand returned no command id for ${instanceId}`);
    const deadline = this.now() + this.ssmWaitMs;
    for (;;) {
      try {
        const inv = await this.calls.call(`ssm:GetCommandInvocation ${what} instance=${instanceId}`, () => this.ssm.send(new GetCommandInvocationCommand({ CommandId, InstanceId: instanceId })));
        if (inv.Status === 'Success') return inv.StandardOutputContent ?? '';
        if (inv.Status && !['Pending', 'InProgress', 'Delayed'].includes(inv.Status)) throw new Error(`ssm command on ${instanceId} ended ${inv.Status}: ${inv.StandardErrorContent ?? ''}`);
      } catch (err) {
        if ((err as Error).name !== 'InvocationDoesNotExist') throw err;
      }
      if (this.now() > deadline) throw new Error(`ssm command on ${instanceId} did not finish within ${this.ssmWaitMs} ms`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** The whole task log from the instance, chunk by chunk; null when the instance cannot be reached. */
  private async fetchLog(instanceId: string): Promise<string | null> {
    const parts: Buffer[] = [];
    let offset = 0;
    for (;;) {
      const b64 = (await this.ssmRun(instanceId, logChunkCommand(offset), `log offset=${offset}`)).trim();
      const chunk = Buffer.from(b64, 'base64');
      parts.push(chunk);
      offset += chunk.length;
      if (chunk.length < LOG_CHUNK_BYTES) break;
    }
    return Buffer.concat(parts).toString('utf8');
  }

  private async archiveLog(instanceId: string): Promise<void> {
    const file = await this.logIndex.get(instanceId);
    if (!file) return;
    const text = await this.fetchLog(instanceId);
    await writeMirror(file, text ?? '', true);
  }

  async readLog(file: string, opts: LogReadOptions): Promise<LogRead> {
    return readMirrored(file, opts, async (id) => (this.live.has(id) || !this.exits.has(id) ? this.fetchLog(id).catch(() => null) : null));
  }

  async readFile(file: string): Promise<string> {
    return (await this.readLog(file, {})).content;
  }

  async close(): Promise<void> {
    this.ec2.destroy();
    this.ssm.destroy();
  }
}
