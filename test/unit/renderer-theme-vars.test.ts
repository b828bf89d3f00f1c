// Found by trying the product in dark mode: the Stacks and Sources pages used colour variables that the theme
// never defines (--panel, --code-bg, …), so their hard-coded light fallbacks (#fff cards, pale text) showed in
// dark mode. A colour fallback is only safe for a variable the theme (app.css) or the component itself defines.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = path.join(__dirname, '..', '..', 'src-renderer');
const defined = (css: string) => new Set([...css.matchAll(/(--[a-z0-9-]+)\s*:/g)].map((m) => m[1]));

// Pages whose cards and text take their colours from the theme. (LogView's ANSI palette and ProgressBar's status
// colours are per-component hooks with deliberate fallbacks, so they are not listed.)
const PAGES = ['SourcesPage.svelte', 'StacksPage.svelte', 'ConfigBanner.svelte'].map((f) => path.join(dir, 'components', f));

describe('theme colour variables', () => {
  it('the Sources and Stacks pages and the config banner never fall back to a fixed colour for a variable the theme does not define', () => {
    const theme = defined(fs.readFileSync(path.join(dir, 'app.css'), 'utf8'));
    const wrong: string[] = [];
    for (const file of PAGES) {
      const text = fs.readFileSync(file, 'utf8');
      const own = defined(text);
      for (const m of text.matchAll(/var\((--[a-z0-9-]+)\s*,\s*(#[0-9a-fA-F]{3,8}|rgb|white|black)/g)) {
        const name = m[1] as string;
        if (!theme.has(name) && !own.has(name) && !text.includes(`'${name}'`) && !text.includes(`${name}:`)) wrong.push(`${path.relative(dir, file)}: ${m[0]}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('and set no fixed light background that ignores the theme', () => {
    const wrong = PAGES.flatMap((file) => [...fs.readFileSync(file, 'utf8').matchAll(/background:\s*#f(?:[0-9a-f]{2}|[0-9a-f]{5})\b/gi)].map((m) => `${path.basename(file)}: ${m[0]}`));
    expect(wrong).toEqual([]);
  });
});
