// The WAL checkpoint timer waits for writing to pause: the tick right after a big commit leaves the WAL alone (the
// committing caller may still be working), the next quiet tick copies it into the file, and under writes that
// never pause it copies anyway after MAX_DEFERRED_TICKS. The copying runs on a thread of its own, so the engine's
// event loop keeps turning meanwhile. Real SQLite file; ticks driven by hand.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../../src-main/store/store';
import { MAX_DEFERRED_TICKS, WalCheckpointer } from '../../src-main/store/wal-checkpoint';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-wal-quiet-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function open(name: string): Promise<{ db: Database.Database; file: string; ck: WalCheckpointer; write: (n: number) => void }> {
  const file = path.join(dir, name);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (x TEXT)');
  // An interval that never fires during the test: ticks are called by hand.
  const ck = new WalCheckpointer(db, { everyMs: 3_600_000 });
  await ck.checkpoint();
  const ins = db.prepare('INSERT INTO t VALUES (?)');
  const write = (n: number) => db.transaction(() => { for (let i = 0; i < n; i++) ins.run('x'.repeat(200)); })();
  return { db, file, ck, write };
}
const size = (file: string) => fs.statSync(file).size;

describe('WAL checkpoint timer', () => {
  it('skips the tick right after a write and checkpoints at the next quiet one', async () => {
    const { db, file, ck, write } = await open('quiet.db');
    const before = size(file);
    write(5000);
    await ck.tick();
    expect(size(file)).toBe(before);
    await ck.tick();
    expect(size(file)).toBeGreaterThan(before);
    // Nothing new: later ticks do nothing.
    const after = size(file);
    await ck.tick();
    expect(size(file)).toBe(after);
    ck.stop();
    db.close();
  });

  it('checkpoints under writes that never pause, after MAX_DEFERRED_TICKS ticks', async () => {
    const { db, file, ck, write } = await open('busy.db');
    const before = size(file);
    for (let i = 0; i < MAX_DEFERRED_TICKS; i++) {
      write(2000);
      await ck.tick();
      expect(size(file)).toBe(before);
    }
    write(2000);
    await ck.tick();
    expect(size(file)).toBeGreaterThan(before);
    ck.stop();
    db.close();
  });

  it('checkpoint() called directly does not wait', async () => {
    const { db, file, ck, write } = await open('direct.db');
    const before = size(file);
    write(5000);
    await ck.checkpoint();
    expect(size(file)).toBeGreaterThan(before);
    ck.stop();
    db.close();
  });

  it('copies on another thread: the event loop keeps turning while a big WAL is checkpointed', async () => {
    const { db, file, ck, write } = await open('thread.db');
    const before = size(file);
    write(100_000); // ~25 MB of WAL
    let turns = 0;
    let spinning = true;
    const spin = (): void => {
      turns++;
      if (spinning) setImmediate(spin);
    };
    setImmediate(spin);
    const r = await ck.checkpoint();
    spinning = false;
    expect(r).not.toBeNull();
    expect(r!.threadId).not.toBe(threadId);
    expect(r!.checkpointed).toBe(r!.log);
    expect(turns).toBeGreaterThan(0);
    expect(size(file)).toBeGreaterThan(before);
    ck.stop();
    db.close();
  });

  it('a store closed while a checkpoint is in flight closes cleanly and leaves no WAL behind', async () => {
    const file = path.join(dir, 'closing.db');
    const s = new Store(file);
    s.db.exec('CREATE TABLE filler (x TEXT)');
    const ins = s.db.prepare('INSERT INTO filler VALUES (?)');
    s.tx(() => {
      for (let i = 0; i < 50_000; i++) ins.run('y'.repeat(200));
    });
    await s.checkpointer!.checkpoint(); // the thread is up
    s.tx(() => {
      for (let i = 0; i < 50_000; i++) ins.run('z'.repeat(200));
    });
    const pending = s.checkpointer!.checkpoint();
    s.close();
    await expect(pending).resolves.toBeNull();
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    const again = new Database(file, { readonly: true });
    expect(again.prepare('SELECT COUNT(*) FROM filler').pluck().get()).toBe(100_000);
    again.close();
  });
});
