// The PBS dialect against recorded-format outputs of Torque and PBS Pro (test/fixtures/pbs/): directives for
// both flavours, qsub ids, the queue, verdicts from Exit_status (and none without it), qdel, cluster info.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import {
  bareJobId,
  parsePbsAccounting,
  parsePbsClusterInfo,
  parsePbsRecentJobs,
  parseQstatFull,
  parseQstatQueue,
  parseQsubOutput,
  pbsAccountingCommand,
  pbsDialect,
  pbsMemory,
  pbsProDialect,
  pbsTimeToIso,
  pbsWalltime,
  qdelCommand,
  qdelWasNoop,
} from '../../src-main/backends/dialects/pbs';
import type { ScriptContext } from '../../src-main/backends/types';
import type { TaskDefinition } from '../../src-shared/workflow/types';

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, '../fixtures/pbs', name), 'utf8');

function ctx(over: Partial<TaskDefinition> = {}): ScriptContext {
  const task: TaskDefinition = { id: 'build', name: 'build', command: 'make', working_dir: '~', partition: null, cpus: 4, memory: '4G', time_limit: '1-02:03:04', deps: [], gres: 'gpu:a100:2', image: null, env: [], generates_source: null, output_file: null, error_file: null, retries: 0, ...over };
  return { runId: 'r1', taskId: task.id, attempt: 1, jobName: 'build', tag: 'r1-build-1-a1b2', task, env: [], init: '', logs: { output: '/home/alice/l/build.1.out', error: '/home/alice/l/build.1.err' }, outputDir: null, workingDir: '~' };
}
const logs = { output: '/home/alice/l/build.1.out', error: '/home/alice/l/build.1.err' };

describe('PBS directives', () => {
  it('writes Torque nodes/ppn syntax with mem and walltime as separate resources', () => {
    expect(pbsDialect.directives(ctx({ partition: 'gpu' }), { account: 'proj1', logs })).toEqual([
      '#PBS -N build.r1-build-1-a1b2',
      '#PBS -q gpu',
      '#PBS -A proj1',
      '#PBS -l nodes=1:ppn=4:gpus=2',
      '#PBS -l mem=4gb',
      '#PBS -l walltime=26:03:04',
      '#PBS -o /home/alice/l/build.1.out',
      '#PBS -e /home/alice/l/build.1.err',
      '#PBS -j n',
    ]);
  });

  it('writes PBS Pro select syntax, and the backend queue overrides the task partition', () => {
    const lines = pbsProDialect.directives(ctx({ partition: 'gpu', gres: null, memory: '512M' }), { queue: 'workq', logs });
    expect(lines).toContain('#PBS -q workq');
    expect(lines).toContain('#PBS -l select=1:ncpus=4:mem=512mb');
    expect(lines.some((l) => l.includes('nodes='))).toBe(false);
  });

  it.each([
    ['10', '00:10:00'],
    ['10:30', '00:10:30'],
    ['2:00:00', '02:00:00'],
    ['1-00', '24:00:00'],
    ['2-03:04', '51:04:00'],
  ])('time limit %s → walltime %s', (limit, walltime) => {
    expect(pbsWalltime(limit, 't')).toBe(walltime);
  });

  it.each([
    ['4G', '4gb'],
    ['512M', '512mb'],
    ['1024K', '1024kb'],
    ['1T', '1tb'],
    ['1024', '1024b'],
  ])('memory %s → %s', (mem, pbs) => {
    expect(pbsMemory(mem, 't')).toBe(pbs);
  });

  it('refuses values that would break a directive, naming the task', () => {
    expect(() => pbsDialect.directives(ctx({ memory: 'lots' }), { logs })).toThrow(/task 'build': memory 'lots'/);
    expect(() => pbsDialect.directives(ctx({ time_limit: 'soon' }), { logs })).toThrow(/task 'build': time_limit 'soon'/);
    expect(() => pbsDialect.directives(ctx(), { logs: { output: '/home/a b/x.out', error: '/e' } })).toThrow(/task 'build': output path "\/home\/a b\/x.out" cannot go into a #PBS directive/);
    expect(() => pbsDialect.directives(ctx({ partition: 'a;b' }), { logs })).toThrow(/queue 'a;b' is not a valid PBS value/);
  });

  it('resolves a leading ~/ in -o/-e directive paths to $HOME', () => {
    expect(pbsDialect.resolveHomeInDirective('#PBS -o ~/.cache/x.out', '/home/alice')).toBe('#PBS -o /home/alice/.cache/x.out');
  });
});

describe('qsub output', () => {
  it.each([
    [fixture('qsub-torque.txt'), '4211'],
    [fixture('qsub-pro.txt'), '1734'],
    ['99\n', '99'],
  ])('parses %j → %s', (out, id) => {
    expect(parseQsubOutput(out)).toBe(id);
  });
  it('refuses output without an id, or with two', () => {
    expect(() => parseQsubOutput('qsub: submit error (Bad UID for job execution MSG=ruserok failed)\n')).toThrow(/Could not parse a job id from qsub output/);
    expect(() => parseQsubOutput('1.a\n2.a\n')).toThrow(/several job ids \(1, 2\)/);
  });
  it('strips the server suffix', () => {
    expect(bareJobId('4211.torque-head.example.org')).toBe('4211');
    expect(bareJobId('12[].server')).toBe('12[]');
  });
});

describe('qstat -f queue', () => {
  const entries = parseQstatQueue(fixture('qstat-f-torque.txt'));
  it("keeps only the login user's jobs, with states, names, queue and times", () => {
    expect(entries.map((e) => [e.jobId, e.observation.state, e.name])).toEqual([
      ['4211', 'running', 'build.r1-build-1-a1b2'],
      ['4212', 'pending', 'test.r1-test-1-c3d4'],
      ['4190', 'left', 'old.r0-old-1-ffff'],
    ]);
    expect(entries[0]).toMatchObject({ partition: 'batch', user: 'alice', submittedAt: '2026-11-30T17:59:58Z', observation: { startedAt: '2026-11-30T18:00:03Z' } });
    expect(entries[1]?.observation.pendingReason).toBe('Not Running: Insufficient amount of resource: ncpus');
    expect(pbsDialect.isActive(entries[2] as never)).toBe(false);
  });
  it('finds job ids in verify output by their server-suffixed form only', () => {
    expect(pbsDialect.mentionsJob(fixture('qstat-f-torque.txt'), '4212')).toBe(true);
    expect(pbsDialect.mentionsJob(fixture('qstat-f-torque.txt'), '421')).toBe(false);
  });
  it('reads the time formats PBS prints', () => {
    expect(pbsTimeToIso('Mon Nov  2 08:05:09 2026')).toBe('2026-11-02T08:05:09Z');
    expect(pbsTimeToIso('1796061602')).toBe('2026-11-30T18:00:02Z');
    expect(pbsTimeToIso('--')).toBeNull();
  });
});

describe('verdicts from qstat -x -f', () => {
  const pro = parsePbsAccounting(fixture('qstat-xf-pro.txt'));
  it.each([
    ['1734', 'completed', 0, null, 'COMPLETED'],
    ['1735', 'failed', 3, 'Non-zero exit code', 'FAILED'],
    ['1736', 'failed', 143, 'Exceeded walltime', 'WALLTIME_EXCEEDED'],
    ['1737', 'cancelled', 143, 'Cancelled (qdel)', 'CANCELLED'],
    ['1738', 'cancelled', null, 'Cancelled (qdel)', 'CANCELLED'],
    ['1739', 'failed', 137, 'Killed by signal 9', 'FAILED'],
  ])('PBS Pro job %s → %s (exit %s)', (id, outcome, exitCode, reason, state) => {
    expect(pro.get(id)).toMatchObject({ outcome, exitCode, reason, schedulerState: state });
  });
  it('gives no verdict without Exit_status: the job keeps settling', () => {
    expect(pro.has('1740')).toBe(false);
  });
  it('keeps times and memory', () => {
    expect(pro.get('1734')).toMatchObject({ startedAt: '2026-11-30T18:00:01Z', finishedAt: '2026-11-30T18:01:01Z', maxRss: '5120K' });
  });
  it("reads Torque's XML form", () => {
    const torque = parsePbsAccounting(fixture('qstat-xf-torque.xml'));
    expect(torque.get('4190')).toMatchObject({ outcome: 'completed', exitCode: 0, maxRss: '3400K' });
    expect(torque.get('4191')).toMatchObject({ outcome: 'failed', exitCode: 3 });
    expect(parsePbsRecentJobs(fixture('qstat-xf-torque.xml'))).toContainEqual({ jobId: '4191', name: 'fail.r0-fail-1-&x' });
  });
  it('reads the block the tracejob fallback prints', () => {
    const v = parsePbsAccounting('Job Id: 4100\n    job_state = C\n    exit_status = 3\n\n');
    expect(v.get('4100')).toMatchObject({ outcome: 'failed', exitCode: 3 });
  });
  it('asks for all jobs in one command and refuses odd ids', () => {
    const c = pbsAccountingCommand([{ jobId: '1', submittedAt: '' }, { jobId: '2', submittedAt: '' }]) as string;
    expect(c).toMatch(/^export TZ=UTC LC_ALL=C; for id in 1 2; do .*qstat -x -f "\$id".*tracejob/);
    expect(() => pbsAccountingCommand([{ jobId: '1; rm -rf ~', submittedAt: '' }])).toThrow(/invalid PBS job id/);
  });
});

describe('qdel and tags', () => {
  it('cancels with qdel and treats finished/unknown jobs as nothing to do', () => {
    expect(qdelCommand('4211')).toBe('qdel 4211');
    expect(qdelWasNoop('', 'qdel: Unknown Job Id 4211.torque-head')).toBe(true);
    expect(qdelWasNoop('', 'qdel: Job has finished 1734.pbspro-server')).toBe(true);
    expect(qdelWasNoop('', 'qdel: Unauthorized Request  4211.torque-head')).toBe(false);
  });
  it('names jobs so the tag finds them again, starting with a letter', () => {
    expect(pbsDialect.schedulerJobName('7zip', 't1')).toBe('j7zip.t1');
    expect(pbsDialect.nameHasTag('j7zip.t1', 't1')).toBe(true);
    expect(pbsDialect.nameHasTag('j7zip.t11', 't1')).toBe(false);
  });
});

describe('cluster info from pbsnodes -a and qstat -Q -f', () => {
  it('Torque: np/jobs/status, down nodes as other, execution queue limits and pending counts', () => {
    const info = parsePbsClusterInfo(fixture('pbsnodes-torque.txt'));
    expect(info.partitions).toEqual([
      { name: 'batch', isDefault: true, available: true, cpusAllocated: 4, cpusIdle: 4, cpusOther: 8, cpusTotal: 16, nodes: 3, memPerNodeMb: 15936, timeLimit: '48:00:00', gpusTotal: 2 },
    ]);
    expect(info.pendingReasons).toEqual({ Queued: 1 });
  });
  it('PBS Pro: resources_available/assigned, continuation lines in state_count', () => {
    const info = parsePbsClusterInfo(fixture('pbsnodes-pro.txt'));
    expect(info.partitions[0]).toMatchObject({ name: 'workq', cpusAllocated: 18, cpusIdle: 14, cpusTotal: 32, memPerNodeMb: 131072, gpusTotal: 4, timeLimit: '24:00:00' });
    expect(info.pendingReasons).toEqual({ Queued: 6, Held: 2 });
  });
});

describe('qstat -f continuation lines', () => {
  it('joins tab-continued values', () => {
    const job = parseQstatFull(fixture('qstat-f-torque.txt')).find((j) => j.jobId === '4211');
    expect(job?.attrs.get('output_path')).toBe('login1.example.org:/home/alice/.cache/scripthut/logs/r1/build.1.out');
  });
});
