// Task outputs on the real Slurm harness over SSH: the job writes into $SCRIPTHUT_OUTPUT_DIR on the cluster, the
// engine lists the folder with ONE remote command when the task completes, copies markdown and images into the
// data folder (0600 files, 0700 folders), fetches other small files on demand, and the kept copies still serve
// after the cluster's folder is purged.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src-shared/api/contract';
import type { RunningEngine } from '../../src-main/engine/start';
import { keptOutputDir } from '../../src-main/outputs/collector';
import { shouldSkipSlurm, type SlurmCluster } from '../harness/slurm';
import { startSlurmEngine, type SlurmEngine } from '../helpers/slurm-engine';

const PNG_B64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(shouldSkipSlurm())('task outputs on a real Slurm over SSH', () => {
  let bed: SlurmEngine;
  let cluster: SlurmCluster;
  let dir: string;
  let e: RunningEngine;
  let runId: string;

  beforeAll(async () => {
    bed = await startSlurmEngine('/tmp/sh-outputs-slurm-', { name: 'hpc', type: 'slurm', poll_interval: 5 });
    ({ cluster, dir, e } = bed);
    const command = [
      'mkdir -p "$SCRIPTHUT_OUTPUT_DIR/plots"',
      `echo '${PNG_B64}' | base64 -d > "$SCRIPTHUT_OUTPUT_DIR/plots/loss.png"`,
      'printf "# Training\\n\\n![loss](plots/loss.png)\\n" > "$SCRIPTHUT_TASK_SUMMARY"',
      'printf "epoch\\tloss\\n1\\t0.5\\n" > "$SCRIPTHUT_OUTPUT_DIR/metrics.tsv"',
      'echo "- **train**: final loss 0.5" > "$SCRIPTHUT_RUN_SUMMARY"',
    ].join('\n');
    const run = await e.api.invoke('runs.createFromWorkflow', {
      document: { tasks: [{ id: 'train', command, memory: '100M', time_limit: '5:00' }, { id: 'report', command: 'echo "- **report**: ok" > "$SCRIPTHUT_RUN_SUMMARY"', deps: ['train'], memory: '100M', time_limit: '5:00' }] },
      backend: 'hpc',
      workflow_name: 'outputs',
    });
    runId = run.id;
    const end = Date.now() + 150_000;
    const r = await bed.untilFinished(runId, { wake: 'hpc', timeoutMs: 150_000 });
    expect(r.status, JSON.stringify(r.items.map((t) => [t.id, t.status, t.error]))).toBe('completed');
    while ((await e.api.invoke('outputs.list', { run_id: runId })).collections.length < 2 && Date.now() < end) await sleep(200);
  }, 240_000);

  afterAll(async () => {
    await bed?.close();
  });

  it('lists the folder with one remote command and keeps markdown and images privately in the data folder', async () => {
    const res = await e.api.invoke('outputs.list', { run_id: runId, task_id: 'train' });
    expect(res.collections[0]).toMatchObject({ task_id: 'train', has_run_summary: true, error: null, notes: [] });
    expect(res.outputs.map((o) => [o.path, o.kind, o.stored])).toEqual([
      ['task-summary.md', 'markdown', true],
      ['metrics.tsv', 'tsv', false],
      ['plots/loss.png', 'image', true],
    ]);
    const listings = (await e.api.invoke('backends.commands', { name: 'hpc', limit: 500 })).commands.filter((c) => c.command.includes('find "$D"'));
    expect(listings.length).toBe(2); // one per task
    const kept = keptOutputDir(path.join(dir, 'data'), runId, 'train');
    expect(fs.readFileSync(path.join(kept, 'plots', 'loss.png')).equals(Buffer.from(PNG_B64, 'base64'))).toBe(true);
    expect(fs.statSync(path.join(kept, 'plots', 'loss.png')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(kept, 'plots')).mode & 0o777).toBe(0o700);
    expect(fs.existsSync(path.join(kept, 'metrics.tsv'))).toBe(false);
  });

  it('fetches a file that was not kept from the cluster, and the run summary is in task order', async () => {
    const f = await e.api.invoke('outputs.file', { run_id: runId, task_id: 'train', path: 'metrics.tsv' });
    expect(Buffer.from(f.content_base64, 'base64').toString()).toBe('epoch\tloss\n1\t0.5\n');
    const s = await e.api.invoke('outputs.summary', { run_id: runId });
    expect(s.markdown).toBe('## train\n\n- **train**: final loss 0.5\n\n## report\n\n- **report**: ok\n');
  });

  it('after the cluster purges the folder, kept files still serve and the others say they are gone', async () => {
    const purge = cluster.ssh('rm -rf "$HOME"/.cache/scripthut/logs/outputs');
    expect(purge.exitCode, purge.stderr).toBe(0);
    const png = await e.api.invoke('outputs.file', { run_id: runId, task_id: 'train', path: 'plots/loss.png' });
    expect(png.mime).toBe('image/png');
    const gone = await e.api.invoke('outputs.file', { run_id: runId, task_id: 'train', path: 'metrics.tsv' }).then(
      () => null,
      (err: unknown) => err as ApiError,
    );
    expect(gone?.code).toBe('not_found');
    expect(gone?.message).toMatch(/no longer in .* on 'hpc'/);
    // The Summary tab of a finished task reads the kept copy too.
    expect((await e.api.invoke('tasks.summary', { run_id: runId, task_id: 'train' })).markdown).toBe('# Training\n\n![loss](plots/loss.png)\n');
  });
  it('deleting the run removes its log and output folders on the cluster in one command, and nothing of the user\'s', async () => {
    // The purge above took the outputs; put the run's back, with a neighbour's folder and a file in $HOME beside it.
    const root = '"$HOME"/.cache/scripthut/logs';
    const prep = cluster.ssh(`test -d ${root}/${runId} && mkdir -p ${root}/outputs/${runId}/train ${root}/outputs/other-run && touch ${root}/outputs/${runId}/train/x.txt ${root}/outputs/other-run/y.txt "$HOME"/user-file.txt`);
    expect(prep.exitCode, prep.stderr).toBe(0);
    expect(await e.api.invoke('runs.delete', { id: runId })).toEqual({ run_id: runId, deleted: true });
    const gone = () => cluster.ssh(`test ! -e ${root}/${runId} && test ! -e ${root}/outputs/${runId}`).exitCode === 0;
    const end = Date.now() + 30_000;
    while (!gone() && Date.now() < end) await sleep(200);
    expect(gone()).toBe(true);
    expect(cluster.ssh(`test -f ${root}/outputs/other-run/y.txt && test -f "$HOME"/user-file.txt`).exitCode).toBe(0);
    const removals = (await e.api.invoke('backends.commands', { name: 'hpc', limit: 500 })).commands.filter((c) => c.command.startsWith('rm -rf'));
    expect(removals.map((c) => c.command)).toEqual([`rm -rf -- "$HOME"/.cache/scripthut/logs/${runId} "$HOME"/.cache/scripthut/logs/outputs/${runId}`]);
  });
});
