// The WAL checkpoint timer waits for writing to pause: the tick right after a big commit leaves the WAL alone (the
// committing caller may still be working), the next quiet tick copies it into the file, and under writes that
// never pause it copies anyway after MAX_DEFERRED_TICKS. Real SQLite file; ticks driven by hand.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_DEFERRED_TICKS, WalCheckpointer } from '../../src-main/store/wal-checkpoint';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-wal-quiet-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function open(name: string): { db: Database.Database; file: string; ck: WalCheckpointer; write: (n: number) => void } {
  const file = path.join(dir, name);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (x TEXT)');
  // An interval that never fires during the test: ticks are called by hand.
  const ck = new WalCheckpointer(db, 3_600_000);
  ck.checkpoint();
  const ins = db.prepare('INSERT INTO t VALUES (?)');
  const write = (n: number) => db.transaction(() => { for (let i = 0; i < n; i++) ins.run('x'.repeat(200)); })();
  return { db, file, ck, write };
}
const size = (file: string) => fs.statSync(file).size;

describe('WAL checkpoint timer', () => {
  it('skips the tick right after a write and checkpoints at the next quiet one', () => {
    const { db, file, ck, write } = open('quiet.db');
    const before = size(file);
    write(5000);
    ck.tick();
    expect(size(file)).toBe(before);
    ck.tick();
    expect(size(file)).toBeGreaterThan(before);
    // Nothing new: later ticks do nothing.
    const after = size(file);
    ck.tick();
    expect(size(file)).toBe(after);
    ck.stop();
    db.close();
  });

  it('checkpoints under writes that never pause, after MAX_DEFERRED_TICKS ticks', () => {
    const { db, file, ck, write } = open('busy.db');
    const before = size(file);
    for (let i = 0; i < MAX_DEFERRED_TICKS; i++) {
      write(2000);
      ck.tick();
      expect(size(file)).toBe(before);
    }
    write(2000);
    ck.tick();
    expect(size(file)).toBeGreaterThan(before);
    ck.stop();
    db.close();
  });

  it('checkpoint() called directly does not wait', () => {
    const { db, file, ck, write } = open('direct.db');
    const before = size(file);
    write(5000);
    ck.checkpoint();
    expect(size(file)).toBeGreaterThan(before);
    ck.stop();
    db.close();
  });
});
