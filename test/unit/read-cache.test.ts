// The read worker's answer cache: an answer is served only while the database version it was filed under holds,
// and the cache stays within its entry and size bounds, dropping the oldest answers first.
import { describe, expect, it } from 'vitest';
import { ReadCache } from '../../src-main/engine/read-cache';

describe('ReadCache', () => {
  it('serves an answer while the data version holds and drops every answer when it changes', () => {
    const cache = new ReadCache();
    expect(cache.get(7, 'runs.list {}')).toBeUndefined();
    cache.set(7, 'runs.list {}', '{"runs":[]}');
    cache.set(7, 'runs.get {"id":"a"}', '{"id":"a"}');
    expect(cache.get(7, 'runs.list {}')).toBe('{"runs":[]}');
    expect(cache.get(7, 'runs.get {"id":"b"}')).toBeUndefined();
    // A commit elsewhere: nothing computed before it is served after it, not even for another key.
    expect(cache.get(8, 'runs.get {"id":"a"}')).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(cache.get(8, 'runs.list {}')).toBeUndefined();
  });

  it('does not file an answer under a version it has already moved past', () => {
    const cache = new ReadCache();
    cache.get(3, 'k');
    cache.get(4, 'k');
    // An answer computed at version 3 that arrives after the cache saw version 4 is not kept.
    cache.set(3, 'k', 'old');
    expect(cache.get(4, 'k')).toBeUndefined();
    cache.set(4, 'k', 'new');
    expect(cache.get(4, 'k')).toBe('new');
  });

  it('keeps at most maxEntries answers and maxChars characters, dropping the oldest first', () => {
    const cache = new ReadCache({ maxEntries: 3, maxChars: 10 });
    cache.get(1, 'a');
    cache.set(1, 'a', 'xx');
    cache.set(1, 'b', 'xx');
    cache.set(1, 'c', 'xx');
    cache.set(1, 'd', 'xx');
    expect(cache.size).toBe(3);
    expect(cache.get(1, 'a')).toBeUndefined();
    expect(cache.get(1, 'd')).toBe('xx');
    // 6 + 8 characters exceed 10: the oldest go until the newest fits.
    cache.set(1, 'e', 'eeeeeeee');
    expect(cache.get(1, 'e')).toBe('eeeeeeee');
    expect(cache.get(1, 'b')).toBeUndefined();
    expect(cache.get(1, 'c')).toBeUndefined();
    expect(cache.get(1, 'd')).toBe('xx');
    // One answer larger than the whole budget is not kept at all.
    cache.set(1, 'huge', 'h'.repeat(11));
    expect(cache.get(1, 'huge')).toBeUndefined();
    expect(cache.get(1, 'e')).toBe('eeeeeeee');
  });
});
