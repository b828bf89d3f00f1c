// The command log stays bounded: old rows are pruned per backend, and a transport that backs off logs the change
// of state once instead of one row per refused command.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../../src-main/store/store';
import { SshBroker } from '../../src-main/transport/ssh/broker';
import { LoggedRunner } from '../../src-main/transport/runner';
import type { CommandLogEntry } from '../../src-main/model/command-log-entry';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'sh-cmdlog-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function entry(backend: string, i: number): CommandLogEntry {
  return { backend, at: new Date(0).toISOString(), command: `echo ${i}`, kind: 'other', exitCode: 0, durationMs: 1, stdout: '', stderr: '', error: null };
}

describe('command log retention', () => {
  it('keeps about `command_log_retention` newest rows per backend and never touches another backend', () => {
    const store = new Store(path.join(tmp(), 'scripthut.db'), { commandLogRetention: 100 });
    try {
      for (let i = 0; i < 1000; i++) store.appendCommand(entry('busy', i));
      for (let i = 0; i < 50; i++) store.appendCommand(entry('quiet', i));
      const count = (b: string) => (store.db.prepare('SELECT COUNT(*) AS n FROM command_log WHERE backend_name = ?').get(b) as { n: number }).n;
      // Pruning runs every 100 inserts, so up to 99 extra rows may wait for the next prune.
      expect(count('busy')).toBeGreaterThanOrEqual(100);
      expect(count('busy')).toBeLessThan(200);
      expect(count('quiet')).toBe(50);
      const newest = store.listCommands('busy', 100).map((r) => r.command);
      expect(newest[0]).toBe('echo 999');
      expect(newest[99]).toBe('echo 900');
    } finally {
      store.close();
    }
  });
});

describe('backoff logging', () => {
  it('logs the first refusal of a backoff period, not every repetition', async () => {
    const dir = tmp();
    const broker = new SshBroker({
      appKnownHostsPath: path.join(dir, 'known_hosts'),
      userKnownHostsPath: null,
      sshConfigPath: path.join(dir, 'no-such-config'),
      agentSocket: null,
      env: { home: dir, localUser: 'nobody' },
      backoff: { initialMs: 60_000, maxMs: 60_000 },
      connectTimeoutMs: 5000,
      onPrompt: async () => null,
      onUnknownHostKey: async () => false,
    });
    const logged: CommandLogEntry[] = [];
    // Port 1 on loopback: connection refused at once.
    const runner = new LoggedRunner(broker.runner('down', { host: '127.0.0.1', port: 1, user: 'nobody' }), 'down', (e) => logged.push(e));
    try {
      for (let i = 0; i < 5; i++) await expect(runner.run('squeue')).rejects.toThrow();
      expect(logged).toHaveLength(2);
      expect(logged[0]?.error).not.toMatch(/backing off/);
      expect(logged[1]?.error).toMatch(/backing off/);
    } finally {
      await broker.close();
    }
  });
});
