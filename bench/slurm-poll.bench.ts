// How expensive is one poll/accounting round for many jobs? Parser throughput on big synthetic outputs, and, when
// a real Slurm can be started here (root + packages), the wall time of ONE squeue / ONE sacct for 200 jobs.
import { machineLoad, writeBenchResult, type BenchFigure } from './lib/report';
import { parseSacct, parseSqueue, slurmDialect } from '../src-main/backends/dialects/slurm';
import { ShellBackend } from '../src-main/backends/shell/shell-backend';
import { LocalRunner } from '../src-main/transport/local-runner';
import { LoggedRunner } from '../src-main/transport/runner';
import { slurmAvailability, startSlurmCluster } from '../test/harness/slurm';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

function timeIt(fn: () => void, reps: number): number {
  const t: number[] = [];
  for (let i = 0; i < reps; i += 1) {
    const s = performance.now();
    fn();
    t.push(performance.now() - s);
  }
  return median(t);
}

const N = 20_000;
const squeue = Array.from({ length: N }, (_, i) => `${1000 + i}|${i % 3 ? 'PENDING' : 'RUNNING'}|user${i % 50}|debug|2024-01-01T00:00:00|${i % 3 ? 'N/A' : '2024-01-01T00:01:00'}|${i % 3 ? 'Priority' : 'None'}|job_${i}.tag-${i}`).join('\n');
const sacct = Array.from({ length: N }, (_, i) => `${1000 + i}|COMPLETED|0:0|2024-01-01T00:00:00|2024-01-01T00:10:00|600|2|05:00.000||job_${i}\n${1000 + i}.batch|COMPLETED|0:0|2024-01-01T00:00:00|2024-01-01T00:10:00|600|2|05:00.000|123456K|batch`).join('\n');

const figures: BenchFigure[] = [
  { name: `parse squeue, ${N} jobs`, value: Math.round(timeIt(() => parseSqueue(squeue), 15) * 10) / 10, unit: 'ms', target: '< 100 ms' },
  { name: `parse sacct, ${N} jobs (2 rows each)`, value: Math.round(timeIt(() => parseSacct(sacct), 15) * 10) / 10, unit: 'ms', target: '< 200 ms' },
];
for (const f of figures) f.met = f.value < Number(/\d+/.exec(f.target ?? '')?.[0] ?? Infinity);

const avail = slurmAvailability();
if (avail.ok) {
  const cluster = await startSlurmCluster();
  try {
    process.env.SLURM_CONF = cluster.slurmConf;
    const runner = new LoggedRunner(new LocalRunner(), 'bench', () => {});
    const backend = new ShellBackend('bench', slurmDialect, runner, { maxConcurrent: 500, pollIntervalMs: 1000, closeRunner: false });
    const jobs = 200;
    // Held jobs stay in the queue without using the 2 CPUs.
    const r = cluster.run(`for i in $(seq 1 ${jobs}); do sbatch --parsable --hold -o /dev/null -J bench_$i --wrap true; done`);
    const ids = r.stdout.trim().split('\n');
    const submittedAt = new Date(Date.now() - 60_000).toISOString();
    const pollMs: number[] = [];
    for (let i = 0; i < 15; i += 1) {
      const s = performance.now();
      await backend.poll(ids);
      pollMs.push(performance.now() - s);
    }
    cluster.run(`scancel ${ids.join(' ')}`);
    await new Promise((res) => setTimeout(res, 3000));
    const accMs: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const s = performance.now();
      await backend.accounting(ids.map((jobId) => ({ jobId, submittedAt })));
      accMs.push(performance.now() - s);
    }
    figures.push(
      { name: `poll (one squeue) with ${jobs} tracked jobs, real Slurm`, value: Math.round(median(pollMs)), unit: 'ms' },
      { name: `accounting (one sacct) for ${jobs} jobs, real Slurm`, value: Math.round(median(accMs)), unit: 'ms' },
      { name: 'scheduler commands issued', value: runner.commandCounts().scheduler, unit: 'commands', note: '15 polls + 10 accounting rounds' },
    );
  } finally {
    await cluster.stop();
  }
} else {
  console.log(`slurm-poll: real-cluster part skipped: ${avail.reason}`);
}

// Timings on a busy 2-core box are noisy: keep the load next to the figures.
writeBenchResult('slurm-poll', figures, machineLoad());
