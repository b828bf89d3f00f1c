// The data folder holds the history database (its WAL has held secret env values), job logs and engine.json
// (the API token): only its owner may read it. On POSIX: umask 077 for the engine process, so every file it
// creates from now on (SQLite db/WAL/SHM, logs, spool) is owner-only, plus a one-time repair of what an older
// version left group/world-readable. On Windows the folder lives in the per-user profile (%APPDATA%), whose ACL
// already keeps other users out; POSIX modes mean nothing there, so nothing is changed.
import fs from 'node:fs';
import path from 'node:path';

export const PRIVATE_UMASK = 0o077;

let userUmask: number | null = null;

/**
 * The umask the user had before the engine tightened its own: jobs run with it, so the files a job writes into
 * the user's folders get the permissions the user expects (only the engine's own files are private).
 */
export function jobUmask(): string | null {
  return userUmask === null ? null : userUmask.toString(8).padStart(4, '0');
}

/** Strip group/other bits from every file and folder under `root` (symlinks are not followed). */
export function stripGroupAndOtherBits(root: string): void {
  const stack = [root];
  while (stack.length) {
    const dir = stack.pop() as string;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isSymbolicLink()) continue;
      try {
        const mode = fs.lstatSync(p).mode & 0o777;
        if (mode & 0o077) fs.chmodSync(p, mode & 0o700);
      } catch {
        /* vanished meanwhile */
      }
      if (e.isDirectory()) stack.push(p);
    }
  }
}

/** Create (or repair) the data folder as owner-only and make the process create owner-only files. */
export function makeDataDirPrivate(dataDir: string, platform: NodeJS.Platform = process.platform): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (platform === 'win32') return;
  const before = process.umask(PRIVATE_UMASK);
  if (userUmask === null) userUmask = before;
  fs.chmodSync(dataDir, 0o700);
  stripGroupAndOtherBits(dataDir);
}
