// Pieces every AWS backend shares: log paths in the data folder, the script (same body as Slurm/local), the
// environment handed to the container, and the shape of a verdict.
import path from 'node:path';
import type { BackendKind } from '../../../src-shared/model/backend-kinds';
import type { CommandLogSink } from '../../transport/runner';
import { safeSegment } from '../local/spool';
import { buildScript } from '../script-body';
import type { BackendCapabilities, ScriptContext } from '../types';
import type { BackendStatus } from '../../model/connection-state';
import type { Verdict } from '../../model/verdict';
import { AwsCalls } from './aws-calls';
import { awsClientConfig, type AwsBlock, type AwsClientConfig } from './client-config';
import { LogIndex } from './log-cache';

export interface AwsBackendDeps {
  dataDir: string;
  commandLog?: CommandLogSink;
  /** Default poll interval (s) from settings.poll_interval. */
  pollSeconds?: number;
  now?: () => number;
}

// Polled even with nothing in flight: that poll is what finds expired credentials before anything is submitted
// (the backend shows the fix) and, on EC2, orphaned instances to terminate. It costs one cheap call per cycle.
export const AWS_CAPABILITIES: BackendCapabilities = { sharedQueue: true, submitConcurrency: 4 };

/** One backend's folder in the data folder: its log mirrors and its job → log index. */
export function awsBackendDir(dataDir: string, backend: string): string {
  return path.join(dataDir, 'aws-logs', safeSegment(backend));
}

export function awsLogPaths(dataDir: string, backend: string, runId: string, taskId: string, attempt: number): { output: string; error: string } {
  const base = path.join(awsBackendDir(dataDir, backend), safeSegment(runId), `${safeSegment(taskId)}.${attempt}`);
  return { output: `${base}.out`, error: `${base}.err` };
}

/**
 * The script the container (or instance) runs. The environment is exported by the script itself, so a job
 * resubmitted after a restart runs with exactly what was recorded; the container also gets it as its env array.
 */
export function awsScript(ctx: ScriptContext, kindLabel: string): string {
  return buildScript(ctx, { header: [`# ScriptHut ${kindLabel} job ${ctx.jobName.replace(/[\r\n]/g, ' ')} (${ctx.tag})`] });
}

/** Environment array derived from a script's exports (KEY='value' lines), for the container definition. */
export function envFromScript(script: string): Array<{ name: string; value: string }> {
  const out: Array<{ name: string; value: string }> = [];
  for (const line of script.split('\n')) {
    const m = /^export ([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    const raw = m[2]!;
    const quoted = /^'((?:[^']|'\\'')*)'$/.exec(raw);
    if (quoted) out.push({ name: m[1]!, value: quoted[1]!.replace(/'\\''/g, "'") });
    else if (/^[A-Za-z0-9_\-+=.,/:@%^]+$/.test(raw)) out.push({ name: m[1]!, value: raw });
  }
  return out;
}

export function isoOrNull(ms: number | Date | undefined | null): string | null {
  if (ms === undefined || ms === null) return null;
  const d = ms instanceof Date ? ms : new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** The evidence rule: completed only on a recorded exit code 0. */
export function exitVerdict(exitCode: number | null | undefined, schedulerState: string, failReason: string | null, extra: Partial<Verdict>): Verdict {
  if (exitCode === 0) return { outcome: 'completed', exitCode: 0, reason: null, schedulerState, ...extra };
  if (exitCode === null || exitCode === undefined) return { outcome: 'failed', exitCode: null, reason: failReason ?? 'lost: no exit code was recorded', schedulerState, ...extra };
  const reason = failReason ?? (exitCode > 128 && exitCode < 160 ? `Killed by signal ${exitCode - 128}` : 'Non-zero exit code');
  return { outcome: 'failed', exitCode, reason, schedulerState, ...extra };
}

/** What every AWS backend config has. */
export interface AwsBackendConfigBase {
  name: string;
  aws: AwsBlock;
  max_concurrent: number;
  poll_interval?: number;
}

/**
 * The set-up and plain answers the Batch, ECS and EC2 backends share: the call wrapper (logging, counting,
 * credential errors as status), the SDK client config, the log index, and the Backend members that only
 * delegate. Subclasses add their SDK clients and the scheduler-specific calls.
 */
export abstract class AwsBackendBase<C extends AwsBackendConfigBase> {
  abstract readonly kind: BackendKind;
  readonly capabilities: BackendCapabilities = AWS_CAPABILITIES;
  readonly maxConcurrent: number;
  /** Mutable so tests can poll fast; production follows poll_interval. */
  pollIntervalMs: number;
  readonly calls: AwsCalls;
  protected readonly now: () => number;
  protected readonly clientConfig: AwsClientConfig;
  protected readonly logIndex: LogIndex;

  constructor(
    protected readonly cfg: C,
    protected readonly deps: AwsBackendDeps,
    /** Shown in the script header ("AWS Batch"). */
    private readonly scriptLabel: string,
    maxConcurrent: number = cfg.max_concurrent,
  ) {
    this.now = deps.now ?? Date.now;
    this.maxConcurrent = maxConcurrent;
    this.pollIntervalMs = (cfg.poll_interval ?? deps.pollSeconds ?? 30) * 1000;
    this.calls = new AwsCalls({ backend: cfg.name, profile: cfg.aws.profile, sink: deps.commandLog, now: this.now });
    this.clientConfig = awsClientConfig(cfg.aws);
    this.logIndex = new LogIndex(path.join(awsBackendDir(deps.dataDir, cfg.name), 'by-job'));
  }

  get name(): string {
    return this.cfg.name;
  }
  status(): BackendStatus {
    return this.calls.status();
  }
  onStatusChange(listener: (s: BackendStatus) => void): () => void {
    return this.calls.onStatusChange(listener);
  }
  defaultLogPaths(runId: string, taskId: string, attempt: number): { output: string; error: string } {
    return awsLogPaths(this.deps.dataDir, this.cfg.name, runId, taskId, attempt);
  }
  outputDir(): string | null {
    return null;
  }
  buildScript(ctx: ScriptContext): string {
    return awsScript(ctx, this.scriptLabel);
  }
}
