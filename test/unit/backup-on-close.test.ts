// Stopping an engine while its start-up backup is still copying pages used to print "[backup] The database
// connection is not open" and leave a .partial file: the copy ran on after the store closed. Real engine, real
// SQLite file big enough that the copy spans many event-loop turns.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startEngine } from '../../src-main/engine/start';
import { backupDir, backupIfDue, BackupAbandonedError, scheduleBackups } from '../../src-main/store/backup';
import { Store } from '../../src-main/store/store';

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A data folder whose database holds ~12 MB, so a backup (100 pages a turn) takes dozens of turns. */
function bigDataDir(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-backup-close-'));
  dirs.push(root);
  const dataDir = path.join(root, 'data');
  fs.mkdirSync(dataDir);
  const store = new Store(path.join(dataDir, 'scripthut.db'));
  store.db.exec('CREATE TABLE filler (b BLOB)');
  const ins = store.db.prepare('INSERT INTO filler VALUES (randomblob(65536))');
  store.db.transaction(() => {
    for (let i = 0; i < 200; i++) ins.run();
  })();
  store.close();
  fs.writeFileSync(path.join(root, 'cfg.yaml'), 'backends:\n  - name: here\n    type: local\n');
  return root;
}

const partialIn = (dataDir: string) => fs.existsSync(backupDir(dataDir)) && fs.readdirSync(backupDir(dataDir)).some((n) => n.endsWith('.partial'));
async function untilCopying(dataDir: string): Promise<void> {
  for (let i = 0; i < 2000 && !partialIn(dataDir); i++) await new Promise((r) => setTimeout(r, 1));
  expect(partialIn(dataDir)).toBe(true);
}

const turns = (n: number) =>
  new Promise<void>((resolve) => {
    const next = (left: number): void => {
      if (left === 0) resolve();
      else setImmediate(() => next(left - 1));
    };
    next(n);
  });

describe('backups at engine stop', () => {
  it('stopping an engine with a backup in flight prints no error and leaves no partial backup file', async () => {
    const root = bigDataDir();
    const warnings: string[] = [];
    vi.spyOn(console, 'warn').mockImplementation((...a: unknown[]) => void warnings.push(a.map(String).join(' ')));
    const dataDir = path.join(root, 'data');
    const engine = await startEngine({ dataDir, configPath: path.join(root, 'cfg.yaml'), version: 'test' });
    await untilCopying(dataDir);
    await engine.close();
    await turns(50);
    await new Promise((r) => setTimeout(r, 100));
    expect(warnings.filter((w) => w.includes('[backup]'))).toEqual([]);
    expect(fs.readdirSync(backupDir(dataDir))).toEqual([]);
  });

  it('a backup that finishes before the stop is kept', async () => {
    const root = bigDataDir();
    const dataDir = path.join(root, 'data');
    const store = new Store(path.join(dataDir, 'scripthut.db'));
    const errors: Error[] = [];
    const stop = scheduleBackups(store.db, dataDir, (e) => errors.push(e));
    for (let i = 0; i < 500 && !fs.readdirSync(backupDir(dataDir)).some((n) => n.endsWith('.db')); i++) await turns(10);
    await stop();
    store.close();
    expect(errors).toEqual([]);
    expect(fs.readdirSync(backupDir(dataDir)).filter((n) => /^scripthut-\d{4}-\d{2}-\d{2}\.db$/.test(n))).toHaveLength(1);
    expect(fs.readdirSync(backupDir(dataDir)).some((n) => n.endsWith('.partial'))).toBe(false);
  });

  it('an abandoned backupIfDue rejects as abandoned and removes its temporary file', async () => {
    const root = bigDataDir();
    const dataDir = path.join(root, 'data');
    const store = new Store(path.join(dataDir, 'scripthut.db'));
    const abort = new AbortController();
    const pending = backupIfDue(store.db, dataDir, new Date('2026-05-06T00:00:00Z'), abort.signal);
    await untilCopying(dataDir);
    abort.abort();
    await expect(pending).rejects.toBeInstanceOf(BackupAbandonedError);
    store.close();
    expect(fs.readdirSync(backupDir(dataDir))).toEqual([]);
  });
});
