// Deleting a run of an SSH backend that cannot be reached: the delete answers at once (history is the truth), and
// the files it could not remove are reported with where they are, through the app's real SSH transport.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startEngine, type RunningEngine } from '../../src-main/engine/start';
import { makeShellBackendFactory } from '../../src-main/engine/ssh-wiring';
import { waitFor } from '../helpers/engine-harness';

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('deleting a run whose SSH backend is unreachable', () => {
  let dir: string;
  let e: RunningEngine;
  const errors: string[] = [];

  beforeAll(async () => {
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args.map(String).join(' ')));
    dir = fs.mkdtempSync('/tmp/sh-delete-unreachable-');
    const config = path.join(dir, 'scripthut.yaml');
    fs.writeFileSync(config, `backends:\n  - name: gone\n    type: slurm\n    poll_interval: 60\n    ssh:\n      host: 127.0.0.1\n      port: ${await closedPort()}\n      user: nobody\n`);
    e = await startEngine({
      dataDir: path.join(dir, 'data'),
      configPath: config,
      version: 'test',
      makeShellBackend: makeShellBackendFactory,
      sshOptions: { userKnownHostsPath: path.join(dir, 'known_hosts'), sshConfigPath: path.join(dir, 'no-ssh-config'), agentSocket: null },
    });
  });

  afterAll(async () => {
    await e?.close().catch(() => undefined);
    vi.restoreAllMocks();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('deletes the history at once and says which folders were left on the cluster', async () => {
    const run = await e.api.invoke('runs.createFromWorkflow', { document: { tasks: [{ id: 'a', command: 'echo a' }] }, backend: 'gone', workflow_name: 'w' });
    await e.api.invoke('runs.cancel', { id: run.id });
    await waitFor(async () => ((await e.api.invoke('runs.get', { id: run.id })).status === 'cancelled' ? true : null), 'the run to be cancelled');
    expect(await e.api.invoke('runs.delete', { id: run.id })).toEqual({ run_id: run.id, deleted: true });
    expect((await e.api.invoke('runs.list', {})).runs.map((r) => r.id)).not.toContain(run.id);
    const line = await waitFor(() => errors.find((l) => l.includes(`removing files of run '${run.id}' on 'gone' failed`)) ?? null, 'the removal failure to be logged');
    expect(line).toContain(`~/.cache/scripthut/logs/${run.id} and ~/.cache/scripthut/logs/outputs/${run.id} are left on`);
  });
});
