import { describe, expect, it } from 'vitest';
import { compileGlob, isWildcard, literalPrefix } from '../../src-shared/workflow/glob';
import { IdIndex } from '../../src-shared/workflow/id-index';

describe('fnmatch semantics', () => {
  it.each<[string, string, boolean]>([
    ['a*', 'a', true],
    ['a*', 'abc', true],
    ['a*', 'ba', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['[ab]x', 'bx', true],
    ['[ab]x', 'cx', false],
    ['[!a]x', 'bx', true],
    ['[!a]x', 'ax', false],
    ['[a-c]', 'b', true],
    ['[a-c]', 'd', false],
    ['[c-a]', 'b', false], // reversed range matches nothing
    ['[]]', ']', true],
    ['[!]]', 'a', true],
    ['[!]]', ']', false],
    ['[a-]', '-', true],
    ['[^a]', '^', true], // '^' is literal in fnmatch sets
    ['[^a]', 'b', false],
    ['a[', 'a[', true], // unclosed bracket is literal
    ['a.b', 'aXb', false], // regex specials are literal
    ['a+b', 'a+b', true],
    ['x*y*z', 'x-y-z', true],
    ['x*y*z', 'x-z', false],
    ['A*', 'abc', false], // case-sensitive
    ['*', '', true],
    ['g1-*', 'g17-3', false],
  ])('%s vs %s → %s', (pattern, id, expected) => {
    expect(compileGlob(pattern)(id)).toBe(expected);
  });

  it.each([['a*', true], ['a?', true], ['a[1]', true], ['plain-id', false], ['a]', false]])('isWildcard(%s) = %s', (dep, w) => {
    expect(isWildcard(dep as string)).toBe(w);
  });

  it('literalPrefix stops at the first wildcard', () => {
    expect(literalPrefix('g17-*')).toBe('g17-');
    expect(literalPrefix('*x')).toBe('');
    expect(literalPrefix('ab[c]d?')).toBe('ab');
  });
});

describe('IdIndex', () => {
  it('returns the same matches as testing every id, in task-list order', () => {
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const alphabet = 'ab-1[';
    const ids = Array.from({ length: 400 }, () => Array.from({ length: 1 + rnd(4) }, () => alphabet[rnd(alphabet.length)]).join(''));
    const index = new IdIndex(ids);
    const patterns = ['*', 'a*', 'a?', '[ab]*', '[!a]*', '*1', 'ab-*', 'a[*', '[[]*', 'b?1*', '-*'];
    for (const p of patterns) {
      const test = compileGlob(p);
      const naive = ids.flatMap((id, i) => (test(id) ? [i] : []));
      expect(index.match(p), p).toEqual(naive);
    }
  });

  it('skips tasks without a usable id', () => {
    expect(new IdIndex(['a1', null, 'a2']).match('a*')).toEqual([0, 2]);
  });
});
