// A damaged history database stops the start with a clear, located message (exit code 4), and rolling backups
// can bring the history back. Real SQLite files throughout.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../../src-main/store/store';
import { backupIfDue, BACKUPS_KEPT, listBackups, restoreBackup } from '../../src-main/store/backup';
import { DatabaseDamagedError } from '../../src-main/store/integrity';

const dirs: string[] = [];
function dataDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-dbdamage-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function fill(file: string, rows = 2000): void {
  const s = new Store(file);
  s.tx(() => {
    for (let i = 0; i < rows; i++) s.appendCommand({ backend: 'b', at: 'x', command: `echo ${'x'.repeat(200)} ${i}`, kind: 'other', exitCode: 0, durationMs: 1, stdout: '', stderr: '', error: null });
  });
  s.close();
}

function openError(file: string): unknown {
  try {
    new Store(file).close();
  } catch (err) {
    return err;
  }
  return null;
}

describe('damaged database at start', () => {
  it('refuses a 0-byte file instead of starting with empty history', () => {
    const file = path.join(dataDir(), 'scripthut.db');
    fs.writeFileSync(file, '');
    const err = openError(file);
    expect(err).toBeInstanceOf(DatabaseDamagedError);
    expect((err as DatabaseDamagedError).exitCode).toBe(4);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(/scripthut db restore/);
  });

  it('turns a file that is not a database into the same clear error, not a raw SQLite stack', () => {
    const file = path.join(dataDir(), 'scripthut.db');
    fs.writeFileSync(file, 'this is not sqlite'.repeat(500));
    expect(openError(file)).toBeInstanceOf(DatabaseDamagedError);
  });

  it('finds damage inside the file at start (quick_check) rather than letting lists fail later', () => {
    const file = path.join(dataDir(), 'scripthut.db');
    fill(file);
    const fd = fs.openSync(file, 'r+');
    const size = fs.fstatSync(fd).size;
    // Overwrite pages in the middle (b-tree pages of command_log), leaving the header intact.
    fs.writeSync(fd, Buffer.alloc(4096 * 4, 0xa5), 0, 4096 * 4, Math.floor(size / 2 / 4096) * 4096);
    fs.closeSync(fd);
    expect(openError(file)).toBeInstanceOf(DatabaseDamagedError);
  });

  it('opens a healthy database', () => {
    const file = path.join(dataDir(), 'scripthut.db');
    fill(file, 10);
    expect(openError(file)).toBeNull();
  });
});

describe('rolling backups', () => {
  it('writes one backup per day, keeps the last 7, and restore brings the history back', async () => {
    const dir = dataDir();
    const file = path.join(dir, 'scripthut.db');
    fill(file, 10);
    const store = new Store(file);
    try {
      for (let d = 1; d <= 9; d++) expect(await backupIfDue(store.db, dir, new Date(`2026-01-0${d}T12:00:00Z`))).not.toBeNull();
      expect(await backupIfDue(store.db, dir, new Date('2026-01-09T18:00:00Z'))).toBeNull();
    } finally {
      store.close();
    }
    const backups = listBackups(dir);
    expect(backups.map((b) => b.day)).toEqual(['2026-01-09', '2026-01-08', '2026-01-07', '2026-01-06', '2026-01-05', '2026-01-04', '2026-01-03']);
    expect(backups).toHaveLength(BACKUPS_KEPT);

    fs.writeFileSync(file, ''); // the live file is lost
    expect(openError(file)).toBeInstanceOf(DatabaseDamagedError);
    const { previous } = restoreBackup(dir, backups[0]!.file);
    expect(previous && fs.existsSync(previous)).toBe(true);
    const s = new Store(file);
    try {
      expect(s.listCommands('b', 100)).toHaveLength(10);
    } finally {
      s.close();
    }
  });
});
