// The runs list's Created cell labels: formatted once per row per minute of the shared clock, then reused.
import { describe, expect, it } from 'vitest';
import { createdLabelCache } from '../../src-renderer/lib/run-time-labels';
import { formatLocal, formatLocalFull, formatRelative } from '../../src-renderer/lib/time';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 30);
const iso = (msAgo: number): string => new Date(NOW - msAgo).toISOString();

describe('created labels', () => {
  it('say what the plain formatters say', () => {
    const c = createdLabelCache(() => 'local');
    const created = iso(3 * 60_000 + 5_000);
    const finished = iso(60_000);
    const l = c.labels(created, finished, NOW);
    expect(l.ago).toBe('3 min ago');
    expect(l.local).toBe(formatLocal(created));
    expect(l.title).toBe(`Created ${formatLocalFull(created)}\nFinished ${formatLocalFull(finished)} (${formatRelative(finished, NOW)})`);
    // Past a week the relative label is the date itself, the same text as the line under it.
    const old = iso(30 * 86_400_000);
    expect(c.labels(old, null, NOW).ago).toBe(formatLocal(old));
    expect(c.labels(old, null, NOW).title).toBe(`Created ${formatLocalFull(old)}`);
  });

  it('gives the same object back within a minute, new labels when the minute or the zone setting moves', () => {
    let zone = 'local';
    const c = createdLabelCache(() => zone);
    const created = iso(5 * 60_000);
    const a = c.labels(created, null, NOW);
    expect(c.labels(created, null, NOW + 10_000)).toBe(a);
    const next = c.labels(created, null, NOW + 60_000);
    expect(next).not.toBe(a);
    expect(next.ago).toBe('6 min ago');
    zone = 'utc';
    expect(c.labels(created, null, NOW + 60_000)).not.toBe(next);
    // Only the current minute's labels are kept.
    expect(c.size).toBe(1);
  });

  it('keys on the finish too: a run that finished gets its title re-made', () => {
    const c = createdLabelCache(() => 'local');
    const created = iso(10 * 60_000);
    const running = c.labels(created, null, NOW);
    const done = c.labels(created, iso(60_000), NOW);
    expect(done).not.toBe(running);
    expect(done.title).toContain('Finished');
  });
});
