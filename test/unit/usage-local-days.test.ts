// Heatmap bucketing: CPU-hours split at local midnight in an explicit IANA zone, across DST changes.
import { describe, expect, it } from 'vitest';
import { checkTimeZone, localDay, splitByLocalDay } from '../../src-main/usage/local-days';

const at = (iso: string) => Date.parse(iso);

describe('local-day buckets', () => {
  it.each([
    ['UTC, across midnight', '2026-11-30T22:30:00Z', '2026-12-01T01:00:00Z', 'UTC', [['2026-11-30', 1.5], ['2026-12-01', 1]]],
    ['Zurich winter: midnight is 23:00 UTC', '2026-11-30T22:30:00Z', '2026-11-30T23:30:00Z', 'Europe/Zurich', [['2026-11-30', 0.5], ['2026-12-01', 0.5]]],
    // 2026-03-29 in Zurich has 23 hours (clocks go 02:00 -> 03:00).
    ['spring-forward day has 23 h', '2026-03-28T22:00:00Z', '2026-03-29T23:00:00Z', 'Europe/Zurich', [['2026-03-28', 1], ['2026-03-29', 23], ['2026-03-30', 1]]],
    // 2026-10-25 in Zurich has 25 hours.
    ['fall-back day has 25 h', '2026-10-24T22:00:00Z', '2026-10-26T00:00:00Z', 'Europe/Zurich', [['2026-10-25', 25], ['2026-10-26', 1]]],
    ['New York, west of UTC', '2026-07-01T03:00:00Z', '2026-07-01T05:00:00Z', 'America/New_York', [['2026-06-30', 1], ['2026-07-01', 1]]],
    ['empty interval', '2026-07-01T03:00:00Z', '2026-07-01T03:00:00Z', 'UTC', []],
  ])('%s', (_what, start, end, tz, expected) => {
    expect(splitByLocalDay(at(start), at(end), tz).map((b) => [b.day, Number(b.hours.toFixed(6))])).toEqual(expected);
  });
  it('local day of an instant', () => {
    expect(localDay(at('2026-11-30T23:30:00Z'), 'Europe/Zurich')).toBe('2026-12-01');
    expect(localDay(at('2026-11-30T23:30:00Z'), 'UTC')).toBe('2026-11-30');
  });
  it('unknown zone: clear error', () => {
    expect(() => checkTimeZone('Mars/Olympus')).toThrow("Unknown time zone 'Mars/Olympus'");
  });
});
