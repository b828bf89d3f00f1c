// The evidence-based final word on a job (accounting, exit-code file, Batch describe…): only a verdict ends a task.

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
