// AWS ECS: one task (RunTask) per task attempt on Fargate, or on the cluster's EC2 capacity providers when
// configured. Task definitions are derived from image + resources and registered once (reused by content hash);
// RunTask carries the submit tag (tags, startedBy, clientToken) so a restarted engine finds the task by tag.
import {
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { BackendKind } from '../../../src-shared/model/backend-kinds';
import type { AccountingQuery, Backend, LogRead, LogReadOptions, PollResult, SubmitRequest, SubmitResult } from '../types';
import type { QueueObservation } from '../../model/queue-observation';
import type { Verdict } from '../../model/verdict';
import type { AwsBlock } from './client-config';
import { fetchLogStream } from './cloudwatch-logs';
import { AwsBackendBase, type AwsBackendDeps, envFromScript, exitVerdict, isoOrNull } from './common';
import { readMirrored, writeMirror } from './log-cache';
import { TAG_KEYS, chunks, gpuCount, memoryMiB, shortHash } from './resources';

export interface EcsBackendConfig {
  name: string;
  aws: AwsBlock & { cluster_name: string };
  max_concurrent: number;
  poll_interval?: number;
  default_image: string | null;
  launch_type: 'FARGATE' | 'EC2';
  capacity_providers: string[];
  subnet_ids: string[];
  security_group_ids: string[];
  assign_public_ip: boolean;
  task_role_arn: string | null;
  execution_role_arn: string | null;
  log_group: string;
}

export const ECS_CANCEL_REASON = 'Cancelled by ScriptHut';
const CONTAINER = 'task';
const STREAM_PREFIX = 'scripthut';
const VANISH_GRACE_MS = 5 * 60_000;
const PENDING = new Set(['PROVISIONING', 'PENDING', 'ACTIVATING']);

/** ECS task id (last ARN segment), the awslogs stream suffix. */
export const ecsTaskId = (arn: string) => arn.split('/').pop() ?? arn;
/** startedBy allows 36 characters: a digest of the tag. */
export const startedByFor = (tag: string) => `sh-${shortHash(tag, 32)}`;

export class EcsBackend extends AwsBackendBase<EcsBackendConfig> implements Backend {
  readonly kind: BackendKind = 'ecs';
  private readonly ecs: ECSClient;
  private readonly logs: CloudWatchLogsClient;
  private readonly definitions = new Map<string, string>();

  constructor(cfg: EcsBackendConfig, deps: AwsBackendDeps) {
    super(cfg, deps, 'AWS ECS');
    this.ecs = new ECSClient(this.clientConfig);
    this.logs = new CloudWatchLogsClient(this.clientConfig);
  }

  private get cluster(): string {
    return this.cfg.aws.cluster_name;
  }
  private get fargate(): boolean {
    return this.cfg.capacity_providers.length === 0 && this.cfg.launch_type === 'FARGATE';
  }

  private async definitionFor(image: string | null, vcpus: number, memory: number, gpus: number): Promise<string> {
    const img = image ?? this.cfg.default_image;
    if (!img) throw new Error(`ecs backend '${this.cfg.name}': the task sets no image and the backend has no default_image`);
    const content = JSON.stringify([img, vcpus, memory, gpus, this.fargate, this.cfg.task_role_arn, this.cfg.execution_role_arn, this.cfg.log_group]);
    const family = `scripthut-${shortHash(content)}`;
    const cached = this.definitions.get(family);
    if (cached) return cached;
    let arn: string | undefined;
    try {
      const d = await this.calls.call(`ecs:DescribeTaskDefinition family=${family}`, () => this.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: family })));
      if (d.taskDefinition?.status === 'ACTIVE') arn = d.taskDefinition.taskDefinitionArn;
    } catch (err) {
      if ((err as Error).name !== 'ClientException') throw err;
    }
    if (!arn) {
      const reg = await this.calls.call(`ecs:RegisterTaskDefinition family=${family}`, () =>
        this.ecs.send(
          new RegisterTaskDefinitionCommand({
            family,
            requiresCompatibilities: [this.fargate ? 'FARGATE' : 'EC2'],
            networkMode: 'awsvpc',
            cpu: String(vcpus * 1024),
            memory: String(memory),
            ...(this.cfg.task_role_arn ? { taskRoleArn: this.cfg.task_role_arn } : {}),
            ...(this.cfg.execution_role_arn ? { executionRoleArn: this.cfg.execution_role_arn } : {}),
            tags: [{ key: 'scripthut:definition', value: shortHash(content, 40) }],
            containerDefinitions: [
              {
                name: CONTAINER,
                image: img,
                essential: true,
                command: ['bash', '-c', 'echo "ScriptHut placeholder: the command comes with each task"'],
                ...(gpus > 0 ? { resourceRequirements: [{ type: 'GPU', value: String(gpus) }] } : {}),
                logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': this.cfg.log_group, 'awslogs-region': this.cfg.aws.region, 'awslogs-stream-prefix': STREAM_PREFIX, 'awslogs-create-group': 'true' } },
              },
            ],
          }),
        ),
      );
      arn = reg.taskDefinition?.taskDefinitionArn;
      if (!arn) throw new Error(`ecs:RegisterTaskDefinition returned no ARN for ${family}`);
    }
    this.definitions.set(family, arn);
    return arn;
  }

  async submit(req: SubmitRequest): Promise<SubmitResult> {
    const vcpus = Math.max(1, Math.floor(req.task.cpus || 1));
    const memory = memoryMiB(req.task.memory);
    const taskDefinition = await this.definitionFor(req.task.image, vcpus, memory, gpuCount(req.task.gres));
    const placement = this.cfg.capacity_providers.length
      ? { capacityProviderStrategy: this.cfg.capacity_providers.map((capacityProvider) => ({ capacityProvider, weight: 1 })) }
      : { launchType: this.cfg.launch_type };
    await this.logIndex.prepare(req.tag, req.logs);
    const out = await this.calls.call(`ecs:RunTask cluster=${this.cluster} tag=${req.tag}`, () =>
      this.ecs.send(
        new RunTaskCommand({
          cluster: this.cluster,
          taskDefinition,
          count: 1,
          ...placement,
          ...(this.cfg.subnet_ids.length
            ? { networkConfiguration: { awsvpcConfiguration: { subnets: this.cfg.subnet_ids, securityGroups: this.cfg.security_group_ids, assignPublicIp: this.cfg.assign_public_ip ? 'ENABLED' : 'DISABLED' } } }
            : {}),
          overrides: { containerOverrides: [{ name: CONTAINER, command: ['bash', '-c', req.script], environment: [...envFromScript(req.script), { name: 'SCRIPTHUT_TAG', value: req.tag }] }] },
          startedBy: startedByFor(req.tag),
          clientToken: shortHash(`${this.cfg.name}|${req.tag}`, 64),
          tags: [
            { key: TAG_KEYS.tag, value: req.tag },
            { key: TAG_KEYS.backend, value: this.cfg.name },
            { key: TAG_KEYS.run, value: req.runId },
            { key: TAG_KEYS.task, value: req.taskId.slice(0, 256) },
          ],
        }),
      ),
    );
    const arn = out.tasks?.[0]?.taskArn;
    if (!arn) {
      const why = (out.failures ?? []).map((f) => `${f.reason ?? '?'}${f.detail ? ` (${f.detail})` : ''}`).join('; ');
      throw new Error(`ecs:RunTask started no task on cluster '${this.cluster}'${why ? `: ${why}` : ''}`);
    }
    await this.logIndex.bind(arn, req.logs).catch((err) =>
      console.warn(`[aws] ecs task ${arn}: cannot record its log location: ${(err as Error).message}`),
    );
    return { jobId: arn, submitOutput: `ecs:RunTask task=${arn} definition=${taskDefinition}` };
  }

  private async describe(arns: string[], withTags = false): Promise<{ tasks: Map<string, Task>; missing: Set<string> }> {
    const tasks = new Map<string, Task>();
    const missing = new Set<string>();
    for (const group of chunks([...new Set(arns)], 100)) {
      const out = await this.calls.call(`ecs:DescribeTasks tasks=${group.length}`, () => this.ecs.send(new DescribeTasksCommand({ cluster: this.cluster, tasks: group, ...(withTags ? { include: ['TAGS'] } : {}) })));
      for (const t of out.tasks ?? []) if (t.taskArn) tasks.set(t.taskArn, t);
      for (const f of out.failures ?? []) if (f.arn && f.reason === 'MISSING') missing.add(f.arn);
    }
    return { tasks, missing };
  }

  async findByTags(tags: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const tag of tags) {
      const arns: string[] = [];
      for (const desiredStatus of ['RUNNING', 'STOPPED'] as const) {
        let nextToken: string | undefined;
        do {
          const page = await this.calls.call(`ecs:ListTasks startedBy=${startedByFor(tag)} ${desiredStatus}`, () => this.ecs.send(new ListTasksCommand({ cluster: this.cluster, startedBy: startedByFor(tag), desiredStatus, nextToken })));
          arns.push(...(page.taskArns ?? []));
          nextToken = page.nextToken;
        } while (nextToken);
      }
      if (arns.length === 0) continue;
      const { tasks } = await this.describe(arns, true);
      const match = [...tasks.values()].filter((t) => t.tags?.some((x) => x.key === TAG_KEYS.tag && x.value === tag)).sort((a, b) => Number(a.createdAt ?? 0) - Number(b.createdAt ?? 0))[0];
      if (match?.taskArn) {
        found.set(tag, match.taskArn);
        await this.logIndex.bindFromTag(tag, match.taskArn);
      }
    }
    return found;
  }

  async poll(trackedJobIds: string[]): Promise<PollResult> {
    if (this.calls.needsHealthCheck()) {
      await this.calls.healthCheck(`ecs:DescribeClusters cluster=${this.cluster}`, () => this.ecs.send(new DescribeClustersCommand({ clusters: [this.cluster] })));
    }
    const jobs = new Map<string, QueueObservation>();
    const { tasks } = await this.describe(trackedJobIds);
    for (const [arn, t] of tasks) {
      const st = t.lastStatus ?? 'UNKNOWN';
      if (PENDING.has(st)) jobs.set(arn, { state: 'pending', rawState: st, pendingReason: st === 'PROVISIONING' ? 'provisioning capacity' : null });
      else if (st === 'RUNNING') jobs.set(arn, { state: 'running', rawState: st, startedAt: isoOrNull(t.startedAt) });
      else if (st !== 'STOPPED') jobs.set(arn, { state: 'completing', rawState: st });
    }
    return { jobs, external: [] };
  }

  async accounting(queries: AccountingQuery[]): Promise<Map<string, Verdict>> {
    const verdicts = new Map<string, Verdict>();
    if (queries.length === 0) return verdicts;
    const { tasks, missing } = await this.describe(queries.map((q) => q.jobId));
    for (const q of queries) {
      const t = tasks.get(q.jobId);
      if (!t) {
        if (missing.has(q.jobId) && this.now() - Date.parse(q.submittedAt) > VANISH_GRACE_MS) {
          verdicts.set(q.jobId, { outcome: 'failed', exitCode: null, reason: `lost: ECS has no record of task ${q.jobId} (stopped tasks are kept about an hour)`, schedulerState: 'VANISHED' });
        }
        continue;
      }
      const v = this.verdictOf(t);
      if (!v) continue;
      await this.archiveLog(q.jobId).catch((err) => console.warn(`[aws] could not archive the log of ECS task ${q.jobId}: ${(err as Error).message}`));
      verdicts.set(q.jobId, v);
    }
    return verdicts;
  }

  verdictOf(t: Task): Verdict | null {
    if (t.lastStatus !== 'STOPPED') return null;
    const c = t.containers?.find((x) => x.name === CONTAINER) ?? t.containers?.[0];
    const exitCode = c?.exitCode ?? null;
    const usage = {
      instanceType: null,
      vcpus: t.cpu ? Number(t.cpu) / 1024 : null,
      memoryMb: t.memory ? Number(t.memory) : null,
      spot: t.capacityProviderName ? /SPOT/i.test(t.capacityProviderName) : t.launchType === 'FARGATE' ? false : null,
      startedAt: isoOrNull(t.startedAt),
      stoppedAt: isoOrNull(t.stoppedAt),
    };
    const extra: Partial<Verdict> = { startedAt: usage.startedAt, finishedAt: usage.stoppedAt, usage };
    const stopped = t.stoppedReason ?? '';
    if (t.stopCode === 'UserInitiated' && stopped.includes(ECS_CANCEL_REASON)) return { outcome: 'cancelled', exitCode, reason: 'Cancelled', schedulerState: 'STOPPED', ...extra };
    let reason: string | null = null;
    if (/OutOfMemory/i.test(c?.reason ?? '')) reason = `Out of memory (OOM killed): ${c?.reason}`;
    else if (t.stopCode === 'SpotInterruption' || t.stopCode === 'TerminationNotice') reason = `Host terminated: ${stopped || t.stopCode}`;
    else if (t.stopCode === 'TaskFailedToStart') reason = `Task failed to start: ${stopped || c?.reason || ''}`;
    else if (exitCode === null) reason = `lost: ${stopped || c?.reason || 'the task stopped without an exit code'}`;
    return exitVerdict(exitCode, exitCode === 0 ? 'STOPPED' : (t.stopCode ?? 'STOPPED'), reason, extra);
  }

  private fetchLog(arn: string): Promise<string | null> {
    return fetchLogStream(this.logs, this.calls, this.cfg.log_group, `${STREAM_PREFIX}/${CONTAINER}/${ecsTaskId(arn)}`);
  }

  private async archiveLog(arn: string): Promise<void> {
    const file = await this.logIndex.get(arn);
    if (!file) return;
    await writeMirror(file, (await this.fetchLog(arn)) ?? '', true);
  }

  async cancel(jobId: string): Promise<void> {
    await this.calls.call(`ecs:StopTask task=${ecsTaskId(jobId)}`, () => this.ecs.send(new StopTaskCommand({ cluster: this.cluster, task: jobId, reason: ECS_CANCEL_REASON })));
  }

  async readLog(file: string, opts: LogReadOptions): Promise<LogRead> {
    return readMirrored(file, opts, (arn) => this.fetchLog(arn));
  }

  async readFile(file: string): Promise<string> {
    return (await this.readLog(file, {})).content;
  }

  async close(): Promise<void> {
    this.ecs.destroy();
    this.logs.destroy();
  }
}
