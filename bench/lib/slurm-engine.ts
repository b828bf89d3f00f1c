// Shared setup for the Slurm benchmarks: a real Slurm (test/harness/slurm.ts) reached over its sshd by an
// in-process engine wired exactly like the app (SSH broker + ShellBackend + SQLite store), plus helpers to read the
// command log. Nothing here asserts; callers turn what they see into figures.
import type { SlurmCluster } from '../../test/harness/slurm';
import { startSlurmEngine } from '../../test/helpers/slurm-engine';
import type { RunningEngine } from '../../src-main/engine/start';
import type { RunDetail } from '../../src-shared/api/schemas';

export const BACKEND = 'hpc';

export interface SlurmBench {
  cluster: SlurmCluster;
  engine: RunningEngine;
  dir: string;
  /** Cancel every job of the login user, close the engine, stop the cluster, remove the temp folder. */
  stop(): Promise<void>;
}

export interface SlurmBenchOptions {
  maxConcurrent: number;
  /** Seconds between poll cycles when nobody wakes the backend. */
  pollInterval?: number;
}

export async function startSlurmBench(opts: SlurmBenchOptions): Promise<SlurmBench> {
  // The same cluster, pinned host key and engine wiring as the real-Slurm tests.
  const bed = await startSlurmEngine('sh-slurm-bench-', { name: BACKEND, type: 'slurm', max_concurrent: opts.maxConcurrent, poll_interval: opts.pollInterval ?? 5 });
  return {
    cluster: bed.cluster,
    engine: bed.e,
    dir: bed.dir,
    async stop() {
      cancelAllJobs(bed.cluster);
      await bed.close();
    },
  };
}

export function cancelAllJobs(cluster: SlurmCluster): void {
  cluster.run(`scancel -u ${cluster.user}`);
}

/** Wait until the login user has no job left in the queue (finished jobs listed for MinJobAge do not count). */
export async function waitQueueEmpty(cluster: SlurmCluster, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const out = cluster.run(`squeue -h -u ${cluster.user} -t PENDING,RUNNING,CONFIGURING,COMPLETING -o %i`).stdout.trim();
    if (!out) return;
    await sleep(500);
  }
  throw new Error(`slurm bench: jobs of ${cluster.user} still queued after ${timeoutMs} ms; see 'squeue -u ${cluster.user}'`);
}

export function workflow(n: number, command: string): Array<{ id: string; command: string }> {
  return Array.from({ length: n }, (_, i) => ({ id: `t${String(i).padStart(4, '0')}`, command }));
}

export async function getRun(e: RunningEngine, runId: string): Promise<RunDetail> {
  return e.api.invoke('runs.get', { id: runId });
}

export interface LoggedCommand {
  at: string;
  kind: string;
  command: string;
  exit_code: number | null;
  duration_ms: number | null;
}

/** Every command the backend ran, in the order they finished (the log is returned newest first). */
export async function commandLog(e: RunningEngine, limit = 100_000): Promise<LoggedCommand[]> {
  const res = await e.api.invoke('backends.commands', { name: BACKEND, limit });
  return res.commands.map((c) => ({ at: c.at, kind: c.kind, command: c.command, exit_code: c.exit_code, duration_ms: c.duration_ms })).reverse();
}

export async function commandCounts(e: RunningEngine): Promise<Record<string, number>> {
  return (await e.api.invoke('backends.commands', { name: BACKEND, limit: 1 })).counts;
}

/** Which scheduler program a logged command runs (first of sbatch/squeue/sacct/scontrol/scancel/sinfo), if any. */
export function schedulerVerb(command: string): string | null {
  const m = /\b(sbatch|squeue|sacct|scontrol|scancel|sinfo)\b/.exec(command);
  return m ? (m[1] as string) : null;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
