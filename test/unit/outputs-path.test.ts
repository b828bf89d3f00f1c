// The path guard every output read goes through, and the kind/MIME of a file by its name.
import { describe, expect, it } from 'vitest';
import { checkOutputPath, compareOutputPaths, outputKind, outputMime, OutputPathError } from '../../src-main/outputs/output-path';

describe('checkOutputPath', () => {
  it.each([
    ['plot.png', 'plot.png'],
    ['sub/dir/x.md', 'sub/dir/x.md'],
    ['./a//b/./c.txt', 'a/b/c.txt'],
    ['name with spaces.csv', 'name with spaces.csv'],
    ['..hidden', '..hidden'],
    ['a/..b/c', 'a/..b/c'],
  ])('accepts %j as %j', (input, normalised) => {
    expect(checkOutputPath(input)).toBe(normalised);
  });

  it.each([
    ['', /empty/],
    ['..', /leaves the task's output folder/],
    ['../x', /leaves the task's output folder/],
    ['a/../../etc/passwd', /leaves the task's output folder/],
    ['a/..', /leaves the task's output folder/],
    ['/etc/passwd', /is absolute/],
    ['C:\\Windows\\win.ini', /is absolute/],
    ['\\\\server\\share', /is absolute/],
    ['a\\..\\b', /backslash/],
    ['a\u0000b', /NUL byte/],
    ['a\nb', /line break/],
    ['.', /names the output folder itself/],
    ['./', /names the output folder itself/],
  ])('refuses %j', (input, why) => {
    expect(() => checkOutputPath(input)).toThrow(OutputPathError);
    expect(() => checkOutputPath(input)).toThrow(why);
  });
});

describe('kinds and MIME types', () => {
  it.each([
    ['README.md', 'markdown', 'text/markdown; charset=utf-8'],
    ['notes.MARKDOWN', 'markdown', 'text/markdown; charset=utf-8'],
    ['a/b/loss.PNG', 'image', 'image/png'],
    ['x.jpeg', 'image', 'image/jpeg'],
    ['v.svg', 'image', 'image/svg+xml'],
    ['t.csv', 'csv', 'text/csv; charset=utf-8'],
    ['t.tsv', 'tsv', 'text/tab-separated-values; charset=utf-8'],
    ['log.txt', 'text', 'text/plain; charset=utf-8'],
    ['r.json', 'text', 'application/json'],
    ['model.pt', 'other', 'application/octet-stream'],
    ['.png', 'other', 'application/octet-stream'],
    ['Makefile', 'other', 'application/octet-stream'],
  ])('%s is %s (%s)', (name, kind, mime) => {
    expect(outputKind(name)).toBe(kind);
    expect(outputMime(name)).toBe(mime);
  });

  it('orders task-summary.md first, then by byte order', () => {
    expect(['b.txt', 'A.txt', 'task-summary.md', 'a/z.png'].sort(compareOutputPaths)).toEqual(['task-summary.md', 'A.txt', 'a/z.png', 'b.txt']);
  });
});
