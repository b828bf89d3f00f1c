// What a batch scheduler (Slurm, PBS…) looks like to the shell backend: pure command builders and output parsers,
// no I/O. Like Nextflow's grid executors, adding a scheduler = one file implementing this + recorded fixtures.
import type { BackendKind } from '../../../src-shared/model/backend-kinds';
import type { AccountingQuery, ExternalJob, ScriptContext } from '../types';
import type { ClusterInfo } from '../../model/cluster-info';
import type { QueueObservation } from '../../model/queue-observation';
import type { Verdict } from '../../model/verdict';

export interface DirectiveOptions {
  account?: string | null;
  partitionMap?: Record<string, string>;
  defaultPartition?: string | null;
  /** Queue that overrides the task's partition (PBS backends' `queue`). */
  queue?: string | null;
  /** Absolute log paths (already resolved: schedulers do not expand `~`). */
  logs: { output: string; error: string };
}

/** One line of the queue listing, in the scheduler-neutral shape the backend works with. */
export interface QueueEntry {
  jobId: string;
  name: string;
  user: string;
  partition: string | null;
  /** Scheduler's own word (PENDING, RUNNING, OUT_OF_MEMORY…). */
  rawState: string;
  observation: QueueObservation;
  submittedAt: string | null;
  reason: string | null;
}

/** How a job is found again after a crash: its scheduler name carries the idempotency tag. */
export interface TaggedJob {
  jobId: string;
  name: string;
}

export interface SchedulerDialect {
  readonly kind: BackendKind;
  /** Word used in error messages ("sbatch", "qsub"). */
  readonly submitVerb: string;

  /** Directive lines for the script header (`#SBATCH …`). Throws on values that would break a directive. */
  directives(ctx: ScriptContext, opts: DirectiveOptions): string[];
  /** Prefix of header lines that carry paths the backend must resolve (`#SBATCH`). */
  readonly directivePrefix: string;
  /** The scheduler name a job gets for (jobName, tag): contains the tag so findByTags can match it. */
  schedulerJobName(jobName: string, tag: string): string;
  /** Does this scheduler job name carry this tag? */
  nameHasTag(name: string, tag: string): boolean;

  /** Command that reads the script on stdin and submits it. */
  submitCommand(): string;
  /** Strict job-id parse; throws with the output when no unambiguous id is found. */
  parseSubmit(stdout: string, stderr: string): string;
  /** Command whose exit 0 + non-empty stdout proves the job exists (queue first, then accounting). */
  verifyCommands(jobId: string): string[];

  /** ONE command listing every job of the login user (all states still known to the queue). */
  queueCommand(): string;
  parseQueue(stdout: string): QueueEntry[];
  toExternal(entry: QueueEntry): ExternalJob;
  /** Is this queue entry still active (not finished-but-listed)? */
  isActive(entry: QueueEntry): boolean;

  /** ONE accounting command for all queries, or null if there is nothing to ask. */
  accountingCommand(queries: AccountingQuery[]): string | null;
  parseAccounting(stdout: string): Map<string, Verdict>;
  /** True when the accounting command failed because the cluster has no accounting (then use the fallback). */
  accountingDisabled(stdout: string, stderr: string): boolean;
  fallbackAccountingCommand(jobIds: string[]): string;
  parseFallbackAccounting(stdout: string, jobIds: string[]): Map<string, Verdict>;

  /** Recent jobs from accounting (for findByTags), looking back `days`. */
  recentJobsCommand(days: number): string;
  parseRecentJobs(stdout: string): TaggedJob[];

  cancelCommand(jobId: string): string;
  /** True when a failed cancel means "nothing left to cancel" (already finished or unknown job). */
  cancelWasNoop(stdout: string, stderr: string): boolean;

  clusterInfoCommand(): string;
  parseClusterInfo(stdout: string): ClusterInfo;

  /** Status note shown while the cluster has no accounting (how verdicts are reached instead). */
  readonly noAccountingNote: string;
  /** Does a failed fallback query only mean "none of these jobs is known any more"? */
  fallbackFoundNothing(stdout: string, stderr: string): boolean;
  /** Several job ids in one argument, for the verify commands (`1,2,3` on Slurm; null = one id per command). */
  jobIdList(jobIds: string[]): string | null;
  /** Replace a leading `~/` in the path values of one directive line by `home` (schedulers do not expand `~`). */
  resolveHomeInDirective(line: string, home: string): string;
  /** What a user runs by hand to look at one job (shown in errors). */
  inspectCommand(jobId: string): string;
  /** Does this verify output name the job? (Slurm prints `<id>` or `<id>;cluster`, PBS `<id>.<server>`.) */
  mentionsJob(stdout: string, jobId: string): boolean;
}

/** The hooks most schedulers share; a dialect spreads these and overrides what differs (Nextflow's
 * AbstractGridExecutor idea). */
export type DialectCore = Omit<SchedulerDialect, keyof typeof dialectDefaults> & Partial<Pick<SchedulerDialect, keyof typeof dialectDefaults>>;

export const dialectDefaults = {
  noAccountingNote: 'This cluster keeps no job accounting: a finished job without a verdict is failed by the settling timer.',
  fallbackFoundNothing: (stdout: string, stderr: string): boolean => /no jobs in the system|unknown job id/i.test(`${stdout}\n${stderr}`),
  jobIdList: (jobIds: string[]): string | null => jobIds.join(','),
  inspectCommand: (jobId: string): string => `qstat -f ${jobId}`,
  resolveHomeInDirective: (line: string, home: string): string => line.replace(/([= ])(")?~\//g, (_m, sep: string, q: string | undefined) => `${sep}${q ?? ''}${home}/`),
  mentionsJob: (stdout: string, jobId: string): boolean => stdout.split(/\s+/).some((w) => w === jobId || w.startsWith(`${jobId};`) || w.startsWith(`${jobId}.`)),
};

/** A complete dialect from the hooks a scheduler defines plus the shared defaults. */
export function defineDialect(core: DialectCore): SchedulerDialect {
  return { ...dialectDefaults, ...core } as SchedulerDialect;
}
