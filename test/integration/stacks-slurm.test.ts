// Stacks on the real Slurm harness over SSH: the install is an sbatch job, check is ONE remote command (counted
// in the backend's command log), `~` in cache_dir means the cluster user's home, and delete removes the builds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { shouldSkipSlurm, type SlurmCluster } from '../harness/slurm';
import { clusterBackendYaml, startSlurmEngine, type SlurmEngine } from '../helpers/slurm-engine';
import type { RunningEngine } from '../../src-main/engine/start';

const skip = shouldSkipSlurm();

// One cluster, two backends: `hpc` (Slurm) and `pbs` (the harness's PBS stand-in commands over the same Slurm).
describe.skipIf(skip)('stacks on real Slurm and PBS backends over SSH', () => {
  let bed: SlurmEngine;
  let cluster: SlurmCluster;
  let dir: string;
  let e: RunningEngine;
  let home: string;
  const cacheRel = `sh-stacks-${process.pid}`;

  const waitDone = (id: string, backend: string) => bed.untilFinished(id, { wake: backend, timeoutMs: 120_000 });

  beforeAll(async () => {
    bed = await startSlurmEngine('/tmp/sh-stacks-slurm-', (d, c) => {
      dir = d;
      cluster = c;
      fs.chmodSync(dir, 0o755);
      return (
        `backends:\n${clusterBackendYaml(cluster, { name: 'hpc', type: 'slurm', poll_interval: 5 })}${clusterBackendYaml(cluster, { name: 'pbs', type: 'pbs', poll_interval: 5 })}` +
        [
          'stacks:',
          '  - name: greeter',
          `    cache_dir: "~/${cacheRel}"`,
          '    inputs: {GREETING: hello}',
          '    prep: |',
          '      mkdir -p bin',
          '      printf \'#!/bin/sh\\necho "hello from $(hostname)"\\n\' > bin/greet',
          '      chmod +x bin/greet',
          '    init: export PATH="$STACK_DIR/bin:$PATH"',
          '    memory: 100M',
          '    time_limit: "0:05:00"',
          '',
        ].join('\n')
      );
    });
    e = bed.e;
    home = cluster.ssh('echo "$HOME"').stdout.trim();
  }, 180_000);

  afterAll(async () => {
    cluster?.ssh(`rm -rf "$HOME/${cacheRel}"`);
    await bed?.close();
  });

  describe.each(['hpc', 'pbs'])('on backend %s', (backend) => {
    it('check is one remote command and finds nothing yet; ~ stays the remote home', async () => {
      const before = (await e.api.invoke('backends.commands', { name: backend, limit: 1000 })).commands.length;
      const s = await e.api.invoke('stacks.check', { name: 'greeter', backend });
      expect(s).toMatchObject({ name: 'greeter', backend, state: 'missing', error: null });
      expect(s.path).toBe(`~/${cacheRel}/greeter/${s.hash}`);
      const after = (await e.api.invoke('backends.commands', { name: backend, limit: 1000 })).commands;
      // The poll loop may log a queue query meanwhile; the check itself is one command.
      const mine = after.slice(0, after.length - before).filter((c) => c.command.includes('greeter'));
      expect(mine).toHaveLength(1);
      expect(mine[0]!.command).toContain(`"$HOME"/${cacheRel}/greeter/${s.hash}`);
    });

    it('install runs as a scheduler job; the stack is ready in the cluster home afterwards', async () => {
      const run = await e.api.invoke('stacks.install', { name: 'greeter', backend });
      expect(run.workflow_name).toBe('_stack/greeter');
      const r = await waitDone(run.id, backend);
      expect(r.status, JSON.stringify(r.items.map((t) => [t.id, t.status, t.error]))).toBe('completed');
      expect(r.items[0]!.job_id).toMatch(/^\d+/);
      const s = await e.api.invoke('stacks.check', { name: 'greeter', backend });
      expect(s.state).toBe('ready');
      expect(s.size_bytes).toBeGreaterThan(0);
      expect(cluster.ssh(`test -x "$HOME/${cacheRel}/greeter/${s.hash}/bin/greet" && test -f "$HOME/${cacheRel}/greeter/${s.hash}/.ready" && echo ok`).stdout.trim()).toBe('ok');
      expect(fs.existsSync(path.join(home, cacheRel, 'greeter', s.hash, '.ready'))).toBe(true);
    });

    it("a scheduler task with env stacks: [greeter] gets the stack's init", async () => {
      const run = await e.api.invoke('runs.createFromWorkflow', { document: { tasks: [{ id: 'hi', command: 'greet', env: [{ stacks: ['greeter'] }], memory: '100M' }] }, backend });
      const r = await waitDone(run.id, backend);
      expect(r.status, JSON.stringify(r.items.map((t) => [t.id, t.status, t.error]))).toBe('completed');
      const log = await e.api.invoke('tasks.log', { run_id: run.id, task_id: 'hi', type: 'output' });
      expect(log.content).toMatch(/hello from \S+/);
    });

    it('delete removes it from the cluster', async () => {
      expect(await e.api.invoke('stacks.delete', { name: 'greeter', backend })).toEqual({ name: 'greeter', backend, deleted: true });
      expect(cluster.ssh(`test -e "$HOME/${cacheRel}/greeter" && echo still-there || echo gone`).stdout.trim()).toBe('gone');
      expect((await e.api.invoke('stacks.check', { name: 'greeter', backend })).state).toBe('missing');
    });
  });
});
