import { describe, expect, it } from 'vitest';
import { cliTime } from '../../src-main/cli/time-text';

describe('cliTime: unambiguous times in human CLI output', () => {
  it.each([
    ['2026-03-29T12:05:09.123Z', 120, '2026-03-29 14:05:09 +02:00'],
    ['2026-03-29T12:05:09Z', 0, '2026-03-29 12:05:09 +00:00'],
    ['2026-01-01T02:30:00Z', -300, '2025-12-31 21:30:00 -05:00'],
    ['2026-06-30T20:00:00Z', 330, '2026-07-01 01:30:00 +05:30'],
    ['2026-06-30T20:00:00Z', -570, '2026-06-30 10:30:00 -09:30'],
  ])('%s at offset %i min → %s (24-hour, date and zone)', (iso, offset, want) => {
    expect(cliTime(iso, offset)).toBe(want);
  });
  it('a missing time is a dash; an unparsable one is shown as given', () => {
    expect(cliTime(null)).toBe('-');
    expect(cliTime('not a time')).toBe('not a time');
  });
  it("defaults to this machine's zone offset for that instant", () => {
    const iso = '2026-07-15T10:00:00Z';
    const off = -new Date(iso).getTimezoneOffset();
    expect(cliTime(iso)).toBe(cliTime(iso, off));
    expect(cliTime(iso)).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-]\d{2}:\d{2}$/);
  });
});
