// The store speaks UTC ISO; people read local time, or UTC when they chose so in Settings.

let utcMode = false;
/** Every time shown follows this (Settings → Times); the app re-renders its pages when it changes. */
export function setTimeZoneMode(mode: 'local' | 'utc'): void {
  utcMode = mode === 'utc';
}

/** The zone times are shown in now (caches of formatted times key on it). */
export function timeZoneMode(): 'local' | 'utc' {
  return utcMode ? 'utc' : 'local';
}

function formatUtc(d: Date): string {
  const iso = d.toISOString();
  const sameDay = iso.slice(0, 10) === new Date().toISOString().slice(0, 10);
  return `${sameDay ? '' : `${iso.slice(0, 10)} `}${iso.slice(11, 19)} UTC`;
}

// One formatter per shape, made once: toLocale*String with options builds a new ICU formatter on every call,
// which is most of the cost of painting a screenful of table rows.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(key: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let f = formatters.get(key);
  if (!f) formatters.set(key, (f = new Intl.DateTimeFormat(undefined, options)));
  return f;
}

export function formatLocal(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  if (utcMode) return formatUtc(d);
  const now = new Date();
  const sameDay = d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
  // 24-hour whatever the locale, like the CLI and the UTC stamps in logs, so times read the same everywhere.
  const time = formatter('time', { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(d);
  if (sameDay) return time;
  const thisYear = d.getFullYear() === now.getFullYear();
  const date = formatter(thisYear ? 'day' : 'day-year', { year: thisYear ? undefined : 'numeric', month: 'short', day: 'numeric' }).format(d);
  return `${date} ${time}`;
}

/** Full timestamp for tooltips: local with its zone, and UTC (what logs and the store use). */
export function formatLocalFull(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const local = formatter('full', { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'short' }).format(d);
  return `${local} · ${d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}`;
}

/**
 * How long ago, in the words people scan recency by ("3 min ago", "2 h ago", "yesterday"). `now` comes from the
 * shared minute clock, so the label is at most a minute behind. Older than a week it gives the date instead:
 * "41 d ago" says less than the day itself. A time ahead of `now` (another machine's clock) reads "just now"
 * within a minute and "in N min" beyond.
 */
export function formatRelative(iso: string | null | undefined, now: number, absolute?: string): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const ahead = t - now > 60_000;
  const min = Math.floor(Math.abs(now - t) / 60_000);
  if (min < 1) return 'just now';
  if (min < 60) return ahead ? `in ${min} min` : `${min} min ago`;
  const h = Math.floor(min / 60);
  if (h < 24) return ahead ? `in ${h} h` : `${h} h ago`;
  const d = Math.floor(h / 24);
  if (ahead) return `in ${d} d`;
  if (d === 1) return 'yesterday';
  if (d < 7) return `${d} d ago`;
  // `absolute`: formatLocal(iso) when the caller has it already (a list cell shows both).
  return absolute ?? formatLocal(iso);
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Duration between two ISO times; a missing end means "still going" and uses `now`. */
export function durationBetween(startIso: string | null, endIso: string | null, now: number = Date.now()): string {
  if (!startIso) return '—';
  const start = Date.parse(startIso);
  const end = endIso ? Date.parse(endIso) : now;
  return formatDuration(end - start);
}

/** The IANA zone days and hours are counted in on screen (usage charts): UTC, or this machine's. */
export function displayTimeZone(): string {
  return utcMode ? 'UTC' : Intl.DateTimeFormat().resolvedOptions().timeZone;
}
