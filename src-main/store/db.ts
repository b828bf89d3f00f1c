import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { checkFileBeforeOpen, DatabaseDamagedError, isCorruptionError, quickCheckProblem } from './integrity';
import { MIGRATIONS } from './migrations';

export type Db = Database.Database;

export interface OpenOptions {
  /** Path to a better-sqlite3 native binary built for another ABI (the Electron build passes its own). */
  nativeBinding?: string;
  /** Read-only (CLI history without an engine): no schema change, no file created. */
  readonly?: boolean;
}

/** Open (or create) the engine's database in WAL mode and bring it to the latest schema. */
export function openDatabase(file: string, opts: OpenOptions = {}): Db {
  if (opts.readonly) return withReadCache(new Database(file, { readonly: true, fileMustExist: true, ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}) }));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  checkFileBeforeOpen(file);
  const db = new Database(file, opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {});
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // A checkpoint copies every page the WAL holds, and it runs inside the commit that crosses the limit: with
    // the default 1,000 pages, a loop turning over short jobs spent a third of its CPU copying the same hot task
    // and index pages again and again. 10,000 pages (40 MB) copy each hot page once per many more turns;
    // journal_size_limit gives the space back after a checkpoint.
    db.pragma('wal_autocheckpoint = 10000');
    db.pragma('journal_size_limit = 67108864');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    withReadCache(db);
    // Damage inside the file would otherwise surface later as failing lists behind a health of "ok".
    const problem = quickCheckProblem(db.pragma('quick_check') as Array<{ quick_check: string }>);
    if (problem) throw new DatabaseDamagedError(file, problem);
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    if (isCorruptionError(err)) throw new DatabaseDamagedError(file, (err as Error).message);
    throw err;
  }
}

/**
 * SQLite's default page cache is 2 MB: a 100,000-task run is ~60 MB, so a page of 5,000 rows or a cancel that
 * rewrites every task went to the OS for most pages (a page of rows read 2-3x slower, index b-trees thrashed during
 * bulk updates). Reads go through a memory map, and the cache holds the working set of one big run.
 */
function withReadCache(db: Db): Db {
  db.pragma(`cache_size = -${CACHE_KIB}`);
  db.pragma(`mmap_size = ${MMAP_BYTES}`);
  return db;
}
const CACHE_KIB = 64 * 1024;
const MMAP_BYTES = 1024 * 1024 * 1024;

export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  // Applied in version order whatever order branches appended them in: user_version must only grow.
  const ordered = [...MIGRATIONS].sort((a, b) => a.version - b.version);
  const latest = ordered[ordered.length - 1]?.version ?? 0;
  if (current > latest) {
    throw new Error(`This data folder was written by a newer ScriptHut (schema ${current}; this version knows up to ${latest}). Update the app.`);
  }
  for (const m of ordered) {
    if (m.version <= current) {
      // Merged after a higher version that this store already has: applied without touching user_version.
      if (m.missingFrom?.(db)) db.transaction(() => db.exec(m.sql))();
      continue;
    }
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}
