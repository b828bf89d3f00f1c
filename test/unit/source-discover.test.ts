import { describe, expect, it } from 'vitest';
import { branchNameProblem } from '../../src-main/sources/branch-name';
import { discoverWorkflows, matchWorkflowFiles } from '../../src-main/sources/discover';

describe('branch names a user may ask for', () => {
  it.each(['main', 'feature/x', 'release-1.2', 'a', 'user+fix_2'])('accepts %s', (b) => expect(branchNameProblem(b)).toBeNull());
  it.each([
    ['', /empty/],
    ['-rf', /letters, digits/],
    ['a..b', /'\.\.'/],
    ['x/', /start and end/],
    ['a b', /letters, digits/],
    ['a;rm', /letters, digits/],
    ['x'.repeat(201), /at most 200/],
  ])('refuses %j', (b, why) => expect(branchNameProblem(b)).toMatch(why));
});

describe('workflow glob (picomatch)', () => {
  const files = ['.hut/workflows/a.json', '.hut/workflows/sub/b.json', '.hut/workflows/c.yaml', 'top.json', 'x/y/z.json'];
  it('`*` does not cross a folder', () => expect(matchWorkflowFiles(files, '.hut/workflows/*.json')).toEqual(['.hut/workflows/a.json']));
  it('`**` crosses folders', () => expect(matchWorkflowFiles(files, '.hut/workflows/**/*.json')).toEqual(['.hut/workflows/a.json', '.hut/workflows/sub/b.json']));
  it('a leading ./ is ignored', () => expect(matchWorkflowFiles(files, './*.json')).toEqual(['top.json']));
  it('results are sorted', () => expect(matchWorkflowFiles([...files].reverse(), '**/*.json')).toEqual(['.hut/workflows/a.json', '.hut/workflows/sub/b.json', 'top.json', 'x/y/z.json']));
});

describe('discovery', () => {
  it('lists valid workflows and names every invalid file in a warning', () => {
    const d = discoverWorkflows('repo', [
      { file: 'w/ok.json', text: JSON.stringify({ title: 'OK', tasks: [{ id: 'a', command: 'true' }] }) },
      { file: 'w/broken.json', text: '{"tasks": [' },
      { file: 'w/notask.json', text: JSON.stringify({ tasks: [{ command: 'true' }] }) },
    ]);
    expect(d.workflows).toEqual([{ file: 'w/ok.json', name: 'repo/ok', title: 'OK', task_count: 1 }]);
    expect(d.warnings).toHaveLength(2);
    expect(d.warnings[0]).toMatch(/^w\/broken\.json: not a valid workflow, skipped: .*line 1/);
    expect(d.warnings[1]).toMatch(/^w\/notask\.json: /);
  });
});
