// Builds bench data for the paged-read benches through the Store's own insert/patch functions, in a real SQLite
// file: runs with realistic task definitions, statuses spread over the lifecycle, and times on finished tasks.
import type { Store } from '../../src-main/store/store';
import type { TaskStatus } from '../../src-shared/model/status';
import type { TaskPatch } from '../../src-main/model/task-runtime';

const MIX: TaskStatus[] = ['completed', 'completed', 'completed', 'completed', 'completed', 'failed', 'running', 'queued', 'pending', 'dep_failed', 'cancelled', 'settling'];

export function insertBenchRun(store: Store, runId: string, createdAt: string, tasks: number, opts: { backend?: string; workflow?: string } = {}): void {
  store.insertRun({
    id: runId, workflow_name: opts.workflow ?? 'bench', title: `bench run ${runId}`, backend_name: opts.backend ?? 'local', created_at: createdAt, finished_at: null,
    status: 'running', attempt: 1, max_concurrent: null, doc_json: '{}', halted_reason: null, cancel_requested: 0, log_dir: null,
  });
  store.insertTasks(
    runId,
    Array.from({ length: tasks }, (_, i) => ({
      task_id: `sample-${i}`,
      def_json: JSON.stringify({ id: `sample-${i}`, name: `Align sample ${i}`, command: `align --in /data/sample-${i}.fq --out /data/out/sample-${i}.bam --threads 4`, deps: [], cpus: 4, memory: '8G', time_limit: '2:00:00', partition: null }),
      retries_left: 0,
      generated_by: null,
    })),
  );
  const base = Date.parse(createdAt);
  for (let i = 0; i < tasks; i++) {
    const status = MIX[(i * 7) % MIX.length] as TaskStatus;
    if (status === 'pending') continue;
    const started = new Date(base + (i % 997) * 1000).toISOString();
    const patch: TaskPatch = { status, jobId: String(100000 + i), submittedAt: started };
    if (status !== 'queued') patch.startedAt = started;
    if (['completed', 'failed', 'cancelled', 'settling'].includes(status)) patch.finishedAt = new Date(base + (i % 997) * 1000 + ((i * 31) % 3600) * 1000).toISOString();
    if (status === 'failed') patch.exitCode = 1;
    store.patchTask(runId, `sample-${i}`, patch);
  }
}

/**
 * Best, median and worst of `reps` timings of `fn`, in milliseconds (the best is the least disturbed by load), and
 * the median CPU time of this process per call: on a shared machine wall time mostly measures the other tenants.
 */
export function timeMs(reps: number, fn: () => void): { min: number; median: number; max: number; cpuMedian: number } {
  fn(); // warm the statement cache and the page cache, as a user's second look would
  const t: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  t.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const ms = (v: number | undefined) => Number((v as number).toFixed(2));
  return { min: ms(t[0]), median: ms(t[Math.floor(t.length / 2)]), max: ms(t[t.length - 1]), cpuMedian: ms(cpu[Math.floor(cpu.length / 2)]) };
}
