// ShellBackend + Slurm dialect over a scripted runner: the command budget and failure handling that a real
// cluster cannot easily provoke (controller down, accounting disabled, $HOME resolution).
import { describe, expect, it } from 'vitest';
import { slurmDialect } from '../../src-main/backends/dialects/slurm';
import { ShellBackend } from '../../src-main/backends/shell/shell-backend';
import type { ScriptContext } from '../../src-main/backends/types';
import type { CommandRunner, RunOptions, RunResult } from '../../src-main/transport/runner';
import type { TaskDefinition } from '../../src-shared/workflow/types';

type Reply = Partial<RunResult> | ((command: string) => Partial<RunResult>);

class ScriptedRunner implements CommandRunner {
  readonly label = 'scripted';
  readonly calls: Array<{ command: string; kind: string | undefined }> = [];
  constructor(private readonly rules: Array<[RegExp, Reply]>) {}
  async run(command: string, opts: RunOptions = {}): Promise<RunResult> {
    this.calls.push({ command, kind: opts.kind });
    const rule = this.rules.find(([re]) => re.test(command));
    if (!rule) throw new Error(`unexpected command: ${command}`);
    const r = typeof rule[1] === 'function' ? rule[1](command) : rule[1];
    return { stdout: '', stderr: '', exitCode: 0, durationMs: 1, timedOut: false, ...r };
  }
  async close(): Promise<void> {}
}

const HOME: [RegExp, Reply] = [/^printf '%s\\n' "\$HOME"$/, { stdout: '/home/alice\n' }];

function task(): TaskDefinition {
  return { id: 't1', name: 'T1', command: 'echo hi', working_dir: '~', partition: null, cpus: 1, memory: '1G', time_limit: '10:00', deps: [], gres: null, image: null, env: [], generates_source: null, output_file: null, error_file: null, retries: 0 };
}

function backend(runner: CommandRunner): ShellBackend {
  return new ShellBackend('hpc', slurmDialect, runner, { maxConcurrent: 5, pollIntervalMs: 30_000 });
}

function ctx(b: ShellBackend): ScriptContext {
  return { runId: 'r1', taskId: 't1', attempt: 2, jobName: 'T1', tag: 'tag-r1-t1-2', task: task(), env: [], init: '', logs: b.defaultLogPaths('r1', 't1', 2), outputDir: b.outputDir('r1', 't1'), workingDir: '~' };
}

describe('ShellBackend (Slurm) over a scripted runner', () => {
  it('submits with #SBATCH paths resolved to the real $HOME and the output dir exported via "$HOME"', async () => {
    const runner = new ScriptedRunner([HOME, [/sbatch --parsable/, { stdout: '4242\n', stderr: 'sbatch: warning: 7 is odd\n' }], [/^squeue -h -j 4242/, { stdout: '4242\n' }]]);
    const b = backend(runner);
    const c = ctx(b);
    const script = b.buildScript(c);
    expect(script).toContain("export SCRIPTHUT_OUTPUT_DIR=\"$HOME\"/.cache/scripthut/logs/outputs/r1/t1");
    const res = await b.submit({ runId: 'r1', taskId: 't1', attempt: 2, tag: c.tag, jobName: 'T1', task: c.task, script, logs: c.logs });
    expect(res.jobId).toBe('4242');
    const submit = runner.calls.find((x) => x.command.includes('sbatch'))!;
    expect(submit.kind).toBe('scheduler');
    expect(submit.command).toContain('#SBATCH --output=/home/alice/.cache/scripthut/logs/r1/t1.2.out');
    expect(submit.command).toContain('#SBATCH --job-name=T1.tag-r1-t1-2');
    expect(submit.command).not.toMatch(/#SBATCH[^\n]*~/);
    expect(submit.command.startsWith('mkdir -p /home/alice/.cache/scripthut/logs/r1 && sbatch --parsable <<')).toBe(true);
  });

  it('learns $HOME once per backend, so later scripts carry absolute paths directly', async () => {
    const runner = new ScriptedRunner([HOME]);
    const b = backend(runner);
    await b.remoteHome();
    await b.remoteHome();
    expect(runner.calls.filter((c) => c.command.includes('$HOME'))).toHaveLength(1);
    expect(b.buildScript(ctx(b))).toContain('#SBATCH --error=/home/alice/.cache/scripthut/logs/r1/t1.2.err');
  });

  it('turns an sbatch rejection into "sbatch failed (exit N): …"', async () => {
    const runner = new ScriptedRunner([HOME, [/sbatch/, { exitCode: 1, stderr: 'sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified\n' }]]);
    const b = backend(runner);
    const c = ctx(b);
    await expect(b.submit({ runId: 'r1', taskId: 't1', attempt: 2, tag: c.tag, jobName: 'T1', task: c.task, script: b.buildScript(c), logs: c.logs })).rejects.toThrow(
      'sbatch failed (exit 1): sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified',
    );
  });

  it('refuses a job id that neither squeue nor sacct knows', async () => {
    const runner = new ScriptedRunner([HOME, [/sbatch --parsable/, { stdout: '77\n' }], [/^squeue -h -j 77/, { stdout: '' }], [/^sacct .* -j 77/, { stdout: '' }]]);
    const b = backend(runner);
    const c = ctx(b);
    await expect(b.submit({ runId: 'r1', taskId: 't1', attempt: 2, tag: c.tag, jobName: 'T1', task: c.task, script: b.buildScript(c), logs: c.logs })).rejects.toThrow(/job ID 77 but it does not appear/);
  });

  it('a failed squeue is an error, never an empty queue (that would settle every running task)', async () => {
    const b = backend(new ScriptedRunner([[/^squeue/, { exitCode: 1, stderr: 'slurm_load_jobs error: Unable to contact slurm controller (connect failure)' }]]));
    await expect(b.poll(['1', '2'])).rejects.toThrow(/queue query failed \(exit 1\).*Unable to contact slurm controller/);
  });

  it('splits the queue into tracked observations and active external jobs', async () => {
    const stdout = '1|RUNNING|alice|debug|2024-01-01T00:00:00|2024-01-01T00:00:05|None|mine.tag\n2|PENDING|alice|debug|2024-01-01T00:00:00|N/A|Priority|other\n3|COMPLETED|alice|debug|2024-01-01T00:00:00|2024-01-01T00:00:01|None|done\n';
    const b = backend(new ScriptedRunner([[/^squeue/, { stdout }]]));
    const r = await b.poll(['1', '9']);
    expect([...r.jobs.keys()]).toEqual(['1']);
    expect(r.external).toEqual([{ jobId: '2', name: 'other', user: 'alice', state: 'PENDING', reason: 'Priority', partition: 'debug', submittedAt: '2024-01-01T00:00:00Z', startedAt: null }]);
  });

  it('remembers that accounting is disabled and then asks scontrol only', async () => {
    const scontrol = 'JobId=5 JobName=x UserId=a(1) JobState=FAILED Reason=NonZeroExitCode ExitCode=2:0 DerivedExitCode=0:0 StartTime=2024-01-01T00:00:00 EndTime=2024-01-01T00:00:09\n';
    const runner = new ScriptedRunner([[/^sacct/, { exitCode: 1, stderr: 'sacct: error: Slurm accounting storage is disabled\n' }], [/^scontrol -o show job$/, { stdout: scontrol }]]);
    const b = backend(runner);
    const q = [{ jobId: '5', submittedAt: '2024-01-01T00:00:00Z' }];
    expect((await b.accounting(q)).get('5')).toMatchObject({ outcome: 'failed', exitCode: 2 });
    await b.accounting(q);
    expect(runner.calls.map((c) => c.command.split(' ')[0])).toEqual(['sacct', 'scontrol', 'scontrol']);
  });

  it('an accounting error other than "disabled" is an error, not "no verdict"', async () => {
    const b = backend(new ScriptedRunner([[/^sacct/, { exitCode: 1, stderr: 'sacct: error: Problem talking to the database: Connection refused' }]]));
    await expect(b.accounting([{ jobId: '5', submittedAt: '2024-01-01T00:00:00Z' }])).rejects.toThrow(/accounting query failed.*Connection refused/);
  });

  it('tails a log from a window at the end and reports where the content starts', async () => {
    // 100-byte file; the backend asked for its last window (the whole file) and keeps the last 2 lines.
    const body = 'a\nbb\nccc\n';
    const b = backend(new ScriptedRunner([[/SCRIPTHUT_LOG_SIZE/, { stdout: `SCRIPTHUT_LOG_SIZE ${body.length}\n0\n${body}` }]]));
    expect(await b.readLog('~/x.log', { tail: 2 })).toEqual({ content: 'bb\nccc\n', offset: 2, nextOffset: body.length, missing: false, size: body.length });
  });

  it('marks the backend in error when the runner cannot reach the host, and ready again after', async () => {
    let fail = true;
    const runner = new ScriptedRunner([[/^squeue/, () => (fail ? { exitCode: -1, stderr: 'connect ECONNREFUSED' } : { stdout: '' })]]);
    const b = backend(runner);
    const seen: string[] = [];
    b.onStatusChange((s) => seen.push(s.state));
    await expect(b.poll([])).rejects.toThrow();
    expect(b.status()).toMatchObject({ state: 'error', detail: expect.stringContaining('ECONNREFUSED') });
    fail = false;
    await b.poll([]);
    expect(seen).toEqual(['error', 'ready']);
  });
});
