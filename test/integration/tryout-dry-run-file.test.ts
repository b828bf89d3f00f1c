// Found by trying the product with a laptop and a Slurm cluster reached through an ~/.ssh/config alias: a
// workflow FILE (or pasted document) could not be previewed. `workflow run FILE --dry-run` said "--dry-run needs
// --source" and the API had a dry run for source workflows only, so the #SBATCH lines a run would send could not be
// checked before submitting. Real CLI and `scripthut serve`, real Slurm over the real sshd (alias in a temp HOME).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliJson, ensureCliBuilt, makeSandbox, serve, stopAll, stopServe, type CliSandbox, type ServeProcess } from '../helpers/cli';
import { shouldSkipSlurm, startSlurmCluster, type SlurmCluster } from '../harness/slurm';

const skip = shouldSkipSlurm();

interface DryRun {
  workflow_name: string;
  backend: string;
  source: unknown;
  tasks: Array<{ id: string; deps: string[]; script: string; env: Array<{ name: string; value: string }> }>;
  levels: string[][];
  warnings: string[];
}

describe.skipIf(skip)('dry run of a workflow file on a Slurm backend and a local one', () => {
  let cluster: SlurmCluster;
  let sb: CliSandbox;
  let server: ServeProcess;
  let wf: string;

  beforeAll(async () => {
    ensureCliBuilt();
    cluster = await startSlurmCluster();
    sb = makeSandbox();
    // As a user sets it up: an alias in ~/.ssh/config with its key and known_hosts file.
    const ssh = path.join(sb.root, '.ssh');
    fs.mkdirSync(ssh, { mode: 0o700 });
    fs.copyFileSync(cluster.clientKeyPath, path.join(ssh, 'id_cluster'));
    fs.chmodSync(path.join(ssh, 'id_cluster'), 0o600);
    fs.writeFileSync(path.join(ssh, 'known_hosts_cluster'), `[127.0.0.1]:${cluster.sshPort} ${cluster.hostPublicKey.trim()}\n`);
    fs.writeFileSync(
      path.join(ssh, 'config'),
      `Host mycluster\n  HostName 127.0.0.1\n  Port ${cluster.sshPort}\n  User ${cluster.user}\n  IdentityFile ${path.join(ssh, 'id_cluster')}\n  IdentitiesOnly yes\n  UserKnownHostsFile ${path.join(ssh, 'known_hosts_cluster')}\n`,
    );
    sb.writeConfig('backends:\n  - {name: laptop, type: local, max_concurrent: 2}\n  - name: mycluster\n    type: slurm\n    ssh: {host: mycluster}\n    poll_interval: 5\n');
    wf = path.join(sb.root, 'wf.json');
    fs.writeFileSync(
      wf,
      JSON.stringify({
        title: 'preview me',
        tasks: [
          { id: 'a', command: 'echo a', cpus: 2, memory: '100M', time_limit: '0:05:00', env: [{ set: { STAGE: 'one' } }] },
          { id: 'b', command: 'echo b', deps: ['a'], memory: '100M' },
        ],
      }),
    );
    server = await serve(sb);
  }, 240_000);

  afterAll(async () => {
    if (server) await stopServe(server).catch(() => undefined);
    stopAll();
    await cluster?.stop();
    if (sb) fs.rmSync(sb.root, { recursive: true, force: true });
  });

  it('workflow run FILE --dry-run prints the #SBATCH scripts, env and DAG, and submits nothing', async () => {
    const dry = await cliJson<DryRun>(sb, ['workflow', 'run', wf, '--backend', 'mycluster', '--dry-run']);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.body).toMatchObject({ workflow_name: 'wf', backend: 'mycluster', source: null, levels: [['a'], ['b']] });
    const a = dry.body.tasks.find((t) => t.id === 'a');
    expect(a?.script).toContain('#SBATCH --cpus-per-task=2');
    expect(a?.script).toContain('#SBATCH --mem=100M');
    expect(a?.script).toContain('echo a');
    expect(a?.env).toContainEqual(expect.objectContaining({ name: 'STAGE', value: 'one' }));
    expect(dry.body.tasks.find((t) => t.id === 'b')?.deps).toEqual(['a']);

    const text = await cli(sb, ['workflow', 'run', wf, '--backend', 'mycluster', '--dry-run']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('#SBATCH --mem=100M');

    const runs = await cliJson<{ total: number }>(sb, ['run', 'list']);
    expect(runs.body.total).toBe(0);
    expect(cluster.run(`squeue -h -t all -o %j`).stdout).not.toMatch(/preview|wf/);
  }, 120_000);

  it('the HTTP API previews a document on the local backend (no #SBATCH there) and names bad input', async () => {
    const { token } = JSON.parse(fs.readFileSync(path.join(sb.dataDir, 'engine.json'), 'utf8')) as { token: string };
    const post = (body: unknown) =>
      fetch(`${server.url.split('#')[0]?.replace(/\/$/, '')}/api/v1/runs/dry-run`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const res = await post({ backend: 'laptop', workflow_name: 'doc', document: [{ id: 'x', command: 'echo x' }] });
    expect(res.status).toBe(200);
    const dry = (await res.json()) as DryRun;
    expect(dry).toMatchObject({ workflow_name: 'doc', backend: 'laptop', levels: [['x']] });
    expect(dry.tasks[0]?.script).toContain('echo x');
    expect(dry.tasks[0]?.script).not.toContain('#SBATCH');

    const bad = await post({ backend: 'laptop', text: '[{"id": "x"}]' });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { message: string }).message).toMatch(/command/);
  }, 60_000);
});
