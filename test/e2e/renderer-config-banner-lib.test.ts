// The config error banner's text, fed with the errors the real loader produces: each location is said once.
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src-main/config/load';
import { bannerIssues, bannerSummary } from '../../src-renderer/lib/config-banner';

function loadError(text: string) {
  const r = parseConfigText(text, '/home/u/.config/scripthut/scripthut.yaml', { HOME: '/home/u' }, 2);
  if (r.ok) throw new Error('expected the text to have problems');
  return r.error;
}

/** The banner as a reader sees it: the summary line, then each issue's location, path and message. */
function bannerText(text: string): string {
  const error = loadError(text);
  const issues = bannerIssues(error);
  return [bannerSummary(error, issues), ...issues.map((i) => [i.where, i.path, i.message].filter(Boolean).join(' '))].filter(Boolean).join('\n');
}

describe('config error banner', () => {
  it('a YAML syntax error names its line once (with the column), not in the summary, the label and the message', () => {
    const shown = bannerText('backends:\n  - name: x\n   type: local\n');
    expect(shown).toBe('line 3, column 1 YAML syntax error: Sequence item without - indicator');
    expect(shown.match(/\b3\b/g)).toHaveLength(1);
  });

  it('a schema error keeps the summary, its line, and the path once (the message already starts with it)', () => {
    const shown = bannerText('backends:\n  - name: x\n    type: local\n    max_concurrent: ten\n');
    expect(shown.split('\n')).toEqual([
      '/home/u/.config/scripthut/scripthut.yaml has 1 problem:',
      `line 4 backends[0] ('x').max_concurrent: expected a whole number ≥ 1, got "ten".`,
    ]);
  });

  it('an issue whose message does not name its path still shows the path; one without a line shows none', () => {
    const issues = bannerIssues({ message: 'x', issues: [{ path: 'backends[0].max_concurrnet', message: 'unknown setting', line: 4 }, { path: '', message: 'no line here' }] });
    expect(issues).toEqual([
      { where: 'line 4', path: 'backends[0].max_concurrnet', message: 'unknown setting' },
      { where: null, path: null, message: 'no line here' },
    ]);
  });
});
