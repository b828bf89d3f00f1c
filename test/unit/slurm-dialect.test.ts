import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  isAccountingDisabled,
  normaliseState,
  parseClusterInfo,
  parseDuration,
  parseRecentJobs,
  parseSacct,
  parseSbatchOutput,
  parseScontrolJobs,
  parseSqueue,
  sacctCommand,
  scancelWasNoop,
  slurmDialect,
  slurmDirectives,
  slurmJobName,
  slurmNameHasTag,
  slurmTimeToIso,
  squeueCommand,
} from '../../src-main/backends/dialects/slurm';
import type { ScriptContext } from '../../src-main/backends/types';
import type { TaskDefinition } from '../../src-shared/workflow/types';

const fixture = (name: string) => readFileSync(join(__dirname, '..', 'fixtures', 'slurm', name), 'utf8');

function task(over: Partial<TaskDefinition> = {}): TaskDefinition {
  return {
    id: 'align',
    name: 'Align reads',
    command: 'echo hi',
    working_dir: '~',
    partition: null,
    cpus: 2,
    memory: '4G',
    time_limit: '1:00:00',
    deps: [],
    gres: null,
    image: null,
    env: [],
    generates_source: null,
    output_file: null,
    error_file: null,
    retries: 0,
    ...over,
  };
}

function ctx(over: Partial<TaskDefinition> = {}): ScriptContext {
  return {
    runId: 'r1',
    taskId: 'align',
    attempt: 1,
    jobName: 'Align reads',
    tag: 'sh-r1-align-1',
    task: task(over),
    env: [],
    init: '',
    logs: { output: '/home/u/logs/align.out', error: '/home/u/logs/align.err' },
    outputDir: null,
    workingDir: '~',
  };
}

describe('sbatch job id parsing (strict)', () => {
  it.each([
    ['recorded --parsable', fixture('sbatch-parsable.stdout.txt'), '2'],
    ['recorded classic line', fixture('sbatch-classic.stdout.txt'), '3'],
    ['federated --parsable id;cluster', '4242;clusterA\n', '4242'],
    ['CRLF line endings', '77\r\n', '77'],
    ['profile noise around the id', 'Welcome to HPC!\nYou have 3 new mails\n981\nbye 2024\n', '981'],
    ['classic with cluster suffix', 'Submitted batch job 55 on cluster c1\n', '55'],
  ])('%s', (_label, stdout, id) => {
    expect(parseSbatchOutput(stdout, 'sbatch: warning: 123 is ignored\n')).toBe(id);
  });

  it('never takes the last token of a message as the id', () => {
    expect(() => parseSbatchOutput('sbatch: error: QOSMaxSubmitJobPerUserLimit 500\n')).toThrow(/Could not parse a job id/);
  });

  it('refuses to guess between two ids', () => {
    expect(() => parseSbatchOutput('12\n13\n')).toThrow(/several job ids \(12, 13\)/);
  });

  it('ignores warnings on stderr entirely', () => {
    expect(parseSbatchOutput('9\n', 'sbatch: warning: 11 22 33\n')).toBe('9');
  });
});

describe('squeue parsing (recorded)', () => {
  const entries = parseSqueue(fixture('squeue-mixed.txt'));
  const byId = new Map(entries.map((e) => [e.jobId, e]));

  it('reads every line of the recorded queue', () => {
    expect(entries.map((e) => e.jobId).sort()).toEqual(['1', '10', '11', '2', '3', '4', '5', '6', '7', '8', '9_[1-3]']);
  });

  it.each([
    ['6', 'running', 'RUNNING', null, '2026-11-22T03:18:33Z'],
    ['8', 'pending', 'PENDING', 'Resources', null],
    ['9_[1-3]', 'pending', 'PENDING', 'Priority', null],
    ['10', 'pending', 'PENDING', 'DependencyNeverSatisfied', null],
    ['11', 'pending', 'PENDING', 'Dependency', null],
    ['2', 'left', 'COMPLETED', null, null],
    ['4', 'left', 'FAILED', null, null],
  ])('job %s → %s (%s, reason %s)', (id, state, raw, reason, started) => {
    const e = byId.get(id);
    expect(e?.observation).toEqual({ state, rawState: raw, pendingReason: reason, startedAt: started });
  });

  it('keeps user, partition, submit time (UTC ISO) and the full name', () => {
    expect(byId.get('2')).toMatchObject({ user: 'shtest', partition: 'debug', submittedAt: '2026-11-22T03:18:20Z', name: 'rec_ok.t-ok' });
  });

  it('a job cancelled while pending gets no start time (squeue shows the cancel time there)', () => {
    const e = parseSqueue(fixture('squeue-after-cancel.txt')).find((x) => x.jobId === '8');
    expect(e?.observation).toMatchObject({ state: 'left', rawState: 'CANCELLED', startedAt: null });
  });

  it('maps OUT_OF_MEMORY and short codes instead of dropping them as unknown', () => {
    const [oom, cg, s] = parseSqueue('30|OUT_OF_MEMORY|u|p|2024-01-01T00:00:00|2024-01-01T00:00:01|None|x\n31|CG|u|p|N/A|N/A|None|y\n32|SUSPENDED|u|p|N/A|N/A|None|z\n');
    expect(oom?.observation.state).toBe('left');
    expect(oom?.rawState).toBe('OUT_OF_MEMORY');
    expect(cg?.observation.state).toBe('completing');
    expect(s?.observation.state).toBe('suspended');
  });

  it('keeps a | inside a job name and survives CRLF and junk lines', () => {
    const [e] = parseSqueue('squeue: warning: something\r\n40|RUNNING|u|debug|N/A|2024-05-01T10:00:00|None|a|b\r\n');
    expect(e).toMatchObject({ jobId: '40', name: 'a|b', observation: { state: 'running', startedAt: '2024-05-01T10:00:00Z' } });
  });

  it('is ONE query for all of the user, including finished jobs', () => {
    expect(squeueCommand()).toBe(`squeue -h -t all -u "$(id -un)" -o '%i|%T|%u|%P|%V|%S|%r|%j'`);
  });
});

describe('sacct → verdicts (recorded)', () => {
  const v = parseSacct(fixture('sacct-mixed.txt'));

  it('completed job: exit 0, MaxRSS from the .batch row, times in UTC, AllocTRES of the allocation row', () => {
    expect(v.get('2')).toEqual({
      outcome: 'completed',
      exitCode: 0,
      reason: null,
      schedulerState: 'COMPLETED',
      startedAt: '2026-11-30T20:54:22Z',
      finishedAt: '2026-11-30T20:54:24Z',
      maxRss: '2900K',
      cpuEfficiency: 0.2,
      allocTres: 'billing=1,cpu=1,mem=500M,node=1',
    });
  });

  it('exit 3 → failed with exit code 3', () => {
    expect(v.get('4')).toMatchObject({ outcome: 'failed', exitCode: 3, reason: 'Non-zero exit code', schedulerState: 'FAILED' });
  });

  it('killed for exceeding --mem (no cgroups): failed, signal 9 reported as 137', () => {
    expect(v.get('5')).toMatchObject({ outcome: 'failed', exitCode: 137, reason: 'Killed by signal 9', maxRss: '115916K', allocTres: 'billing=1,cpu=1,mem=50M,node=1' });
  });

  it('cancelled while running: cancelled, signal 15', () => {
    expect(v.get('6')).toMatchObject({ outcome: 'cancelled', exitCode: 143, reason: 'Cancelled', schedulerState: 'CANCELLED', startedAt: '2026-11-30T20:54:32Z' });
  });

  it('cancelled while pending: cancelled, no exit code, no start, nothing allocated', () => {
    expect(v.get('8')).toMatchObject({ outcome: 'cancelled', exitCode: null, reason: 'Cancelled', startedAt: null });
    expect(v.get('8')).not.toHaveProperty('allocTres');
  });
});

describe('sacct → verdicts (every final state)', () => {
  const v = parseSacct(fixture('sacct-timeout-oom.txt'));
  it.each([
    ['5', 'failed', 'TIMEOUT', 'Exceeded walltime', 143],
    ['21', 'failed', 'OUT_OF_MEMORY', 'Out of memory (OOM killed)', null],
    ['22', 'failed', 'OUT_OF_MEMORY', 'Out of memory (OOM killed)', null],
    ['23', 'failed', 'NODE_FAIL', 'Node failure', null],
    ['24', 'failed', 'PREEMPTED', 'Preempted', null],
    ['25', 'failed', 'DEADLINE', 'Deadline reached before the job could finish', null],
    ['26', 'failed', 'BOOT_FAIL', 'Node boot failure', null],
    ['27', 'failed', 'FAILED', 'Non-zero exit code', 2],
  ])('job %s → %s %s', (id, outcome, state, reason, exitCode) => {
    expect(v.get(id)).toMatchObject({ outcome, schedulerState: state, reason, exitCode });
  });

  it('gives no verdict for jobs still pending or running', () => {
    expect(v.has('28')).toBe(false);
    expect(v.has('29')).toBe(false);
  });

  it('CPU efficiency = .batch TotalCPU / (elapsed × CPUs); MaxRSS = largest step', () => {
    expect(v.get('30')).toMatchObject({ outcome: 'completed', cpuEfficiency: 75, maxRss: '2G', allocTres: 'billing=4,cpu=2,mem=1G,node=1' });
  });

  it('a later row for the same id (requeue) replaces the earlier one', () => {
    const r = parseSacct('7|FAILED|1:0|None|None|0|1|00:00:00|||x\n7|COMPLETED|0:0|2024-01-01T00:00:00|2024-01-01T00:00:05|5|1|00:00:01||billing=1,cpu=1,mem=1G,node=1|x\n');
    expect(r.get('7')).toMatchObject({ outcome: 'completed', exitCode: 0 });
  });
});

describe('sacct command', () => {
  it('batches ids and starts at the oldest submission (minus an hour), not 60 days back', () => {
    const c = sacctCommand([
      { jobId: '12', submittedAt: '2024-03-02T10:00:00.000Z' },
      { jobId: '11', submittedAt: '2024-03-01T10:30:00.000Z' },
      { jobId: '12', submittedAt: '2024-03-02T10:00:00.000Z' },
    ]);
    expect(c).toBe('sacct -n -P -j 12,11 -S 2024-03-01T09:30:00 -o JobID,State,ExitCode,Start,End,ElapsedRaw,AllocCPUS,TotalCPU,MaxRSS,AllocTRES,JobName');
  });
  it('asks nothing for no (valid) ids', () => {
    expect(sacctCommand([])).toBeNull();
    expect(sacctCommand([{ jobId: '1; rm -rf ~', submittedAt: '2024-01-01T00:00:00Z' }])).toBeNull();
  });
  it('recognises a cluster without accounting', () => {
    expect(isAccountingDisabled('', fixture('sacct-disabled.stderr.txt'))).toBe(true);
    expect(isAccountingDisabled('', 'sacct: error: Problem talking to the database: Connection refused')).toBe(false);
  });
});

describe('scontrol fallback (recorded)', () => {
  it('reads JobState and ExitCode of finished jobs, ignoring DerivedExitCode', () => {
    const v = parseScontrolJobs(fixture('scontrol-after-cancel.txt'), ['2', '4', '6', '8', '7', '999']);
    expect(v.get('2')).toMatchObject({ outcome: 'completed', exitCode: 0, startedAt: '2026-11-22T03:18:20Z', finishedAt: '2026-11-22T03:18:23Z' });
    expect(v.get('4')).toMatchObject({ outcome: 'failed', exitCode: 3, reason: 'Non-zero exit code' });
    expect(v.get('6')).toMatchObject({ outcome: 'cancelled' });
    expect(v.get('8')).toMatchObject({ outcome: 'cancelled' });
    expect(v.has('7')).toBe(false); // still running
    expect(v.has('999')).toBe(false); // unknown
  });
});

describe('directives and idempotency tag', () => {
  it('emits the #SBATCH header with mapped partition, account and absolute log paths', () => {
    const lines = slurmDirectives(ctx({ partition: 'gpu', gres: 'gpu:a100:1' }), {
      account: 'lab42',
      partitionMap: { gpu: 'gpu-a100' },
      logs: { output: '/home/u/logs/align.out', error: '/home/u/my logs/100%/align.err' },
    });
    expect(lines).toEqual([
      '#SBATCH --job-name=Align_reads.sh-r1-align-1',
      '#SBATCH --partition=gpu-a100',
      '#SBATCH --account=lab42',
      '#SBATCH --cpus-per-task=2',
      '#SBATCH --mem=4G',
      '#SBATCH --time=1:00:00',
      '#SBATCH --gres=gpu:a100:1',
      '#SBATCH --output=/home/u/logs/align.out',
      '#SBATCH --error="/home/u/my logs/100%%/align.err"',
    ]);
  });

  it('uses the default partition only when the task names none', () => {
    const lines = slurmDirectives(ctx(), { defaultPartition: 'short', logs: { output: '/a', error: '/b' } });
    expect(lines).toContain('#SBATCH --partition=short');
    expect(slurmDirectives(ctx(), { logs: { output: '/a', error: '/b' } }).some((l) => l.includes('--partition'))).toBe(false);
  });

  it('rejects values that would inject another directive or break the header', () => {
    expect(() => slurmDirectives(ctx({ memory: '4G\n#SBATCH --qos=high' }), { logs: { output: '/a', error: '/b' } })).toThrow(/task 'align': memory/);
    expect(() => slurmDirectives(ctx(), { logs: { output: '/a"b', error: '/b' } })).toThrow(/output path/);
  });

  it('puts the tag into the job name (sacct does not store --comment by default) and finds it again', () => {
    expect(slurmJobName('Align reads', 'sh-r1-align-1')).toBe('Align_reads.sh-r1-align-1');
    expect(slurmJobName('sh-r1-align-1', 'sh-r1-align-1')).toBe('sh-r1-align-1');
    expect(slurmNameHasTag('Align_reads.sh-r1-align-1', 'sh-r1-align-1')).toBe(true);
    expect(slurmNameHasTag('Align_reads.sh-r1-align-11', 'sh-r1-align-1')).toBe(false);
    expect(slurmNameHasTag('xsh-r1-align-1', 'sh-r1-align-1')).toBe(false);
  });

  it('reads recent jobs for tag lookup (recorded, array tasks included)', () => {
    const jobs = parseRecentJobs(fixture('sacct-recent.txt'));
    expect(jobs).toContainEqual({ jobId: '2', name: 'rec_ok.t-ok' });
    expect(jobs).toContainEqual({ jobId: '9_2', name: 'rec_array' });
  });
});

describe('cluster info (recorded) and helpers', () => {
  it('reads partitions, CPUs and the pending-reason tally', () => {
    const info = parseClusterInfo(fixture('cluster-info.txt'));
    expect(info.partitions).toEqual([
      { name: 'debug', isDefault: true, available: true, cpusAllocated: 2, cpusIdle: 0, cpusOther: 0, cpusTotal: 2, nodes: 1, memPerNodeMb: 24105, timeLimit: 'infinite', gpusTotal: 0 },
    ]);
    expect(info.pendingReasons).toEqual({ Resources: 1, Priority: 1, DependencyNeverSatisfied: 1, Dependency: 1 });
  });

  it('sums GPUs over node groups of a partition', () => {
    const info = parseClusterInfo('gpu|up|4/60/0/64|2|512000|2-00:00:00|gpu:a100:4(S:0-1)\ngpu|up|0/32/0/32|1|256000|2-00:00:00|gpu:2,mps:100\n--- scripthut pending reasons ---\n');
    expect(info.partitions[0]).toMatchObject({ name: 'gpu', isDefault: false, cpusTotal: 96, nodes: 3, gpusTotal: 10, memPerNodeMb: 512000 });
  });

  it.each([
    ['CANCELLED by 1001', 'CANCELLED'],
    ['OUT_OF_ME+', 'OUT_OF_MEMORY'],
    ['completed', 'COMPLETED'],
  ])('normalises state %s', (raw, want) => expect(normaliseState(raw)).toBe(want));

  it.each([
    ['00:00.244', 0.244],
    ['01:02:03', 3723],
    ['1-00:00:00', 86400],
    ['', null],
  ])('duration %s', (raw, secs) => expect(parseDuration(raw)).toBe(secs));

  it('only plain timestamps become UTC ISO', () => {
    expect(slurmTimeToIso('2026-11-22T03:18:20')).toBe('2026-11-22T03:18:20Z');
    expect(slurmTimeToIso('Unknown')).toBeNull();
    expect(slurmTimeToIso('N/A')).toBeNull();
  });

  it('scancel of a finished or unknown job is not an error', () => {
    expect(scancelWasNoop('', 'scancel: error: Kill job error on job id 5: Job/step already completing or completed')).toBe(true);
    expect(scancelWasNoop('', 'scancel: error: Kill job error on job id 5: Invalid job id specified')).toBe(true);
    expect(scancelWasNoop('', 'scancel: error: Access/permission denied')).toBe(false);
    expect(() => slurmDialect.cancelCommand('5; reboot')).toThrow(/invalid Slurm job id/);
  });
});
