// Times in human CLI output: ISO-like local time WITH its zone offset ("2026-03-29 14:05:09 +02:00"), so a line
// pasted into a ticket or read beside UTC logs means one instant. `--json` keeps ISO UTC. TZ=UTC prints UTC.
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `offsetMinutes`: minutes EAST of UTC (the opposite sign of Date#getTimezoneOffset); default: this machine's. */
export function cliTime(iso: string | null | undefined, offsetMinutes?: number): string {
  if (!iso) return '-';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const off = offsetMinutes ?? -d.getTimezoneOffset();
  const shifted = new Date(d.getTime() + off * 60_000);
  const day = `${pad(shifted.getUTCFullYear(), 4)}-${pad(shifted.getUTCMonth() + 1)}-${pad(shifted.getUTCDate())}`;
  const clock = `${pad(shifted.getUTCHours())}:${pad(shifted.getUTCMinutes())}:${pad(shifted.getUTCSeconds())}`;
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `${day} ${clock} ${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
