// The pure parts of the paged reads: filter parsing, LIKE escaping, page-size capping, the runs cursor.
import { describe, expect, it } from 'vitest';
import { calls } from '../../src-shared/api/contract';
import { RUN_STATUSES, TASK_STATUSES } from '../../src-shared/model/status';
import { containsPattern, pageSize, parseChoice, parseStatusList } from '../../src-main/store/queries/filters';
import { decodeRunsCursor, encodeRunsCursor } from '../../src-main/store/queries/runs-page';
import { badInput } from '../helpers/bad-input';

describe('parseStatusList', () => {
  it.each([
    [undefined, []],
    ['', []],
    ['failed', ['failed']],
    [' failed , running ,', ['failed', 'running']],
    ['failed,failed', ['failed']],
  ])('%j → %j', (text, expected) => {
    expect(parseStatusList(text, TASK_STATUSES, 'task')).toEqual(expected);
  });

  it('names every unknown value and lists the allowed ones', () => {
    const msg = badInput(() => parseStatusList('failed,runing,done', TASK_STATUSES, 'task'));
    expect(msg).toBe(`Unknown task status 'runing', 'done' in status filter; allowed: ${TASK_STATUSES.join(', ')}.`);
    expect(badInput(() => parseStatusList('dep_failed', RUN_STATUSES, 'run'))).toContain("Unknown run status 'dep_failed'");
  });
});

describe('parseChoice and the contract enums', () => {
  it('accepts allowed values and names a bad one with the allowed list', () => {
    expect(parseChoice('desc', ['asc', 'desc'] as const, 'order')).toBe('desc');
    expect(parseChoice(undefined, ['asc', 'desc'] as const, 'order')).toBeUndefined();
    expect(badInput(() => parseChoice('up', ['asc', 'desc'] as const, 'order'))).toBe("Unknown order 'up'; allowed: asc, desc.");
  });

  it('runs.get input rejects a bad sort/order with the same kind of message', () => {
    const r = calls['runs.get'].input.safeParse({ id: 'x', sort: 'size', order: 'sideways' });
    expect(r.success).toBe(false);
    const messages = r.error?.issues.map((i) => i.message) ?? [];
    expect(messages).toContain("Unknown sort 'size'; allowed: id, status, submitted_at, started_at, finished_at, duration.");
    expect(messages).toContain("Unknown order 'sideways'; allowed: asc, desc.");
    // Query strings carry numbers as text.
    expect(calls['runs.get'].input.parse({ id: 'x', limit: '20', offset: '40', sort: 'duration' })).toMatchObject({ limit: 20, offset: 40, sort: 'duration' });
  });
});

describe('containsPattern', () => {
  it.each([
    ['abc', '%abc%'],
    ['100%', '%100\\%%'],
    ['a_b', '%a\\_b%'],
    ['c:\\tmp', '%c:\\\\tmp%'],
  ])('%s → %s', (q, like) => expect(containsPattern(q)).toBe(like));
});

describe('pageSize', () => {
  it.each([
    [undefined, 50],
    [0, 1],
    [20, 20],
    [500, 500],
    [501, 500],
    [1_000_000, 500],
  ])('%s → %s', (limit, expected) => expect(pageSize(limit, 50, 500)).toBe(expected));
});

describe('runs cursor', () => {
  it('round-trips and is opaque URL-safe text', () => {
    const c = encodeRunsCursor({ sort: 'created_at', order: 'desc', value: '2026-01-01T00:00:00.000Z', rowid: 12345 });
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeRunsCursor(c)).toEqual({ sort: 'created_at', order: 'desc', value: '2026-01-01T00:00:00.000Z', rowid: 12345 });
    expect(decodeRunsCursor(encodeRunsCursor({ sort: 'status', order: 'asc', value: 3, rowid: 7 }))).toEqual({ sort: 'status', order: 'asc', value: 3, rowid: 7 });
  });

  it.each(['', 'zzz', Buffer.from('{"a":1}').toString('base64url'), Buffer.from('["x", 1.5]').toString('base64url'), Buffer.from('["size","asc","a",1]').toString('base64url'), Buffer.from('["status","up",1,1]').toString('base64url'), Buffer.from('["status","asc",null,1]').toString('base64url')])('rejects %j as bad_input', (c) => {
    expect(badInput(() => decodeRunsCursor(c))).toContain('Invalid cursor');
  });
});
