// One engine per data folder, whether it runs in the desktop app or headless. The lock records the owner's pid
// and process start time, so a lock left by a killed engine (or a recycled pid) is recognised as stale.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeDataDirPrivate } from '../platform/private-data-dir';

export class DataDirLockedError extends Error {
  readonly code = 'ELOCKED';
  constructor(
    message: string,
    readonly ownerPid: number,
  ) {
    super(message);
  }
}

interface LockInfo {
  pid: number;
  start_time: string | null;
  hostname: string;
  started_at: string;
}

function processStartTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime) comes after the parenthesised command name, which may itself contain spaces.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function alive(info: LockInfo): boolean {
  try {
    process.kill(info.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (info.hostname !== os.hostname()) return true;
  const now = processStartTime(info.pid);
  return info.start_time === null || now === null || now === info.start_time;
}

export interface DataDirLock {
  file: string;
  release(): void;
}

export function acquireDataDirLock(dataDir: string): DataDirLock {
  makeDataDirPrivate(dataDir);
  const file = path.join(dataDir, 'engine.lock');
  const info: LockInfo = { pid: process.pid, start_time: processStartTime(process.pid), hostname: os.hostname(), started_at: new Date().toISOString() };
  for (let tries = 0; tries < 3; tries++) {
    try {
      const fd = fs.openSync(file, 'wx');
      fs.writeSync(fd, JSON.stringify(info));
      fs.closeSync(fd);
      return {
        file,
        release: () => {
          try {
            const cur = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
            if (cur.pid === process.pid) fs.unlinkSync(file);
          } catch {
            /* already gone */
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let owner: LockInfo | null = null;
      try {
        owner = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
      } catch {
        owner = null; // half-written by an engine killed at start: stale
      }
      if (owner && alive(owner)) {
        throw new DataDirLockedError(
          `The data folder ${dataDir} is already in use by another ScriptHut engine (pid ${owner.pid}, started ${owner.started_at}). ` +
            `Stop that engine first, or give this one another folder with --data-dir / SCRIPTHUT_DATA_DIR.`,
          owner.pid,
        );
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`Could not take the lock ${file}`);
}
