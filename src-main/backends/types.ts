// The one interface every backend implements (local, slurm/pbs over a shell runner, aws). The engine only talks
// to backends through this; backends never touch the store.
import type { BackendKind } from '../../src-shared/model/backend-kinds';
import type { TaskDefinition } from '../../src-shared/workflow/types';

export interface SubmitRequest {
  runId: string;
  taskId: string;
  attempt: number;
  /** Idempotency tag: unique per (run, task, attempt); the backend must be able to find the job by it later. */
  tag: string;
  /** Job name shown in the scheduler. */
  jobName: string;
  task: TaskDefinition;
  /** The complete script produced by the backend's own `buildScript` for this request. */
  script: string;
  logs: { output: string; error: string };
}

export interface SubmitResult {
  jobId: string;
  /** Raw scheduler output, kept on the attempt for diagnosis. */
  submitOutput: string;
  /** The script exactly as the scheduler received it; the engine stores it when present. */
  script?: string;
}

/** What the queue says about a job right now. Absent from the map = not in the queue. */
export type QueueState = 'pending' | 'running' | 'suspended' | 'completing' | 'left' | 'unknown';
export interface QueueObservation {
  state: QueueState;
  /** Scheduler's own word (PENDING, RUNNING, OUT_OF_MEMORY…). */
  rawState: string;
  pendingReason?: string | null;
  startedAt?: string | null;
}

export interface ExternalJob {
  jobId: string;
  name: string;
  user: string;
  state: string;
  reason: string | null;
  partition: string | null;
  submittedAt: string | null;
  startedAt: string | null;
}

export interface PollResult {
  /** Observations for the tracked job ids that are in the queue. */
  jobs: Map<string, QueueObservation>;
  /** Jobs in the queue the app did not submit (for the Jobs view). */
  external: ExternalJob[];
}

/** Evidence-based final word on a job (accounting, exit-code file, Batch describe…). */
export interface Verdict {
  outcome: 'completed' | 'failed' | 'cancelled';
  exitCode: number | null;
  /** Human reason for failed/cancelled ("Non-zero exit code", "Out of memory (OOM killed)", "lost: …"). */
  reason: string | null;
  schedulerState: string;
  startedAt?: string | null;
  finishedAt?: string | null;
  maxRss?: string | null;
  cpuEfficiency?: number | null;
  /** Cost inputs (AWS): what the task ran on and for how long. */
  usage?: { instanceType?: string | null; vcpus?: number | null; memoryMb?: number | null; spot?: boolean | null; startedAt?: string | null; stoppedAt?: string | null };
  /** Cost inputs (Slurm/PBS): the scheduler's allocated TRES, e.g. `billing=4,cpu=4,mem=8G,node=1`. */
  allocTres?: string | null;
}

export interface AccountingQuery {
  jobId: string;
  submittedAt: string;
}

export interface LogReadOptions {
  tail?: number;
  offset?: number;
}
export interface LogRead {
  content: string;
  /** Byte offset the content starts at. */
  offset: number;
  /** Byte offset to continue from (file size at the time of reading, when known). */
  nextOffset: number;
  missing: boolean;
}

export interface ScriptContext {
  runId: string;
  taskId: string;
  attempt: number;
  jobName: string;
  tag: string;
  task: TaskDefinition;
  /** Resolved environment, in order (exports are emitted in this order). */
  env: Array<[string, string]>;
  /** `init` lines (module load…), emitted before the exports. */
  init: string;
  logs: { output: string; error: string };
  outputDir: string | null;
  workingDir: string;
}

export type BackendConnectionState = 'ready' | 'connecting' | 'connected' | 'waiting_for_user' | 'backing_off' | 'error' | 'disabled';
export interface BackendStatus {
  state: BackendConnectionState;
  detail: string | null;
  retryAt: string | null;
}

export interface BackendCapabilities {
  /** Poll even with nothing of ours in flight: the queue also shows the user's other jobs (Jobs view). */
  sharedQueue: boolean;
  /** How many submissions may be in flight at once (schedulers coalesce them into batched commands). */
  submitConcurrency: number;
}

export interface Backend {
  readonly name: string;
  readonly kind: BackendKind;
  readonly maxConcurrent: number;
  /** How often the engine polls this backend (ms). Local is cheap; schedulers follow settings.poll_interval. */
  readonly pollIntervalMs: number;
  readonly capabilities: BackendCapabilities;
  /** Optional: the backend tells when one of its jobs ended, so the loop runs at once instead of at the next poll. */
  onJobEnd?(listener: () => void): () => void;
  status(): BackendStatus;
  onStatusChange(listener: (s: BackendStatus) => void): () => void;
  /** Where the logs of an attempt go when the task sets no output_file/error_file. */
  defaultLogPaths(runId: string, taskId: string, attempt: number): { output: string; error: string };
  /** Folder a task may write outputs (plots, markdown summary) into; null if the backend has none. */
  outputDir(runId: string, taskId: string): string | null;
  buildScript(ctx: ScriptContext): string;
  submit(req: SubmitRequest): Promise<SubmitResult>;
  /** After a crash: which of these tags already have a job? (tag → job id). Missing = never submitted. */
  findByTags(tags: string[]): Promise<Map<string, string>>;
  /** ONE queue query for all tracked jobs of this backend. */
  poll(trackedJobIds: string[]): Promise<PollResult>;
  /** Verdicts for jobs that need one, batched; ids without evidence yet are omitted. */
  accounting(queries: AccountingQuery[]): Promise<Map<string, Verdict>>;
  cancel(jobId: string): Promise<void>;
  readLog(path: string, opts: LogReadOptions): Promise<LogRead>;
  readFile(path: string): Promise<string>;
  /**
   * Optional: remove what a deleted run left on disk (logs, outputs, job folders). Best effort: the run is already
   * gone from history when this is called, and a failure only leaves files behind.
   */
  removeRunFiles?(runId: string, jobIds: string[]): Promise<void>;
  /** sources feature: run one shell script on the backend (per-run git checkouts); absent = not a shell backend. */
  runScript?(script: string, opts?: { stdin?: string; timeoutMs?: number }): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  /** Partitions, free CPUs/GPUs and the pending-reason tally, where the scheduler can tell. */
  clusterInfo?(): Promise<ClusterInfo>;
  onJobEnd?(listener: () => void): () => void;
  close(): Promise<void>;
}

/** What a scheduler says about its partitions (kept here, not in the dialect, so the dialect can import this file). */
export interface PartitionInfo {
  name: string;
  isDefault: boolean;
  available: boolean;
  cpusAllocated: number;
  cpusIdle: number;
  cpusOther: number;
  cpusTotal: number;
  nodes: number;
  memPerNodeMb: number | null;
  timeLimit: string | null;
  gpusTotal: number;
}

export interface ClusterInfo {
  partitions: PartitionInfo[];
  /** Pending reason → number of pending jobs with it (all users). */
  pendingReasons: Record<string, number>;
}
