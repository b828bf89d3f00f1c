// A git source run on the real Slurm harness over SSH: the backend checks the run's commit out under
// <clone_dir>/<sha12> (through ShellBackend.runScript), postclone runs there, and the job's relative working_dir
// resolves inside that checkout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { shouldSkipSlurm, type SlurmCluster } from '../harness/slurm';
import { clusterBackendYaml, startSlurmEngine, type SlurmEngine } from '../helpers/slurm-engine';
import type { RunningEngine } from '../../src-main/engine/start';

const skip = shouldSkipSlurm();
const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
const g = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', env: gitEnv });

describe.skipIf(skip)('git source on a real Slurm over SSH', () => {
  let bed: SlurmEngine;
  let cluster: SlurmCluster;
  let dir: string;
  let e: RunningEngine;
  let sha: string;
  let cloneDir: string;

  beforeAll(async () => {
    bed = await startSlurmEngine('/tmp/sh-src-slurm-', (d, c) => {
      dir = d;
      cluster = c;
      fs.chmodSync(dir, 0o755);
      const remote = path.join(dir, 'remote.git');
      const work = path.join(dir, 'work');
      g(dir, 'init', '-q', '--bare', '-b', 'main', remote);
      g(dir, 'init', '-q', '-b', 'main', work);
      fs.mkdirSync(path.join(work, '.hut', 'workflows'), { recursive: true });
      fs.mkdirSync(path.join(work, 'sub'));
      fs.writeFileSync(path.join(work, 'sub', 'data.txt'), 'repo-data\n');
      fs.writeFileSync(path.join(work, '.hut', 'workflows', 'job.json'), JSON.stringify({ tasks: [{ id: 'read', command: 'cat data.txt ../prepared.txt > result.txt', working_dir: 'sub', memory: '100M' }] }));
      g(work, 'add', '-A');
      g(work, 'commit', '-qm', 'first');
      g(work, 'push', '-q', remote, 'main');
      sha = g(work, 'rev-parse', 'HEAD').trim();
      // Served over the harness sshd as the cluster user (git wants the repository to be theirs); the app and the
      // cluster both reach it with the deploy key, which the app uploads for the cluster's clone.
      execFileSync('chown', ['-R', `${cluster.user}:`, remote]);
      cloneDir = path.join(dir, 'clones');
      fs.mkdirSync(cloneDir);
      execFileSync('chown', [`${cluster.user}:`, cloneDir]);
      return `backends:\n${clusterBackendYaml(cluster, { name: 'hpc', type: 'slurm', poll_interval: 5, more: [`clone_dir: ${cloneDir}`] })}sources:\n  - {name: repo, type: git, url: "ssh://${cluster.user}@127.0.0.1:${cluster.sshPort}${remote}", deploy_key: ${cluster.clientKeyPath}, postclone: "echo prepared > prepared.txt"}\n`;
    });
    e = bed.e;
  }, 180_000);

  afterAll(async () => {
    await bed?.close();
  });

  it('checks out <clone_dir>/<sha12> on the cluster with the uploaded deploy key and runs the job inside it', async () => {
    const run = await e.api.invoke('sources.run', { name: 'repo', workflow: 'job', backend: 'hpc' });
    expect(run.source?.commit).toBe(sha);
    const checkout = path.join(cloneDir, sha.slice(0, 12));
    expect(fs.readFileSync(path.join(checkout, 'prepared.txt'), 'utf8')).toBe('prepared\n');
    const r = await bed.untilFinished(run.id, { wake: 'hpc', timeoutMs: 120_000 });
    expect(r.status, JSON.stringify(r.items.map((t) => [t.id, t.status, t.error]))).toBe('completed');
    expect(fs.readFileSync(path.join(checkout, 'sub', 'result.txt'), 'utf8')).toBe('repo-data\nprepared\n');
  });
});
