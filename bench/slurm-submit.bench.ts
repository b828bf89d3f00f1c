// Submission throughput through the whole app (engine → SQLite intents → SSH broker → sbatch on a real Slurm)
// versus a plain sbatch loop run on the host over the same sshd. Issue target: app ≥ 80% of the direct loop.
// Also reports the round trips per submission, from the app's own command log.
import { join } from 'node:path';
import { machineLoad, writeBenchResult, type BenchFigure } from './lib/report';
import { cancelAllJobs, commandLog, getRun, round, schedulerVerb, sleep, startSlurmBench, waitQueueEmpty, workflow, BACKEND } from './lib/slurm-engine';
import { slurmAvailability, type SlurmCluster } from '../test/harness/slurm';
import { SshCliRunner } from '../test/harness/ssh-cli-runner';

const N = Number(process.env.SCRIPTHUT_BENCH_SUBMIT_N ?? 500);

async function directLoop(cluster: SlurmCluster): Promise<{ seconds: number; ids: number }> {
  const runner = new SshCliRunner({ host: '127.0.0.1', port: cluster.sshPort, user: cluster.user, privateKeyPath: cluster.clientKeyPath, knownHostsPath: join(cluster.dir, 'ssh', 'known_hosts') });
  const t0 = performance.now();
  const r = await runner.run(`for i in $(seq ${N}); do sbatch --parsable --wrap true -o /dev/null; done`, { timeoutMs: 600_000 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.exitCode !== 0) throw new Error(`direct sbatch loop failed (exit ${r.exitCode}): ${r.stderr.slice(0, 500)}`);
  return { seconds, ids: r.stdout.split('\n').filter((l) => /^\d+/.test(l)).length };
}

async function main(): Promise<void> {
  const avail = slurmAvailability();
  if (!avail.ok) {
    console.log(`slurm-submit: SKIPPED: ${avail.reason}`);
    return;
  }
  const bench = await startSlurmBench({ maxConcurrent: N * 2, pollInterval: 5 });
  const { cluster, engine } = bench;
  try {
    // Warm-up: the SSH connection and $HOME lookup are paid once per app start, not per submission.
    const warm = await engine.api.invoke('runs.createFromWorkflow', { backend: BACKEND, workflow_name: 'warm', document: workflow(2, 'true') });
    for (let i = 0; i < 200 && (await getRun(engine, warm.id)).items.some((t) => !t.job_id); i++) {
      engine.engine.wake(BACKEND);
      await sleep(100);
    }
    // 500 runnable jobs take minutes to run through 2 CPUs: cancel between phases so each starts on an empty queue.
    cancelAllJobs(cluster);
    await waitQueueEmpty(cluster);

    const direct = await directLoop(cluster);
    cancelAllJobs(cluster);
    await waitQueueEmpty(cluster);

    const before = (await commandLog(engine)).length;
    // Count job ids from the engine's events (what the UI listens to) rather than re-reading the run all the time.
    let runId = '';
    const withJob = new Set<string>();
    const submitFailures: string[] = [];
    const unsubscribe = engine.api.subscribe((ev) => {
      if (ev.event !== 'task.changed') return;
      const p = ev.payload as { run_id: string; task: { id: string; job_id: string | null; status: string; error: string | null } };
      if (p.run_id !== runId) return;
      if (p.task.job_id) withJob.add(p.task.id);
      else if (p.task.status === 'failed') submitFailures.push(`${p.task.id}: ${p.task.error}`);
    });
    const t0 = performance.now();
    const run = await engine.api.invoke('runs.createFromWorkflow', { backend: BACKEND, workflow_name: 'submit-bench', document: workflow(N, 'true') });
    runId = run.id;
    while (withJob.size < N) {
      if (submitFailures.length) throw new Error(`submission failed: ${submitFailures[0]}`);
      if (performance.now() - t0 > 600_000) throw new Error(`only ${withJob.size}/${N} tasks have a job id after 10 minutes`);
      await sleep(20);
    }
    unsubscribe();
    const check = await getRun(engine, run.id);
    if (check.items.filter((t) => t.job_id).length !== N) throw new Error('events and runs.get disagree about job ids');
    const appSeconds = (performance.now() - t0) / 1000;
    await engine.engine.idle();
    const log = (await commandLog(engine)).slice(before);
    // The cycle's own squeue/sacct are not submission round trips; count only what the submissions issued.
    const verbs: Record<string, number> = {};
    const verbMs: Record<string, number> = {};
    for (const c of log) {
      const v = schedulerVerb(c.command) ?? c.kind;
      verbs[v] = (verbs[v] ?? 0) + 1;
      verbMs[v] = (verbMs[v] ?? 0) + (c.duration_ms ?? 0);
    }
    const meanMsByVerb = Object.fromEntries(Object.entries(verbMs).map(([v, ms]) => [v, round(ms / (verbs[v] ?? 1))]));
    const pollSqueue = log.filter((c) => /^squeue -h -t all\b/.test(c.command)).length;
    const submitRoundTrips = log.length - pollSqueue - (verbs.sacct ?? 0);
    const sbatchMs = log.filter((c) => schedulerVerb(c.command) === 'sbatch').map((c) => c.duration_ms ?? 0);
    const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

    const appRate = N / appSeconds;
    const directRate = direct.ids / direct.seconds;
    const ratio = appRate / directRate;
    const figures: BenchFigure[] = [
      { name: `app: ${N} tasks submitted (createFromWorkflow → every task has a job id)`, value: round(appRate), unit: 'tasks/s', note: `${round(appSeconds, 2)} s` },
      { name: `direct: ${N}× sbatch in one ssh call`, value: round(directRate), unit: 'jobs/s', note: `${round(direct.seconds, 2)} s, ${direct.ids} ids` },
      { name: 'app / direct', value: round(ratio * 100), unit: '%', target: '>= 80%', met: ratio >= 0.8 },
      { name: 'remote commands per submission (excl. poll squeue/sacct)', value: round(submitRoundTrips / N, 2), unit: 'commands' },
      { name: 'mean sbatch command duration in the app', value: round(mean(sbatchMs)), unit: 'ms' },
    ];
    writeBenchResult('slurm-submit', figures, { commandsByVerb: verbs, meanMsByVerb, pollSqueues: pollSqueue, ...machineLoad() });
  } finally {
    cancelAllJobs(cluster);
    await bench.stop();
  }
}

await main();
