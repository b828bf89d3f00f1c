// The whole path of a `type: pbs` backend over a REAL sshd: engine → registry → SSH broker → PBS dialect → qsub/
// qstat/qdel. The PBS commands are stand-ins (test/harness/pbs-standins/) printing PBS-format output while driving
// the harness's real Slurm; no real PBS server is involved. Skips like the Slurm tests where the harness cannot run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shouldSkipSlurm, type SlurmCluster } from '../harness/slurm';
import { startSlurmEngine, type SlurmEngine } from '../helpers/slurm-engine';
import type { RunningEngine } from '../../src-main/engine/start';
import type { RunDetail } from '../../src-shared/api/schemas';
import { isTerminalRun } from '../../src-shared/model/status';

const skip = shouldSkipSlurm();

describe.skipIf(skip)('engine on a PBS backend (stand-in commands over a real Slurm) over SSH', () => {
  let bed: SlurmEngine;
  let cluster: SlurmCluster;
  let e: RunningEngine;

  beforeAll(async () => {
    bed = await startSlurmEngine('sh-pbs-engine-', { name: 'pbs', type: 'pbs', max_concurrent: 20, poll_interval: 5 });
    ({ cluster, e } = bed);
  }, 180_000);

  afterAll(async () => {
    await bed?.close();
  });

  const until = (runId: string, done: (r: RunDetail) => boolean) => bed.untilRun(runId, done, { timeoutMs: 90_000, wake: 'pbs' });
  const finished = (r: RunDetail) => isTerminalRun(r.status);

  it('runs a workflow: success, exit 3 → failed with code 3 from Exit_status, dep_failed downstream', async () => {
    const run = await e.api.invoke('runs.createFromWorkflow', {
      backend: 'pbs',
      workflow_name: 'pbs-basic',
      document: [
        { id: 'ok', command: 'echo "hello from pbs"', time_limit: '10:00' },
        { id: 'bad', command: 'echo failing >&2; exit 3' },
        { id: 'after-bad', command: 'echo never', deps: ['bad'] },
      ],
    });
    const r = await until(run.id, finished);
    const by = Object.fromEntries(r.items.map((t) => [t.id, t]));
    expect(r.status).toBe('failed');
    expect(by.ok).toMatchObject({ status: 'completed', exit_code: 0 });
    expect(by.ok?.job_id).toMatch(/^\d+$/);
    expect(by.bad).toMatchObject({ status: 'failed', exit_code: 3 });
    expect(by['after-bad']).toMatchObject({ status: 'dep_failed' });
    const log = await e.api.invoke('tasks.log', { run_id: run.id, task_id: 'ok' });
    expect(log.content).toContain('hello from pbs');
    const err = await e.api.invoke('tasks.log', { run_id: run.id, task_id: 'bad', type: 'error' });
    expect(err.content).toContain('failing');
    const script = await e.api.invoke('tasks.script', { run_id: run.id, task_id: 'ok' });
    expect(script.script).toContain('#PBS -N ');
    expect(script.script).toContain('#PBS -l walltime=00:10:00');
    const cmds = await e.api.invoke('backends.commands', { name: 'pbs', limit: 1000 });
    expect(cmds.commands.some((c) => /\bqsub\b/.test(c.command))).toBe(true);
    expect(cmds.commands.some((c) => /qstat -x -f/.test(c.command))).toBe(true);
    expect(cmds.commands.some((c) => /\bsbatch\b|\bsqueue\b|\bsacct\b/.test(c.command))).toBe(false);
  }, 150_000);

  it('outputs: the job writes into $SCRIPTHUT_OUTPUT_DIR, one listing collects it, markdown is kept; delete removes the run\'s folders', async () => {
    const run = await e.api.invoke('runs.createFromWorkflow', {
      backend: 'pbs',
      workflow_name: 'pbs-outputs',
      document: [
        {
          id: 'report',
          command: [
            'mkdir -p "$SCRIPTHUT_OUTPUT_DIR/tables"',
            'printf "a,b\\n1,2\\n" > "$SCRIPTHUT_OUTPUT_DIR/tables/t.csv"',
            'printf "# Report\\n" > "$SCRIPTHUT_TASK_SUMMARY"',
            'echo "- **report**: done on pbs" > "$SCRIPTHUT_RUN_SUMMARY"',
          ].join('\n'),
        },
      ],
    });
    expect((await until(run.id, finished)).status).toBe('completed');
    const end = Date.now() + 60_000;
    while ((await e.api.invoke('outputs.list', { run_id: run.id })).collections.length === 0 && Date.now() < end) await new Promise((res) => setTimeout(res, 200));
    const res = await e.api.invoke('outputs.list', { run_id: run.id, task_id: 'report' });
    expect(res.collections[0]).toMatchObject({ task_id: 'report', has_run_summary: true, error: null, notes: [] });
    expect(res.outputs.map((o) => [o.path, o.kind, o.stored])).toEqual([
      ['task-summary.md', 'markdown', true],
      ['tables/t.csv', 'csv', false],
    ]);
    const csv = await e.api.invoke('outputs.file', { run_id: run.id, task_id: 'report', path: 'tables/t.csv' });
    expect(Buffer.from(csv.content_base64, 'base64').toString()).toBe('a,b\n1,2\n');
    expect((await e.api.invoke('outputs.summary', { run_id: run.id })).markdown).toBe('## report\n\n- **report**: done on pbs\n');
    const folders = `"$HOME"/.cache/scripthut/logs/${run.id} "$HOME"/.cache/scripthut/logs/outputs/${run.id}`;
    expect(cluster.ssh(`for d in ${folders}; do test -d "$d" || exit 1; done`).exitCode).toBe(0);
    await e.api.invoke('runs.delete', { id: run.id });
    const gone = () => cluster.ssh(`for d in ${folders}; do test ! -e "$d" || exit 1; done`).exitCode === 0;
    const until2 = Date.now() + 30_000;
    while (!gone() && Date.now() < until2) await new Promise((r) => setTimeout(r, 200));
    expect(gone()).toBe(true);
  }, 150_000);

  it('cancels a running task with qdel', async () => {
    const run = await e.api.invoke('runs.createFromWorkflow', {
      backend: 'pbs',
      workflow_name: 'pbs-cancel',
      document: [{ id: 'sleeper', command: 'sleep 300' }],
    });
    await until(run.id, (r) => r.items.find((t) => t.id === 'sleeper')?.status === 'running');
    const jobId = (await e.api.invoke('runs.get', { id: run.id })).items.find((t) => t.id === 'sleeper')?.job_id as string;
    await e.api.invoke('runs.cancel', { id: run.id });
    const r = await until(run.id, finished);
    expect(r.status).toBe('cancelled');
    expect(r.items.find((t) => t.id === 'sleeper')?.status).toBe('cancelled');
    expect(cluster.run(`squeue -h -j ${jobId} -o %T`).stdout.trim()).not.toMatch(/RUNNING|PENDING/);
    const cmds = await e.api.invoke('backends.commands', { name: 'pbs', limit: 1000 });
    expect(cmds.commands.some((c) => /^qdel \d+$/.test(c.command.trim()))).toBe(true);
  }, 150_000);
});
