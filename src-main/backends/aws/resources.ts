// Task resource fields (cpus, memory "4G", gres "gpu:2", time_limit "1:00:00") mapped to what AWS asks for.
import { createHash } from 'node:crypto';

/** MiB from a Slurm-style memory string: 4G -> 4096, 512M -> 512, 2048K -> 2, bare number -> MiB, 1.5G -> 1536. */
export function memoryMiB(memory: string | null | undefined, fallback = 2048): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*$/i.exec(memory ?? '');
  if (!m) return fallback;
  const n = Number(m[1]);
  const unit = (m[2] ?? '').toUpperCase();
  const mib = unit === 'K' ? n / 1024 : unit === 'G' ? n * 1024 : unit === 'T' ? n * 1024 * 1024 : n;
  return Math.max(1, Math.floor(mib));
}

/** GPU count from gres: "gpu:2", "gpu:a100:2", "gpu" (=1); anything else -> 0. */
export function gpuCount(gres: string | null | undefined): number {
  if (!gres) return 0;
  let total = 0;
  for (const part of gres.split(',')) {
    const bits = part.trim().split(':');
    if (bits[0] !== 'gpu') continue;
    const last = bits.length > 1 ? Number(bits[bits.length - 1]) : 1;
    total += Number.isInteger(last) && last > 0 ? last : 1;
  }
  return total;
}

/** Seconds from "D-HH:MM:SS", "HH:MM:SS", "MM:SS" or "MM"; null when unparseable or unlimited. */
export function timeLimitSeconds(limit: string | null | undefined): number | null {
  if (!limit) return null;
  const m = /^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$/.exec(limit.trim());
  if (!m) return null;
  const days = Number(m[1] ?? 0);
  const parts = [m[2], m[3], m[4]].filter((x) => x !== undefined).map(Number);
  let secs: number;
  if (parts.length === 3) secs = parts[0]! * 3600 + parts[1]! * 60 + parts[2]!;
  else if (parts.length === 2) secs = m[1] ? parts[0]! * 3600 + parts[1]! * 60 : parts[0]! * 60 + parts[1]!;
  else secs = m[1] ? parts[0]! * 3600 : parts[0]! * 60;
  return days * 86400 + secs;
}

export function shortHash(text: string, len = 12): string {
  return createHash('sha256').update(text).digest('hex').slice(0, len);
}

/** AWS names allow [A-Za-z0-9_-]; everything else becomes '-'. */
export function awsName(text: string, max = 128, fallback = 'scripthut-task'): string {
  const s = text.replace(/[^A-Za-z0-9_-]/g, '-').replace(/^-+|-+$/g, '').slice(0, max);
  return s || fallback;
}

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Resource tags every AWS resource of a task carries (crash-safe reconcile by tag). */
export const TAG_KEYS = { tag: 'scripthut:tag', backend: 'scripthut:backend', run: 'scripthut:run-id', task: 'scripthut:task-id', owner: 'scripthut:owner' } as const;
