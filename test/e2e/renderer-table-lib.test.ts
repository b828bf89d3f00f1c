// Pure helpers behind the paged task table, grouping, the sortable headers and the stored settings.
import { describe, expect, it } from 'vitest';
import { parsePreferences } from '../../src-renderer/lib/preferences';
import { ariaSort, sortArrow } from '../../src-renderer/lib/sort-header';
import { groupOf } from '../../src-renderer/lib/task-groups';
import { PAGE_SIZE, pagesFor, queryInput } from '../../src-renderer/lib/task-page-query';

describe('task table paging', () => {
  it('asks for the pages that cover a row window, and none for an empty one', () => {
    expect(pagesFor(0, 1)).toEqual([0]);
    expect(pagesFor(PAGE_SIZE - 10, PAGE_SIZE + 10)).toEqual([0, 1]);
    expect(pagesFor(99_950, 100_000)).toEqual([Math.floor(99_950 / PAGE_SIZE)]);
    expect(pagesFor(5, 5)).toEqual([]);
  });

  it('sends filter, search and sort to the server only when set', () => {
    expect(queryInput('r1', { status: [], q: '  ', sort: null, order: 'asc' }, 1000)).toEqual({ id: 'r1', offset: 1000, limit: PAGE_SIZE });
    expect(queryInput('r1', { status: ['failed', 'dep_failed'], q: ' load ', sort: 'duration', order: 'desc' }, 0)).toEqual({
      id: 'r1',
      offset: 0,
      limit: PAGE_SIZE,
      status: 'failed,dep_failed',
      q: 'load',
      sort: 'duration',
      order: 'desc',
    });
  });
});

describe('task groups', () => {
  it('groups a.b.c under a, and leaves ids without a dot alone', () => {
    expect(groupOf('a.b.c')).toBe('a');
    expect(groupOf('train')).toBeNull();
    expect(groupOf('.hidden')).toBeNull();
  });
});

describe('sortable headers', () => {
  it('mark only the sorted column, with its direction for screen readers and the eye', () => {
    const asc = { key: 'name', order: 'asc' } as const;
    const desc = { key: 'name', order: 'desc' } as const;
    expect([ariaSort(asc, 'name'), sortArrow(asc, 'name')]).toEqual(['ascending', ' ↑']);
    expect([ariaSort(desc, 'name'), sortArrow(desc, 'name')]).toEqual(['descending', ' ↓']);
    expect([ariaSort<string>(desc, 'status'), sortArrow<string>(desc, 'status')]).toEqual(['none', '']);
  });
});

describe('stored settings', () => {
  it('reads what was saved and falls back to defaults for anything else', () => {
    expect(parsePreferences(JSON.stringify({ timeZone: 'utc', theme: 'dark' }))).toEqual({ timeZone: 'utc', theme: 'dark' });
    expect(parsePreferences(JSON.stringify({ timeZone: 'mars', theme: 7 }))).toEqual({ timeZone: 'local', theme: 'system' });
    expect(parsePreferences('{not json')).toEqual({ timeZone: 'local', theme: 'system' });
    expect(parsePreferences(null)).toEqual({ timeZone: 'local', theme: 'system' });
  });
});
