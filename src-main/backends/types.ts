// The one interface every backend implements (local, slurm/pbs over a shell runner, aws). The engine only talks
// to backends through this; backends never touch the store.
import type { BackendKind } from '../../src-shared/model/backend-kinds';
import type { TaskDefinition } from '../../src-shared/workflow/types';
import type { ClusterInfo } from '../model/cluster-info';
import type { BackendStatus } from '../model/connection-state';
import type { QueueObservation } from '../model/queue-observation';
import type { Verdict } from '../model/verdict';

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

export interface AccountingQuery {
  jobId: string;
  submittedAt: string;
}

export interface LogReadOptions {
  tail?: number;
  offset?: number;
  /** Offset reads: at most this many bytes (default and upper bound: the backend's one-read cap). */
  maxBytes?: number;
}
export interface LogRead {
  content: string;
  /** Byte offset the content starts at. */
  offset: number;
  /** Byte offset to continue from (file size at the time of reading, when known). */
  nextOffset: number;
  missing: boolean;
  /** The file's size when it was read, where the backend knows it (a capped read ends before it). */
  size?: number;
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

export interface BackendCapabilities {
  /** Poll even with nothing of ours in flight: the queue also shows the user's other jobs (Jobs view). */
  sharedQueue: boolean;
  /** How many submissions may be in flight at once (schedulers coalesce them into batched commands). */
  submitConcurrency: number;
  /**
   * How many waves of `submitConcurrency` submissions the engine keeps on the wire at once (absent = 1). A backend
   * that turns a wave into a few long batched commands sets more than 1: the next wave is recorded and handed over
   * while the previous one is still answered, so its commands never wait on the engine between waves.
   */
  submitWavesInFlight?: number;
  /**
   * Jobs wait in a queue that a shorter time limit can jump (Slurm/PBS backfill). Absent = false: no queue to
   * wait in (local) or none ordered by time limits, so advice must not promise an earlier start.
   */
  backfill?: boolean;
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
  /**
   * Optional: the requests likely to be submitted next, written ahead while every slot is taken, so that
   * submitting one of them is little more than starting it. Each call replaces the previous set (what is no longer
   * listed is removed). Nothing staged counts as submitted: a restarted engine neither finds nor starts it, and
   * `submit` still decides (a staged request that differs from the one submitted is written again).
   */
  stage?(reqs: SubmitRequest[]): void;
  /**
   * Optional: remove what an earlier engine of this data folder left that is not a job (folders written ahead by
   * `stage` and never submitted). Called once when the engine takes the backend on; returns how many went.
   */
  removeLeftovers?(): Promise<number>;
  /**
   * Optional, for previews: learn now what `submit` would fill into scripts (a scheduler's $HOME for `~` paths), so
   * scripts built next carry the bytes a submission sends. Returns why that is not possible now, or null.
   */
  learnScriptPaths?(): Promise<string | null>;
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
  /** outputs + path sources: the files under a folder, in one command; absent = no file access (AWS). */
  listFiles?(dir: string, opts: ListFilesOptions): Promise<FileListing>;
  /** outputs + path sources: the bytes of files under `dir` (relative paths), in one command per call. */
  readFiles?(dir: string, paths: string[], maxBytes: number): Promise<FileRead[]>;
  /** sources feature: run one shell script on the backend (per-run git checkouts); absent = not a shell backend. */
  runScript?(script: string, opts?: { stdin?: string; timeoutMs?: number }): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  /** Partitions, free CPUs/GPUs and the pending-reason tally, where the scheduler can tell. */
  clusterInfo?(): Promise<ClusterInfo>;
  onJobEnd?(listener: () => void): () => void;
  close(): Promise<void>;
}

export interface ListFilesOptions {
  /** Levels below `dir` that are listed (1 = only its own files). */
  maxDepth: number;
  /** At most this many entries (a listing that reached it was cut). */
  limit: number;
  /** Top-level names reported whatever the limit (the run-summary fragment). */
  always?: string[];
}

export interface FileListing {
  /** False when the folder does not exist (the task wrote nothing, or it was purged). */
  exists: boolean;
  /** Paths relative to `dir` with forward slashes, regular files only (symlinks are not followed). */
  files: Array<{ path: string; size: number }>;
}

export interface FileRead {
  path: string;
  status: 'ok' | 'missing' | 'too_large';
  size: number | null;
  bytes: Buffer | null;
}
