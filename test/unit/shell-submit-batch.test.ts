// Overlapping submissions are coalesced into ONE remote command (several sbatch calls) plus ONE batched squeue
// verification. Run by the real local bash against fake sbatch/squeue/sacct, so the shell framing itself is tested:
// each submission still gets its own strict id parse, its own error, and its own verification.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { slurmDialect } from '../../src-main/backends/dialects/slurm';
import { ShellBackend } from '../../src-main/backends/shell/shell-backend';
import type { SubmitRequest } from '../../src-main/backends/types';
import { LocalRunner } from '../../src-main/transport/local-runner';
import type { CommandRunner, RunOptions, RunResult } from '../../src-main/transport/runner';
import type { TaskDefinition } from '../../src-shared/workflow/types';

let dir: string;
let bin: string;
let home: string;

// Job id = the number after JOBID_ in the script; GHOST jobs are accepted but never appear in squeue/sacct.
const FAKE_SBATCH = `#!/bin/bash
script=$(cat)
case "$script" in *FAIL_SUBMIT*) echo "sbatch: error: Batch job submission failed: Invalid account" >&2; exit 1;; esac
case "$script" in *GARBLE*) echo "Submitted to the void"; exit 0;; esac
id=$(printf '%s' "$script" | grep -o 'JOBID_[0-9]*' | head -1 | cut -d_ -f2)
case "$script" in *GHOST*) ;; *) echo "$id" >> "$FAKE_STATE/known";; esac
printf '%s\n' "$script" > "$FAKE_STATE/received_$id"
case "$script" in *NO_NEWLINE*) printf 'sbatch: warning: no newline' >&2;; *) echo "sbatch: warning: this is a fake" >&2;; esac
echo "$id"
`;
// squeue -h -j LIST -o %i / sacct -n -P -X -j LIST -o JobID: print the ids of LIST that were submitted.
const FAKE_LIST = `#!/bin/bash
while [ $# -gt 0 ]; do [ "$1" = -j ] && list=$2; shift; done
for id in \${list//,/ }; do grep -qx "$id" "$FAKE_STATE/known" 2>/dev/null && echo "$id"; done
exit 0
`;

class FakeClusterRunner implements CommandRunner {
  readonly label = 'fake-cluster';
  readonly commands: string[] = [];
  private readonly local = new LocalRunner();
  /** Rewrites a command's result (to simulate a command cut off part-way). */
  mangle: ((command: string, r: RunResult) => RunResult) | null = null;
  async run(command: string, opts: RunOptions = {}): Promise<RunResult> {
    this.commands.push(command);
    const r = await this.local.run(`export PATH=${bin}:"$PATH" HOME=${home} FAKE_STATE=${dir}\n${command}`, opts);
    return this.mangle ? this.mangle(command, r) : r;
  }
  async close(): Promise<void> {}
}

function task(): TaskDefinition {
  return { id: 't', name: 't', command: 'true', working_dir: '~', partition: null, cpus: 1, memory: '1G', time_limit: '10:00', deps: [], gres: null, image: null, env: [], generates_source: null, output_file: null, error_file: null, retries: 0 };
}

function request(b: ShellBackend, n: number, extra = '', logs?: { output: string; error: string }): SubmitRequest {
  const l = logs ?? b.defaultLogPaths('r1', `t${n}`, 1);
  return { runId: 'r1', taskId: `t${n}`, attempt: 1, tag: `tag${n}`, jobName: `t${n}`, task: task(), script: `#!/bin/bash\n#SBATCH --output=${l.output}\necho JOBID_${n} ${extra}\n`, logs: l };
}

const count = (r: FakeClusterRunner, re: RegExp) => r.commands.filter((c) => re.test(c)).length;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-submit-batch-'));
  bin = path.join(dir, 'bin');
  home = path.join(dir, 'home');
  fs.mkdirSync(bin);
  fs.mkdirSync(home);
  fs.writeFileSync(path.join(bin, 'sbatch'), FAKE_SBATCH, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'squeue'), FAKE_LIST, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'sacct'), FAKE_LIST, { mode: 0o755 });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('ShellBackend batched submission', () => {
  it('returns the script exactly as sbatch received it, `~/` already resolved, alone and in a burst (what the engine stores)', async () => {
    const runner = new FakeClusterRunner();
    const b = new ShellBackend('hpc', slurmDialect, runner, { maxConcurrent: 100, pollIntervalMs: 30_000 });
    // The first submission after start: the script was built before $HOME was known, so it still says `~/`.
    const lone = await b.submit(request(b, 4001));
    const burst = await Promise.all([b.submit(request(b, 4002)), b.submit(request(b, 4003))]);
    for (const [id, r] of [[4001, lone], [4002, burst[0]], [4003, burst[1]]] as const) {
      const received = fs.readFileSync(path.join(dir, `received_${id}`), 'utf8');
      expect(r?.script).toBe(received);
      expect(r?.script).toContain(`#SBATCH --output=${home}/.cache/scripthut/logs/r1/t${id}.1.out`);
      expect(r?.script).not.toContain('~/');
    }
  });

  it('submits 10 overlapping tasks with one sbatch command and one squeue, each getting its own id', async () => {
    const runner = new FakeClusterRunner();
    const b = new ShellBackend('hpc', slurmDialect, runner, { maxConcurrent: 100, pollIntervalMs: 30_000 });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => b.submit(request(b, 1000 + i))));
    expect(results.map((r) => r.jobId)).toEqual(Array.from({ length: 10 }, (_, i) => String(1000 + i)));
    expect(results[3]?.submitOutput).toBe('1003\nsbatch: warning: this is a fake');
    expect(count(runner, /\$HOME"$/)).toBe(1); // one $HOME lookup shared by the burst
    expect(count(runner, /sbatch --parsable/)).toBe(1);
    expect(count(runner, /^squeue/)).toBe(1);
    expect(count(runner, /^sacct/)).toBe(0);
    // Log folders exist (mkdir ran once for the batch) under the resolved $HOME.
    expect(fs.existsSync(path.join(home, '.cache/scripthut/logs/r1'))).toBe(true);
  });

  it('shares a burst of 32 evenly between its two submit commands (16 + 16, not 25 + 7); a burst of 10 stays in one', async () => {
    const runner = new FakeClusterRunner();
    const b = new ShellBackend('hpc', slurmDialect, runner, { maxConcurrent: 100, pollIntervalMs: 30_000 });
    await b.remoteHome();
    const results = await Promise.all(Array.from({ length: 32 }, (_, i) => b.submit(request(b, 6000 + i))));
    expect(results.map((r) => r.jobId)).toEqual(Array.from({ length: 32 }, (_, i) => String(6000 + i)));
    const perCommand = (cs: string[]) => cs.filter((c) => c.includes('sbatch --parsable')).map((c) => c.split('sbatch --parsable').length - 1);
    expect(perCommand(runner.commands)).toEqual([16, 16]);
    const before = runner.commands.length;
    await Promise.all(Array.from({ length: 10 }, (_, i) => b.submit(request(b, 6100 + i))));
    expect(perCommand(runner.commands.slice(before))).toEqual([10]);
  });

  it('keeps each job its own output when the shell prints before the first sbatch and stderr lacks a final newline', async () => {
    const runner = new FakeClusterRunner();
    const b = new ShellBackend('hpc', slurmDialect, runner, { maxConcurrent: 100, pollIntervalMs: 30_000 });
    await b.remoteHome();
    // What a chatty login profile would add in front of every command, on both streams, without newlines.
    const real = runner.run.bind(runner);
    runner.run = (command, opts) => real(command.includes('sbatch --parsable') ? `printf 'Welcome to the cluster'; printf 'motd warning' >&2\n${command}` : command, opts);
    const results = await Promise.all([7001, 7002, 7003].map((n) => b.submit(request(b, n, n === 7002 ? 'NO_NEWLINE' : ''))));
    expect(results.map((r) => r.jobId)).toEqual(['7001', '7002', '7003']);
    expect(results.map((r) => r.submitOutput)).toEqual(['7001\nsbatch: warning: this is a fake', '7002\nsbatch: warning: no newline', '7003\nsbatch: warning: this is a fake']);
  });

  it('keeps failures apart: a rejected sbatch, unparsable output and an unverifiable id fail only their own task', async () => {
    const runner = new FakeClusterRunner();
    const b = new ShellBackend('hpc', slurmDialect, runner, { maxConcurrent: 100, pollIntervalMs: 30_000 });
    await b.remoteHome();
    const outcomes = await Promise.allSettled([
      b.submit(request(b, 2001)),
      b.submit(request(b, 2002, 'FAIL_SUBMIT')),
      b.submit(request(b, 2003, 'GARBLE')),
      b.submit(request(b, 2004, 'GHOST')),
      b.submit(request(b, 2005)),
    ]);
    const [ok1, rejected, garbled, ghost, ok2] = outcomes;
    expect(ok1).toMatchObject({ status: 'fulfilled', value: { jobId: '2001' } });
    expect(ok2).toMatchObject({ status: 'fulfilled', value: { jobId: '2005' } });
    expect(rejected?.status === 'rejected' && String(rejected.reason.message)).toBe('sbatch failed (exit 1): sbatch: error: Batch job submission failed: Invalid account');
    expect(garbled?.status === 'rejected' && String(garbled.reason.message)).toMatch(/^Could not parse a job id from sbatch output/);
    expect(ghost?.status === 'rejected' && String(ghost.reason.message)).toMatch(/job ID 2004 but it does not appear in the queue or in accounting/);
    expect(count(runner, /sbatch --parsable/)).toBe(1);
    // The unconfirmed id was asked about on its own too (queue, then accounting) before giving up.
    expect(runner.commands.some((c) => /^squeue -h -j 2004 /.test(c))).toBe(true);
    expect(runner.commands.some((c) => /^sacct .*-j 2004 /.test(c))).toBe(true);
  });

  it('when the log folder cannot be made, every task of the batch fails with the mkdir error and nothing is submitted', async () => {
    const runner = new FakeClusterRunner();
    const b = new ShellBackend('hpc', slurmDialect, runner, { maxConcurrent: 100, pollIntervalMs: 30_000 });
    await b.remoteHome();
    const blocked = path.join(dir, 'a-file');
    fs.writeFileSync(blocked, '');
    const logs = { output: `${blocked}/sub/x.out`, error: `${blocked}/sub/x.err` };
    const outcomes = await Promise.allSettled([3001, 3002, 3003].map((n) => b.submit(request(b, n, '', logs))));
    for (const o of outcomes) expect(o.status === 'rejected' && String(o.reason.message)).toMatch(/^sbatch failed \(exit 1\): mkdir: cannot create directory/);
    expect(fs.existsSync(path.join(dir, 'known')) && fs.readFileSync(path.join(dir, 'known'), 'utf8')).not.toMatch(/^300[123]$/m);
  });

  it('a command cut off part-way: submissions without a result are transient (found later by tag, never failed)', async () => {
    const runner = new FakeClusterRunner();
    const b = new ShellBackend('hpc', slurmDialect, runner, { maxConcurrent: 100, pollIntervalMs: 30_000 });
    await b.remoteHome();
    // Keep only what the shell printed for the first submission, as if the connection dropped after it.
    runner.mangle = (command, r) => {
      if (!command.includes('sbatch --parsable')) return r;
      const lines = r.stdout.split('\n');
      const second = lines.findIndex((l, i) => i > 1 && / 1 0$/.test(l));
      return { ...r, stdout: lines.slice(0, second).join('\n'), exitCode: 255 };
    };
    const outcomes = await Promise.allSettled([4001, 4002, 4003].map((n) => b.submit(request(b, n))));
    expect(outcomes[0]).toMatchObject({ status: 'fulfilled', value: { jobId: '4001' } });
    for (const o of outcomes.slice(1)) {
      expect(o.status).toBe('rejected');
      const reason = (o as PromiseRejectedResult).reason as Error & { transient?: boolean };
      expect(reason.transient).toBe(true);
      expect(reason.message).toMatch(/outcome unknown/);
    }
  });

  it('a lone submission keeps the plain mkdir && sbatch command', async () => {
    const runner = new FakeClusterRunner();
    const b = new ShellBackend('hpc', slurmDialect, runner, { maxConcurrent: 100, pollIntervalMs: 30_000 });
    const res = await b.submit(request(b, 5001));
    expect(res.jobId).toBe('5001');
    const submit = runner.commands.find((c) => c.includes('sbatch'));
    expect(submit?.startsWith(`mkdir -p ${home}/.cache/scripthut/logs/r1 && sbatch --parsable <<`)).toBe(true);
  });
});
