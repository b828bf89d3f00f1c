// A path source on an SSH backend (the real Slurm harness): the folder lives on the cluster side and is only
// reachable through the backend. It is listed with one remote command, its workflow files are read with one more,
// and a run of it executes with working dirs inside that folder.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEngine } from '../../src-main/engine/start';
import { stackHash } from '../../src-main/stacks/hash';
import { shouldSkipSlurm, type SlurmCluster } from '../harness/slurm';
import { clusterBackendYaml, startSlurmEngine, type SlurmEngine } from '../helpers/slurm-engine';

const BIN = Buffer.from([0x00, 0xff, 0x80, 0xfe, 0x0a, 0xc3, 0x28]);

describe.skipIf(shouldSkipSlurm())('path source on a real Slurm over SSH', () => {
  let bed: SlurmEngine;
  let cluster: SlurmCluster;
  let dir: string;
  let folder: string;
  let e: RunningEngine;

  beforeAll(async () => {
    bed = await startSlurmEngine('/tmp/sh-pathsrc-slurm-', (d, c) => {
      dir = d;
      cluster = c;
      fs.chmodSync(dir, 0o755);
      folder = path.join(dir, 'project');
      fs.mkdirSync(path.join(folder, 'workflows', 'nested'), { recursive: true });
      fs.mkdirSync(path.join(folder, 'sub'));
      fs.writeFileSync(path.join(folder, 'sub', 'data.txt'), 'from-the-folder\n');
      fs.writeFileSync(path.join(folder, 'workflows', 'job.json'), JSON.stringify({ title: 'Job', tasks: [{ id: 'read', command: 'cat data.txt > result.txt', working_dir: 'sub', memory: '100M', time_limit: '5:00', env: [{ stacks: ['bin-stack'] }] }] }));
      fs.writeFileSync(path.join(folder, 'workflows', 'broken.json'), '{"tasks": [');
      fs.writeFileSync(path.join(folder, 'workflows', 'nested', 'deep.json'), JSON.stringify({ tasks: [{ id: 'x', command: 'true' }] }));
      // A stack whose input file is binary: read over SSH as bytes, and its init gets STACK_DIR.
      fs.writeFileSync(path.join(folder, 'sub', 'model.bin'), BIN);
      fs.writeFileSync(path.join(folder, 'scripthut.yaml'), `env:\n  - set: {FROM_OVERLAY: "yes"}\nstacks:\n  - name: bin-stack\n    cache_dir: ${dir}/stacks\n    input_files: [sub/model.bin]\n    init: export USES_BIN_STACK=1\n`);
      execFileSync('chown', ['-R', `${cluster.user}:`, folder]);
      return `backends:\n${clusterBackendYaml(cluster, { name: 'hpc', type: 'slurm', poll_interval: 5 })}` +
        `sources:\n  - {name: proj, type: path, backend: hpc, path: ${folder}, workflows_glob: "workflows/*.json"}\n  - {name: missing, type: path, backend: hpc, path: ${dir}/nope}\n`;
    });
    e = bed.e;
  }, 180_000);

  afterAll(async () => {
    await bed?.close();
  });

  it('lists the remote folder and reads its workflows over SSH, naming broken files and missing folders', async () => {
    const count = async (needle: string) => (await e.api.invoke('backends.commands', { name: 'hpc', limit: 500 })).commands.filter((c) => c.command.includes(needle)).length;
    await e.api.invoke('sources.sync', {}); // after the engine's own start-up sync
    const [listsBefore, readsBefore] = [await count('find "$D"'), await count('base64 -w0')];
    const [proj, missing] = await e.api.invoke('sources.sync', {}).then((r) => r.sources);
    expect(proj?.error).toBeNull();
    expect(proj?.workflows).toEqual(['workflows/job.json']); // nested/deep.json is outside the glob
    expect(proj?.warnings.join('\n')).toMatch(/workflows\/broken\.json: not a valid workflow/);
    expect(missing?.error).toMatch(/folder '.*\/nope' does not exist on backend 'hpc'/);
    expect((await count('find "$D"')) - listsBefore).toBe(2); // one listing per source
    expect((await count('base64 -w0')) - readsBefore).toBe(1); // one read for both of proj's workflow files
  });

  it('runs a workflow of the folder on the cluster, inside the folder', async () => {
    const run = await e.api.invoke('sources.run', { name: 'proj', workflow: 'job', backend: 'hpc' });
    const r = await bed.untilFinished(run.id, { wake: 'hpc', timeoutMs: 120_000 });
    expect(r.status, JSON.stringify(r.items.map((t) => [t.id, t.status, t.error]))).toBe('completed');
    expect(fs.readFileSync(path.join(folder, 'sub', 'result.txt'), 'utf8')).toBe('from-the-folder\n');
    const env = await e.api.invoke('tasks.env', { run_id: run.id, task_id: 'read' });
    expect(env.vars.find((v) => v.name === 'FROM_OVERLAY')?.value).toBe('yes');
    const hash = stackHash({ name: 'bin-stack', prep: '', inputs: {}, input_files: ['sub/model.bin'] }, () => BIN);
    expect(env.init).toContain(`export STACK_DIR=${dir}/stacks/bin-stack/${hash}\nexport USES_BIN_STACK=1`);
    const { stacks } = await e.api.invoke('stacks.list', { source: 'proj' });
    expect(stacks.find((x) => x.name === 'bin-stack')?.hash).toBe(hash);
  });
});
