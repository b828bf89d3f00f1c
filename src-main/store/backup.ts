// Rolling daily backups of the history database (SQLite's online backup: consistent while the engine writes),
// the last BACKUPS_KEPT kept in <data-dir>/backups, and restore of one of them while no engine runs.
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from './db';

export const BACKUPS_KEPT = 7;
const NAME = /^scripthut-(\d{4}-\d{2}-\d{2})\.db$/;

export function backupDir(dataDir: string): string {
  return path.join(dataDir, 'backups');
}

export interface BackupInfo {
  file: string;
  day: string;
  bytes: number;
}

/** Newest first. */
export function listBackups(dataDir: string): BackupInfo[] {
  const dir = backupDir(dataDir);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((n) => ({ n, m: NAME.exec(n) }))
    .filter((x): x is { n: string; m: RegExpExecArray } => x.m !== null)
    .map(({ n, m }) => ({ file: path.join(dir, n), day: m[1] as string, bytes: fs.statSync(path.join(dir, n)).size }))
    .sort((a, b) => b.day.localeCompare(a.day));
}

/** Thrown (and swallowed by scheduleBackups) when a backup is abandoned because the store is closing. */
export class BackupAbandonedError extends Error {
  constructor() {
    super('backup abandoned: the store is closing');
    this.name = 'BackupAbandonedError';
  }
}

/**
 * Today's backup if there is none yet, then prune to the newest BACKUPS_KEPT. Returns the file written, or null
 * when today's already exists. Written to a temporary name first so a crash never leaves a half backup; an
 * abandoned or failed one removes its temporary file.
 */
export async function backupIfDue(db: Db, dataDir: string, now = new Date(), signal?: AbortSignal): Promise<string | null> {
  const day = now.toISOString().slice(0, 10);
  const dir = backupDir(dataDir);
  const file = path.join(dir, `scripthut-${day}.db`);
  if (fs.existsSync(file)) return null;
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${file}.partial`;
  fs.rmSync(tmp, { force: true });
  const stopIfAborted = () => {
    if (signal?.aborted) throw new BackupAbandonedError();
  };
  try {
    stopIfAborted();
    // better-sqlite3 copies page batches between event-loop turns; the progress hook is where an abandon can
    // stop it before the connection it reads from is closed.
    await db.backup(tmp, {
      progress: () => {
        stopIfAborted();
        return 100; // better-sqlite3's own pace: 100 pages a turn
      },
    });
    stopIfAborted();
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fs.renameSync(tmp, file);
  for (const old of listBackups(dataDir).slice(BACKUPS_KEPT)) fs.rmSync(old.file, { force: true });
  return file;
}

/**
 * Check the day's backup every hour while the engine runs. Returns a stop function to await before closing the
 * store: it stops the timer and abandons a backup in flight (its partial file removed), so no page copy runs on
 * a closed connection.
 */
export function scheduleBackups(
  db: Db,
  dataDir: string,
  onError: (err: Error) => void = (e) => console.warn(`[backup] ${e.message}`),
): () => Promise<void> {
  const abort = new AbortController();
  let inFlight: Promise<void> | null = null;
  const run = () => {
    if (inFlight || abort.signal.aborted) return;
    inFlight = backupIfDue(db, dataDir, new Date(), abort.signal)
      .then(
        () => undefined,
        (err: Error) => {
          if (!(err instanceof BackupAbandonedError)) onError(err);
        },
      )
      .finally(() => {
        inFlight = null;
      });
  };
  run();
  const timer = setInterval(run, 60 * 60_000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    abort.abort();
    await inFlight;
  };
}

/**
 * Replace the database with a backup (no engine may be running: the caller holds the data-dir lock). The current
 * file is kept beside it as scripthut.db.before-restore-<time> so a wrong choice can be undone.
 */
export function restoreBackup(dataDir: string, backupFile: string, now = new Date()): { restored: string; previous: string | null } {
  const src = path.resolve(backupFile);
  if (!fs.existsSync(src)) throw new Error(`No such backup: ${src}. List them with \`scripthut db backups\`.`);
  const target = path.join(dataDir, 'scripthut.db');
  let previous: string | null = null;
  if (fs.existsSync(target)) {
    previous = `${target}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`;
    fs.renameSync(target, previous);
  }
  for (const side of ['-wal', '-shm']) {
    if (fs.existsSync(target + side)) fs.renameSync(target + side, `${previous ?? target}${side}`);
  }
  fs.copyFileSync(src, target);
  return { restored: target, previous };
}

/**
 * Move the database (and its -wal/-shm) aside so a new, empty one is created on the next start; the damaged
 * file is kept as scripthut.db.damaged-<time> for a later repair or restore. No engine may be running.
 */
export function setAsideDatabase(dataDir: string, now = new Date()): { keptAs: string | null } {
  const target = path.join(dataDir, 'scripthut.db');
  if (!fs.existsSync(target)) return { keptAs: null };
  const keptAs = `${target}.damaged-${now.toISOString().replace(/[:.]/g, '-')}`;
  fs.renameSync(target, keptAs);
  for (const side of ['-wal', '-shm']) {
    if (fs.existsSync(target + side)) fs.renameSync(target + side, keptAs + side);
  }
  return { keptAs };
}
