// Local-time day buckets in an explicit IANA zone: a task's CPU-hours are split at local midnights, so a day
// that DST shortens to 23 h (or lengthens to 25 h) gets exactly the hours it had. Pure; the zone is passed in.

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(tz, f);
  }
  return f;
}

/** Throws a clear error for a zone the runtime does not know. */
export function checkTimeZone(tz: string): void {
  try {
    formatter(tz);
  } catch {
    throw new Error(`Unknown time zone '${tz}' (expected an IANA name such as Europe/Zurich or UTC).`);
  }
}

function localParts(ms: number, tz: string): { y: number; m: number; d: number; offsetMs: number } {
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(new Date(ms))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return { y: p.year!, m: p.month!, d: p.day!, offsetMs: asUtc - Math.floor(ms / 1000) * 1000 };
}


const DAY_MS = 86_400_000;

/** YYYY-MM-DD of an instant in `tz`. */
export function localDay(ms: number, tz: string): string {
  return new Date(ms + offsetAt(ms, tz)).toISOString().slice(0, 10);
}

/** The instant of the local midnight that ends the local day containing `ms`. */
export function nextLocalMidnight(ms: number, tz: string): number {
  const wallMidnight = (Math.floor((ms + offsetAt(ms, tz)) / DAY_MS) + 1) * DAY_MS;
  // The offset may change before midnight (DST); correct with the offset in force at the first guess.
  let guess = wallMidnight - offsetAt(ms, tz);
  guess = wallMidnight - offsetAt(guess, tz);
  return guess > ms ? guess : ms + 3_600_000;
}

/** Hours of [startMs, endMs) falling on each local day. */
export function splitByLocalDay(startMs: number, endMs: number, tz: string): Array<{ day: string; hours: number }> {
  const out: Array<{ day: string; hours: number }> = [];
  let t = startMs;
  while (t < endMs) {
    const next = Math.min(nextLocalMidnight(t, tz), endMs);
    out.push({ day: localDay(t, tz), hours: (next - t) / 3_600_000 });
    t = next;
  }
  return out;
}

const QUARTER = 900_000;
// Offsets per zone and UTC hour: usage reports split hundreds of thousands of intervals, and Intl is slow.
const offsets = new Map<string, Map<number, number>>();
/** The zone's UTC offset during the UTC hour containing `ms` (every real offset change falls on an hour). */
export function offsetAt(ms: number, tz: string): number {
  const hour = Math.floor(ms / 3_600_000);
  let zone = offsets.get(tz);
  if (!zone) offsets.set(tz, (zone = new Map()));
  let o = zone.get(hour);
  if (o === undefined) {
    o = localParts(hour * 3_600_000, tz).offsetMs;
    if (zone.size > 500_000) zone.clear();
    zone.set(hour, o);
  }
  return o;
}

/** Hours of [startMs, endMs) falling on each local hour of the day (index 0–23), e.g. for a "when do we compute" chart. */
export function splitByLocalHour(startMs: number, endMs: number, tz: string): number[] {
  const out = new Array<number>(24).fill(0);
  let t = startMs;
  while (t < endMs) {
    // Zone offsets are whole quarter hours, so a local hour never changes inside a UTC quarter hour.
    const next = Math.min((Math.floor(t / QUARTER) + 1) * QUARTER, endMs);
    const localHour = Math.floor((t + offsetAt(t, tz)) / 3_600_000) % 24;
    out[(localHour + 24) % 24]! += (next - t) / 3_600_000;
    t = next;
  }
  return out;
}

/** Local hour of the day (0–23) of an instant in `tz`. */
export function localHour(ms: number, tz: string): number {
  return ((Math.floor((ms + offsetAt(ms, tz)) / 3_600_000) % 24) + 24) % 24;
}

/** The instant the local calendar month containing `ms` began in `tz` (local midnight of its 1st). */
export function localMonthStart(ms: number, tz: string): number {
  const [y, m] = localDay(ms, tz).split('-').map(Number) as [number, number];
  const wall = Date.UTC(y, m - 1, 1);
  // Same correction as nextLocalMidnight: the offset at the first guess may differ from the one in force.
  let guess = wall - offsetAt(wall, tz);
  guess = wall - offsetAt(guess, tz);
  return guess;
}
