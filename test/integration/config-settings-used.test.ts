// settings.data_dir, settings.server_port and settings.filter_user used to be accepted and ignored (with a "not
// supported yet" warning). They now act: the data folder and host port when no flag is given, and the queue's
// external jobs limited to one user. Real config files, real engine and store.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src-main/cli/main';
import { resolveDataDir, resolveServerPort } from '../../src-main/config/settings-defaults';
import { startEngine } from '../../src-main/engine/start';
import { defaultDataDir } from '../../src-main/platform/paths';
import { backupIfDue } from '../../src-main/store/backup';
import { Store } from '../../src-main/store/store';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function configIn(text: string): { root: string; file: string; env: NodeJS.ProcessEnv } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-settings-'));
  cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }));
  const file = path.join(root, 'conf', 'scripthut.yaml');
  fs.mkdirSync(path.dirname(file));
  fs.writeFileSync(file, text);
  return { root, file, env: { HOME: path.join(root, 'home'), SCRIPTHUT_CONFIG: file } };
}

describe('settings.data_dir', () => {
  it('is the data folder when neither --data-dir nor $SCRIPTHUT_DATA_DIR is given; relative to the config file, ~ expanded', () => {
    const rel = configIn('settings:\n  data_dir: ../history\n');
    expect(resolveDataDir(undefined, { env: rel.env })).toBe(path.join(rel.root, 'history'));
    expect(resolveDataDir('/flag/dir', { env: rel.env })).toBe('/flag/dir');
    expect(resolveDataDir(undefined, { env: { ...rel.env, SCRIPTHUT_DATA_DIR: '/env/dir' } })).toBe('/env/dir');
    const home = configIn('settings:\n  data_dir: ~/sh-data\n');
    expect(resolveDataDir(undefined, { env: home.env })).toBe(path.join(home.root, 'home', 'sh-data'));
  });

  it('falls back to the platform folder when unset or when the config does not load', () => {
    const unset = configIn('settings:\n  poll_interval: 30\n');
    expect(resolveDataDir(undefined, { env: unset.env })).toBe(defaultDataDir(unset.env));
    const broken = configIn('settings:\n  data_dir: [not, a, path]\n');
    expect(resolveDataDir(undefined, { env: broken.env })).toBe(defaultDataDir(broken.env));
  });

  it('is used by CLI commands run without --data-dir', async () => {
    const { root, file } = configIn('settings:\n  data_dir: ../cli-data\n');
    const dataDir = path.join(root, 'cli-data');
    fs.mkdirSync(dataDir, { recursive: true });
    const store = new Store(path.join(dataDir, 'scripthut.db'));
    await backupIfDue(store.db, dataDir, new Date('2026-03-04T00:00:00Z'));
    store.close();
    vi.stubEnv('SCRIPTHUT_CONFIG', file);
    vi.stubEnv('SCRIPTHUT_DATA_DIR', '');
    cleanups.push(() => void vi.unstubAllEnvs());
    let stdout = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((c) => ((stdout += String(c)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await runCli(['db', 'backups', '--json'], { appRoot: process.cwd(), version: 'test' });
    vi.restoreAllMocks();
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { backups: Array<{ file: string }> }).backups.map((b) => b.file)).toEqual([path.join(dataDir, 'backups', 'scripthut-2026-03-04.db')]);
  });
});

describe('settings.server_port', () => {
  it('is the headless host port when --port is not given; unset means a free port', () => {
    expect(resolveServerPort(undefined, { env: configIn('settings:\n  server_port: 9123\n').env })).toBe(9123);
    expect(resolveServerPort(0, { env: configIn('settings:\n  server_port: 9123\n').env })).toBe(0);
    expect(resolveServerPort(undefined, { env: configIn('settings:\n  poll_interval: 30\n').env })).toBe(0);
  });
});

describe('settings.filter_user', () => {
  it("limits the queue's external jobs to that user, and none of the three keys is reported as unsupported", async () => {
    const { root, file } = configIn('backends:\n  - {name: here, type: local}\nsettings:\n  filter_user: alice\n  server_port: 9124\n  data_dir: /tmp/unused\n');
    const eng = await startEngine({ dataDir: path.join(root, 'data'), configPath: file, version: 'test' });
    cleanups.push(() => eng.close());
    const job = (job_id: string, user: string) => ({ job_id, name: `j${job_id}`, user, state: 'PENDING', reason: null, partition: null, submitted_at: null, started_at: null });
    eng.store.upsertExternalJobs('here', [job('1', 'alice'), job('2', 'bob'), job('3', 'alice')], new Date().toISOString());
    const { jobs } = await eng.api.invoke('jobs.external', {});
    expect(jobs.map((j) => [j.job_id, j.user]).sort()).toEqual([
      ['1', 'alice'],
      ['3', 'alice'],
    ]);
    const health = await eng.api.invoke('health', {});
    expect(health.config_warnings.filter((w) => /^settings\.(data_dir|server_port|filter_user)$/.test(w.path))).toEqual([]);
  });
});
