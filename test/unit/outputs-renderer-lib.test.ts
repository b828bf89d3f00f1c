// The window's output helpers that need no browser: a markdown image's src → the output it names (never outside
// the task's folder), and CSV/TSV text → table rows.
import { describe, expect, it } from 'vitest';
import { parseDelimited, resolveRelative } from '../../src-renderer/lib/output-format';

describe('resolveRelative', () => {
  it.each([
    ['task-summary.md', 'plots/a.png', 'plots/a.png'],
    ['task-summary.md', './a.png', 'a.png'],
    ['report/summary.md', 'fig.png', 'report/fig.png'],
    ['report/summary.md', '../top.png', 'top.png'],
    ['task-summary.md', 'my%20plot.png?x=1#y', 'my plot.png'],
    ['.run-summary.md', 'plots/a.png', 'plots/a.png'],
  ])('%s + %s → %s', (from, src, want) => {
    expect(resolveRelative(from, src)).toBe(want);
  });

  it.each([
    ['task-summary.md', '../secret.png'],
    ['a/b.md', '../../x.png'],
    ['task-summary.md', '%E0%A4%A'],
    ['task-summary.md', '.'],
  ])('%s + %s leaves the folder (or is no file) → null', (from, src) => {
    expect(resolveRelative(from, src)).toBeNull();
  });
});

describe('parseDelimited', () => {
  it('reads quoted CSV cells with commas, doubled quotes and line breaks', () => {
    expect(parseDelimited('a,b,c\r\n1,"x, y","say ""hi"""\n2,"two\nlines",\n', ',').rows).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, y', 'say "hi"'],
      ['2', 'two\nlines', ''],
    ]);
  });

  it('reads TSV without quote rules and keeps a last line without newline', () => {
    expect(parseDelimited('k\tv\n"q"\t1', '\t').rows).toEqual([
      ['k', 'v'],
      ['"q"', '1'],
    ]);
  });

  it('stops at maxRows and says so', () => {
    const text = Array.from({ length: 10 }, (_, i) => `r${i}`).join('\n');
    const t = parseDelimited(text, ',', 3);
    expect(t.rows).toEqual([['r0'], ['r1'], ['r2']]);
    expect(t.truncated).toBe(true);
    expect(parseDelimited('a\nb\n', ',', 3).truncated).toBe(false);
  });
});
