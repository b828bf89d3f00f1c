// Scheduler commands per poll cycle with many jobs in flight: 20 runs × 50 tasks on a real Slurm over SSH. Slurm
// keeps most of them PENDING (2 CPUs); a few finish during the measurement so accounting is exercised too.
// Issue target: 1 squeue and at most 1 sacct per cycle, whatever the number of runs and jobs.
import { machineLoad, writeBenchResult, type BenchFigure } from './lib/report';
import { cancelAllJobs, commandLog, round, schedulerVerb, sleep, startSlurmBench, BACKEND } from './lib/slurm-engine';
import { slurmAvailability } from '../test/harness/slurm';

const RUNS = 20;
const TASKS = 50;
const CYCLES = Number(process.env.SCRIPTHUT_BENCH_CYCLES ?? 25);
// Short enough that a handful finish (and need a verdict) while the cycles are measured.
const TASK_COMMAND = 'sleep 8';

async function main(): Promise<void> {
  const avail = slurmAvailability();
  if (!avail.ok) {
    console.log(`slurm-cycle: SKIPPED: ${avail.reason}`);
    return;
  }
  // A long poll interval: only the wakes below start cycles, so each measured cycle is exactly one cycle.
  const bench = await startSlurmBench({ maxConcurrent: RUNS * TASKS * 2, pollInterval: 3600 });
  const { cluster, engine } = bench;
  try {
    const runIds: string[] = [];
    for (let r = 0; r < RUNS; r++) {
      const doc = Array.from({ length: TASKS }, (_, i) => ({ id: `r${r}-t${i}`, command: TASK_COMMAND }));
      runIds.push((await engine.api.invoke('runs.createFromWorkflow', { backend: BACKEND, workflow_name: `cycle-${r}`, document: doc })).id);
    }
    const submitStart = performance.now();
    for (;;) {
      let withJob = 0;
      for (const id of runIds) withJob += (await engine.api.invoke('runs.get', { id })).items.filter((t) => t.job_id).length;
      if (withJob === RUNS * TASKS) break;
      if (performance.now() - submitStart > 600_000) throw new Error(`only ${withJob}/${RUNS * TASKS} tasks have a job id after 10 minutes`);
      engine.engine.wake(BACKEND);
      await sleep(250);
    }
    const submitSeconds = (performance.now() - submitStart) / 1000;
    await engine.engine.idle();

    const perCycle: Array<{ squeue: number; sacct: number; scheduler: number; all: number; ms: number }> = [];
    let seen = (await commandLog(engine)).length;
    for (let c = 0; c < CYCLES; c++) {
      const t0 = performance.now();
      engine.engine.wake(BACKEND);
      await engine.engine.idle();
      const ms = performance.now() - t0;
      const log = await commandLog(engine);
      const mine = log.slice(seen);
      seen = log.length;
      const verbs = mine.map((x) => schedulerVerb(x.command));
      perCycle.push({
        squeue: verbs.filter((v) => v === 'squeue').length,
        sacct: verbs.filter((v) => v === 'sacct').length,
        scheduler: mine.filter((x) => x.kind === 'scheduler').length,
        all: mine.length,
        ms,
      });
      await sleep(1000);
    }
    const max = (k: keyof (typeof perCycle)[number]) => Math.max(...perCycle.map((p) => p[k]));
    const avg = (k: keyof (typeof perCycle)[number]) => perCycle.reduce((a, p) => a + p[k], 0) / perCycle.length;
    const states = cluster.run(`squeue -h -u ${cluster.user} -o %T | sort | uniq -c`).stdout.trim().replace(/\s+/g, ' ');
    const finishedDuring = perCycle.filter((p) => p.sacct > 0).length;
    const figures: BenchFigure[] = [
      { name: `squeue per cycle, max (${RUNS} runs × ${TASKS} tasks in flight, ${CYCLES} cycles)`, value: max('squeue'), unit: 'commands', target: '1', met: max('squeue') === 1 && perCycle.every((p) => p.squeue === 1) },
      { name: 'squeue per cycle, average', value: round(avg('squeue'), 2), unit: 'commands' },
      { name: 'sacct per cycle, max', value: max('sacct'), unit: 'commands', target: '<= 1', met: max('sacct') <= 1 },
      { name: 'sacct per cycle, average', value: round(avg('sacct'), 2), unit: 'commands', note: `${finishedDuring} of ${CYCLES} cycles asked accounting` },
      { name: 'scheduler commands per cycle, max', value: max('scheduler'), unit: 'commands', target: '<= 2', met: max('scheduler') <= 2 },
      { name: 'all remote commands per cycle, max', value: max('all'), unit: 'commands' },
      { name: 'cycle wall time, average', value: Math.round(avg('ms')), unit: 'ms' },
      { name: `submitting ${RUNS * TASKS} tasks of ${RUNS} runs (setup)`, value: round(submitSeconds, 1), unit: 's' },
    ];
    writeBenchResult('slurm-cycle', figures, { perCycle: perCycle.map((p) => ({ ...p, ms: Math.round(p.ms) })), queueStatesAtEnd: states, ...machineLoad() });
  } finally {
    cancelAllJobs(cluster);
    await bench.stop();
  }
}

await main();
