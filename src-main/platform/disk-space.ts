// Free space of the data folder, so health can say "disk full" before writes start failing.
import fs from 'node:fs';

/** Below this, history writes and log files are at risk: health turns degraded and says why. */
export const LOW_SPACE_BYTES = 100 * 1024 * 1024;

export interface DataDirSpace {
  free_bytes: number | null;
  /** A sentence for health when space is low, else null. */
  warning: string | null;
}

export function dataDirSpace(dataDir: string, lowBytes = LOW_SPACE_BYTES): DataDirSpace {
  let free: number;
  try {
    const s = fs.statfsSync(dataDir);
    free = Number(s.bavail) * Number(s.bsize);
  } catch {
    return { free_bytes: null, warning: null }; // unknown (e.g. platform without statfs): do not guess
  }
  const mib = (n: number) => `${Math.floor(n / 1024 / 1024)} MiB`;
  return {
    free_bytes: free,
    warning: free < lowBytes ? `The disk holding ${dataDir} is (nearly) full: ${mib(free)} free. History and logs cannot be written reliably; free some space.` : null,
  };
}

/** Below this a supervisor may well have failed to write its exit-code file. */
const NEARLY_FULL_BYTES = 1024 * 1024;

/**
 * A job that ended without an exit code on a full disk was not "lost": its supervisor could not write the code
 * (ENOSPC). Say so, so the user frees space instead of hunting a crash.
 */
export function explainLostOnFullDisk<V extends { exitCode: number | null; schedulerState: string | null; reason: string | null }>(v: V, spoolDir: string): V {
  if (v.exitCode !== null || v.schedulerState !== 'LOST') return v;
  const { free_bytes } = dataDirSpace(spoolDir);
  if (free_bytes === null || free_bytes >= NEARLY_FULL_BYTES) return v;
  return { ...v, reason: `lost: the exit code could not be recorded because the disk holding ${spoolDir} is full (ENOSPC); free some space` };
}
