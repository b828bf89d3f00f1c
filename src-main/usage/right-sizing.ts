// Right-sizing: requested vs used for completed tasks (MaxRSS vs memory, CPU efficiency vs cpus, elapsed vs
// time limit), summarised per task name across runs with a suggested request that would have fitted every run.
import { elapsedHours, memoryGb } from '../pricing/cost';

export interface UsedVsRequested {
  name: string;
  cpus: number;
  memory: string;
  time_limit: string;
  max_rss: string | null;
  cpu_efficiency: number | null;
  started_at: string | null;
  finished_at: string | null;
  /** The backend the task ran on (its capabilities decide which advice makes sense). */
  backend?: string;
}

export interface RightSizeOptions {
  /** Whether jobs on this backend wait in a queue that shorter time limits jump (backfill); unknown = false. */
  backfill?: (backend: string) => boolean;
}

export interface RightSizing {
  name: string;
  runs: number;
  memory_requested_gb: number | null;
  memory_max_used_gb: number | null;
  suggested_memory: string | null;
  /** GB-hours that the suggested memory would have left free for others. */
  memory_gb_hours_saved: number | null;
  cpu_efficiency_mean: number | null;
  suggested_cpus: number | null;
  time_used_max_fraction: number | null;
  advice: string[];
}

/** Slurm time limits: "D-HH:MM:SS", "HH:MM:SS", "MM:SS", "M" (minutes). */
export function timeLimitHours(text: string): number | null {
  const m = /^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$/.exec(text.trim());
  if (!m) return null;
  const [d, a, b, c] = [Number(m[1] ?? 0), Number(m[2]), m[3] === undefined ? null : Number(m[3]), m[4] === undefined ? null : Number(m[4])];
  if (b === null) return d * 24 + a / 60; // minutes only
  if (c === null) return d * 24 + (m[1] ? a + b / 60 : a / 60 + b / 3600); // D-HH:MM or MM:SS
  return d * 24 + a + b / 60 + c / 3600;
}

const HEADROOM = 1.2;
const fmtGb = (gb: number) => (gb >= 1 ? `${Math.ceil(gb * 10) / 10}G` : `${Math.ceil(gb * 1024)}M`);
const r3 = (n: number) => Math.round(n * 1000) / 1000;

export function rightSize(rows: UsedVsRequested[], now: string, windowLabel: string, opts: RightSizeOptions = {}): RightSizing[] {
  const byName = new Map<string, UsedVsRequested[]>();
  for (const r of rows) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
  const out: RightSizing[] = [];
  for (const [name, rs] of byName) {
    const last = rs[rs.length - 1]!;
    const reqGb = memoryGb(last.memory);
    const used = rs.map((r) => (r.max_rss ? memoryGb(r.max_rss) : null)).filter((v): v is number => v !== null);
    const maxUsed = used.length ? Math.max(...used) : null;
    const advice: string[] = [];
    let suggested: string | null = null;
    let saved: number | null = null;
    if (reqGb !== null && maxUsed !== null && maxUsed * HEADROOM < reqGb * 0.8) {
      const s = maxUsed * HEADROOM;
      suggested = fmtGb(s);
      const sGb = memoryGb(suggested)!;
      saved = r3(rs.reduce((sum, r) => sum + (reqGb - sGb) * (elapsedHours(r.started_at, r.finished_at, now) ?? 0), 0));
      advice.push(`memory ${last.memory} -> ${suggested} would have fitted every run of this task in ${windowLabel}`);
    }
    const effs = rs.map((r) => r.cpu_efficiency).filter((v): v is number => v !== null);
    const eff = effs.length ? effs.reduce((a, b) => a + b, 0) / effs.length : null;
    let suggestedCpus: number | null = null;
    if (eff !== null && last.cpus > 1) {
      const need = Math.max(1, Math.ceil(last.cpus * Math.max(...effs) * HEADROOM));
      if (need < last.cpus) {
        suggestedCpus = need;
        advice.push(`cpus ${last.cpus} -> ${need}: the busiest run used ${Math.round(Math.max(...effs) * 100)} % of ${last.cpus}`);
      }
    }
    const limit = timeLimitHours(last.time_limit);
    const fractions = rs.map((r) => elapsedHours(r.started_at, r.finished_at, now)).filter((v): v is number => v !== null);
    const timeFrac = limit && fractions.length ? Math.max(...fractions) / limit : null;
    // Only a queue that backfills starts a job sooner for a shorter limit; elsewhere (local, cloud) a tighter
    // limit only stops a runaway task earlier.
    const sooner = last.backend !== undefined && (opts.backfill?.(last.backend) ?? false);
    if (timeFrac !== null && timeFrac < 0.25 && limit) advice.push(`time limit ${last.time_limit}: the longest run used ${Math.round(timeFrac * 100)} % of it (${sooner ? 'shorter limits start sooner' : 'a shorter limit stops a runaway task earlier'})`);
    out.push({ name, runs: rs.length, memory_requested_gb: reqGb, memory_max_used_gb: maxUsed === null ? null : r3(maxUsed), suggested_memory: suggested, memory_gb_hours_saved: saved, cpu_efficiency_mean: eff === null ? null : r3(eff), suggested_cpus: suggestedCpus, time_used_max_fraction: timeFrac === null ? null : r3(timeFrac), advice });
  }
  return out.sort((a, b) => (b.memory_gb_hours_saved ?? 0) - (a.memory_gb_hours_saved ?? 0) || a.name.localeCompare(b.name));
}
