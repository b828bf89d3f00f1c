// AWS Batch: one Batch job per task attempt. Job definitions are derived from image + resources and registered
// once (reused by content hash); the job name is the submit tag so a restarted engine finds the job by tag.
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
  type ResourceRequirement,
} from '@aws-sdk/client-batch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { BackendKind } from '../../../src-shared/model/backend-kinds';
import type { AccountingQuery, Backend, LogRead, LogReadOptions, PollResult, SubmitRequest, SubmitResult } from '../types';
import type { QueueObservation } from '../../model/queue-observation';
import type { Verdict } from '../../model/verdict';
import type { AwsBlock } from './client-config';
import { fetchLogStream } from './cloudwatch-logs';
import { AwsBackendBase, type AwsBackendDeps, envFromScript, exitVerdict, isoOrNull } from './common';
import { readMirrored, writeMirror } from './log-cache';
import { TAG_KEYS, awsName, chunks, gpuCount, memoryMiB, shortHash, timeLimitSeconds } from './resources';

export interface BatchBackendConfig {
  name: string;
  aws: AwsBlock & { job_queue: string };
  job_definition: string | null;
  default_image: string | null;
  job_role_arn: string | null;
  execution_role_arn: string | null;
  log_group: string;
  max_concurrent: number;
  poll_interval?: number;
}

export type { AwsBackendDeps };

export const CANCEL_REASON = 'Cancelled by ScriptHut';
/** How long a job may be missing from DescribeJobs right after submission before it counts as vanished. */
const VANISH_GRACE_MS = 5 * 60_000;

const PENDING = new Set(['SUBMITTED', 'PENDING', 'RUNNABLE']);
const RUNNING = new Set(['STARTING', 'RUNNING']);

export class BatchBackend extends AwsBackendBase<BatchBackendConfig> implements Backend {
  readonly kind: BackendKind = 'batch';
  private readonly batch: BatchClient;
  private readonly logs: CloudWatchLogsClient;
  private readonly definitions = new Map<string, string>();

  constructor(cfg: BatchBackendConfig, deps: AwsBackendDeps) {
    super(cfg, deps, 'AWS Batch');
    this.batch = new BatchClient(this.clientConfig);
    this.logs = new CloudWatchLogsClient(this.clientConfig);
  }


  /** Batch job names allow [A-Za-z0-9_-] up to 128: the tag, made safe (findByTags searches by it). */
  jobNameForTag(tag: string): string {
    return awsName(tag, 128);
  }

  private queueFor(partition: string | null): string {
    return partition && partition !== 'normal' ? partition : this.cfg.aws.job_queue;
  }

  private resources(req: SubmitRequest): { vcpus: number; memory: number; gpus: number; list: ResourceRequirement[] } {
    const vcpus = Math.max(1, Math.floor(req.task.cpus || 1));
    const memory = memoryMiB(req.task.memory);
    const gpus = gpuCount(req.task.gres);
    const list: ResourceRequirement[] = [
      { type: 'VCPU', value: String(vcpus) },
      { type: 'MEMORY', value: String(memory) },
    ];
    if (gpus > 0) list.push({ type: 'GPU', value: String(gpus) });
    return { vcpus, memory, gpus, list };
  }

  /** The job definition for an image + resources: the configured one, or one registered once per content hash. */
  private async definitionFor(image: string | null, res: ResourceRequirement[]): Promise<string> {
    if (this.cfg.job_definition) return this.cfg.job_definition;
    const img = image ?? this.cfg.default_image;
    if (!img) throw new Error(`batch backend '${this.cfg.name}': the task sets no image and the backend has no default_image or job_definition`);
    const content = JSON.stringify([img, res, this.cfg.job_role_arn, this.cfg.execution_role_arn, this.cfg.log_group]);
    const name = `scripthut-${shortHash(content)}`;
    const cached = this.definitions.get(name);
    if (cached) return cached;
    const existing = await this.calls.call(`batch:DescribeJobDefinitions name=${name}`, () => this.batch.send(new DescribeJobDefinitionsCommand({ jobDefinitionName: name, status: 'ACTIVE' })));
    const active = (existing.jobDefinitions ?? []).sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0))[0];
    let arn = active?.jobDefinitionArn;
    if (!arn) {
      const reg = await this.calls.call(`batch:RegisterJobDefinition name=${name}`, () =>
        this.batch.send(
          new RegisterJobDefinitionCommand({
            jobDefinitionName: name,
            type: 'container',
            propagateTags: true,
            tags: { 'scripthut:definition': content.slice(0, 256) },
            containerProperties: {
              image: img,
              command: ['bash', '-c', 'echo "ScriptHut placeholder: the command comes with each job"'],
              resourceRequirements: res,
              ...(this.cfg.job_role_arn ? { jobRoleArn: this.cfg.job_role_arn } : {}),
              ...(this.cfg.execution_role_arn ? { executionRoleArn: this.cfg.execution_role_arn } : {}),
              logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': this.cfg.log_group } },
            },
          }),
        ),
      );
      arn = reg.jobDefinitionArn ?? `${name}:${reg.revision ?? 1}`;
    }
    this.definitions.set(name, arn);
    return arn;
  }

  async submit(req: SubmitRequest): Promise<SubmitResult> {
    const res = this.resources(req);
    const jobDefinition = await this.definitionFor(req.task.image, res.list);
    const timeout = timeLimitSeconds(req.task.time_limit);
    const jobName = this.jobNameForTag(req.tag);
    const environment = [
      ...envFromScript(req.script),
      { name: 'SCRIPTHUT_TAG', value: req.tag },
    ];
    await this.logIndex.prepare(req.tag, req.logs);
    const out = await this.calls.call(`batch:SubmitJob queue=${this.queueFor(req.task.partition)} name=${jobName}`, () =>
      this.batch.send(
        new SubmitJobCommand({
          jobName,
          jobQueue: this.queueFor(req.task.partition),
          jobDefinition,
          containerOverrides: { command: ['bash', '-c', req.script], environment, resourceRequirements: res.list },
          // The engine retries (rerun / task retries); Batch must not run an attempt twice on its own.
          retryStrategy: { attempts: 1 },
          ...(timeout !== null && timeout >= 60 ? { timeout: { attemptDurationSeconds: timeout } } : {}),
          propagateTags: true,
          tags: { [TAG_KEYS.tag]: req.tag, [TAG_KEYS.backend]: this.cfg.name, [TAG_KEYS.run]: req.runId, [TAG_KEYS.task]: req.taskId.slice(0, 256), 'scripthut:name': req.jobName.slice(0, 256) },
        }),
      ),
    );
    if (!out.jobId) throw new Error(`batch:SubmitJob returned no jobId for ${jobName}`);
    const jobId = out.jobId;
    // The job exists now: a local disk problem must not turn it into a failed submission (it would run twice).
    await this.logIndex.bind(jobId, req.logs).catch((err) =>
      console.warn(`[aws] batch job ${jobId}: cannot record its log location: ${(err as Error).message}`),
    );
    return { jobId: out.jobId, submitOutput: `batch:SubmitJob jobId=${out.jobId} jobName=${out.jobName ?? jobName} definition=${jobDefinition}` };
  }

  private async describe(jobIds: string[]): Promise<Map<string, JobDetail>> {
    const found = new Map<string, JobDetail>();
    for (const group of chunks([...new Set(jobIds)], 100)) {
      const out = await this.calls.call(`batch:DescribeJobs jobs=${group.length}`, () => this.batch.send(new DescribeJobsCommand({ jobs: group })));
      for (const j of out.jobs ?? []) if (j.jobId) found.set(j.jobId, j);
    }
    return found;
  }

  async findByTags(tags: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const tag of tags) {
      const name = this.jobNameForTag(tag);
      const ids: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await this.calls.call(`batch:ListJobs queue=${this.cfg.aws.job_queue} name=${name}`, () =>
          this.batch.send(new ListJobsCommand({ jobQueue: this.cfg.aws.job_queue, filters: [{ name: 'JOB_NAME', values: [name] }], nextToken })),
        );
        for (const s of page.jobSummaryList ?? []) if (s.jobId && s.jobName === name) ids.push(s.jobId);
        nextToken = page.nextToken;
      } while (nextToken);
      if (ids.length === 0) continue;
      const details = await this.describe(ids);
      // The name is derived from the tag; the tag itself on the job is the proof (names could collide after sanitising).
      const match = [...details.values()].filter((j) => (j.tags?.[TAG_KEYS.tag] ?? tag) === tag).sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0))[0];
      if (match?.jobId) {
        found.set(tag, match.jobId);
        await this.logIndex.bindFromTag(tag, match.jobId);
      }
    }
    return found;
  }

  async poll(trackedJobIds: string[]): Promise<PollResult> {
    if (this.calls.needsHealthCheck()) {
      const queue = this.cfg.aws.job_queue;
      await this.calls.healthCheck(`batch:DescribeJobQueues queue=${queue}`, () => this.batch.send(new DescribeJobQueuesCommand({ jobQueues: [queue] })));
    }
    const jobs = new Map<string, QueueObservation>();
    const details = await this.describe(trackedJobIds);
    for (const [id, j] of details) {
      const st = j.status ?? 'UNKNOWN';
      if (PENDING.has(st)) jobs.set(id, { state: 'pending', rawState: st, pendingReason: j.statusReason ?? null });
      else if (RUNNING.has(st)) jobs.set(id, { state: 'running', rawState: st, startedAt: isoOrNull(j.startedAt) });
      // SUCCEEDED / FAILED: left the queue; accounting gives the verdict.
    }
    return { jobs, external: [] };
  }

  async accounting(queries: AccountingQuery[]): Promise<Map<string, Verdict>> {
    const verdicts = new Map<string, Verdict>();
    if (queries.length === 0) return verdicts;
    const details = await this.describe(queries.map((q) => q.jobId));
    for (const q of queries) {
      const j = details.get(q.jobId);
      if (!j) {
        if (this.now() - Date.parse(q.submittedAt) > VANISH_GRACE_MS) {
          verdicts.set(q.jobId, { outcome: 'failed', exitCode: null, reason: `lost: AWS Batch has no record of job ${q.jobId} (it vanished or expired)`, schedulerState: 'VANISHED' });
        }
        continue;
      }
      const v = this.verdictOf(j);
      if (!v) continue;
      await this.archiveLog(j).catch((err) => console.warn(`[aws] could not archive the log of Batch job ${q.jobId}: ${(err as Error).message}`));
      verdicts.set(q.jobId, v);
    }
    return verdicts;
  }

  /** Verdict for a job that reached SUCCEEDED/FAILED; null while it is still on its way. */
  verdictOf(j: JobDetail): Verdict | null {
    const st = j.status ?? 'UNKNOWN';
    if (st !== 'SUCCEEDED' && st !== 'FAILED') return null;
    const last = j.attempts?.[j.attempts.length - 1];
    const container = j.container;
    const exitCode = container?.exitCode ?? last?.container?.exitCode ?? null;
    const containerReason = container?.reason ?? last?.container?.reason ?? null;
    const res = container?.resourceRequirements ?? [];
    const vcpus = Number(res.find((r) => r.type === 'VCPU')?.value ?? container?.vcpus ?? NaN);
    const memoryMb = Number(res.find((r) => r.type === 'MEMORY')?.value ?? container?.memory ?? NaN);
    const usage = {
      instanceType: null,
      vcpus: Number.isFinite(vcpus) ? vcpus : null,
      memoryMb: Number.isFinite(memoryMb) ? memoryMb : null,
      spot: null,
      startedAt: isoOrNull(j.startedAt),
      stoppedAt: isoOrNull(j.stoppedAt),
    };
    const extra: Partial<Verdict> = { startedAt: usage.startedAt, finishedAt: usage.stoppedAt, usage };
    const statusReason = j.statusReason ?? '';
    if (st === 'FAILED' && statusReason.includes(CANCEL_REASON)) {
      return { outcome: 'cancelled', exitCode, reason: 'Cancelled', schedulerState: 'CANCELLED', ...extra };
    }
    if (st === 'SUCCEEDED') return exitVerdict(exitCode, 'SUCCEEDED', 'SUCCEEDED without a recorded exit code', extra);
    let reason: string | null = null;
    if (/OutOfMemory/i.test(containerReason ?? '') || /OutOfMemory/i.test(statusReason)) reason = `Out of memory (OOM killed): ${containerReason ?? statusReason}`;
    else if (/^Host EC2 .*terminated/i.test(statusReason) || /host.*terminated/i.test(containerReason ?? '')) reason = `Host terminated: ${statusReason || containerReason}`;
    else if (/timeout|Job attempt duration exceeded/i.test(statusReason)) reason = `Time limit reached: ${statusReason}`;
    else if (exitCode === null) reason = `lost: ${statusReason || containerReason || 'the job failed without an exit code'}`;
    return exitVerdict(exitCode, 'FAILED', reason, extra);
  }

  private logLocation(j: JobDetail): { group: string; stream: string } | null {
    const last = j.attempts?.[j.attempts.length - 1];
    const stream = j.container?.logStreamName ?? last?.container?.logStreamName;
    if (!stream) return null;
    const group = j.container?.logConfiguration?.options?.['awslogs-group'] ?? this.cfg.log_group;
    return { group, stream };
  }

  private async fetchLog(jobId: string): Promise<string | null> {
    const j = (await this.describe([jobId])).get(jobId);
    const loc = j && this.logLocation(j);
    if (!loc) return null;
    return fetchLogStream(this.logs, this.calls, loc.group, loc.stream);
  }

  /** Logs of an ended job go to the data folder once, so they stay readable offline. */
  private async archiveLog(j: JobDetail): Promise<void> {
    const file = j.jobId ? await this.logIndex.get(j.jobId) : null;
    if (!file) return;
    const loc = this.logLocation(j);
    const text = loc ? await fetchLogStream(this.logs, this.calls, loc.group, loc.stream) : null;
    await writeMirror(file, text ?? `(AWS Batch recorded no log stream for job ${j.jobId}: ${j.statusReason ?? ''})\n`, true);
  }

  async cancel(jobId: string): Promise<void> {
    await this.calls.call(`batch:TerminateJob job=${jobId}`, () => this.batch.send(new TerminateJobCommand({ jobId, reason: CANCEL_REASON })));
  }

  async readLog(file: string, opts: LogReadOptions): Promise<LogRead> {
    return readMirrored(file, opts, (jobId) => this.fetchLog(jobId));
  }

  async readFile(file: string): Promise<string> {
    return (await this.readLog(file, {})).content;
  }

  async close(): Promise<void> {
    this.batch.destroy();
    this.logs.destroy();
  }
}
