// The task table's efficiency cells: CPU efficiency as the backend measured it (percent of the allocated CPUs
// busy over the run) and peak memory (MaxRSS) against the memory asked for. Memory text follows Slurm: a bare
// number is megabytes, K/M/G/T/P are binary multiples, an optional "iB"/"B" is accepted.

const UNIT: Record<string, number> = { K: 1 / 1024 ** 2, M: 1 / 1024, G: 1, T: 1024, P: 1024 ** 2 };

/** GiB in a memory text, or null when it is not one. */
export function memoryGiB(text: string | null | undefined): number | null {
  if (!text) return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGTP]?)i?B?\s*$/i.exec(text);
  if (!m) return null;
  const unit = (m[2] as string).toUpperCase();
  return Number(m[1]) * (unit === '' ? (UNIT.M as number) : (UNIT[unit] as number));
}

export function formatGiB(gib: number): string {
  if (gib >= 100) return `${Math.round(gib)} GB`;
  if (gib >= 1) return `${Math.round(gib * 10) / 10} GB`;
  const mib = gib * 1024;
  return mib >= 1 ? `${Math.round(mib)} MB` : `${Math.max(1, Math.round(mib * 1024))} KB`;
}

export interface MemoryUse {
  /** "1.2 GB / 4 GB" or "1.2 GB" when the request is unknown. */
  text: string;
  /** Peak as a percent of the request (null without a request). */
  percent: number | null;
}

export function memoryUse(maxRss: string | null, requested: string | null): MemoryUse | null {
  const used = memoryGiB(maxRss);
  if (used === null) return null;
  const asked = memoryGiB(requested);
  if (!asked) return { text: formatGiB(used), percent: null };
  return { text: `${formatGiB(used)} / ${formatGiB(asked)}`, percent: Math.round((used / asked) * 100) };
}

export function cpuText(efficiency: number | null): string {
  return efficiency === null ? '—' : `${Math.round(efficiency)}%`;
}
