// The task panel's Env / Summary / History tabs against the fake host: empty states, the preview note and
// summaries full of HTML that must never run.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { ensureRendererBuilt } from './build';
import { startFakeHost, type FakeHost } from './fake-host';

const skipBrowser = shouldSkipBrowser();
const SHOTS = join(process.cwd(), 'test-results');
const POLL = { timeout: 10_000 };

const HOSTILE = [
  '## Results',
  '',
  '<svg onload="window.__pwned=4"><circle r="4"/></svg>',
  '<iframe src="javascript:window.__pwned=5"></iframe>',
  '<a href="javascript:window.__pwned=6">js link</a> <a href="https://example.org/report">report</a>',
  '',
  '<details><summary>More</summary>',
  '',
  '| k | v |',
  '|---|---|',
  '| a | <b onmouseover="window.__pwned=7">1</b> |',
  '',
  '</details>',
  '',
  '<form action="https://evil.example"><input name="pw"></form>',
  '<div style="position:fixed;inset:0">overlay</div>',
].join('\n');

describe.skipIf(skipBrowser)('task panel tabs', () => {
  let host: FakeHost;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    host = await startFakeHost({ staticDir: ensureRendererBuilt(), stepMs: 200, summaries: { report: HOSTILE } });
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
  });

  it('sanitizes a summary with handlers, frames, javascript: links, forms and styles', async () => {
    const { page } = browser;
    await page.goto(host.url);
    await page.getByTestId('run-demo').click();
    await page.locator('[data-testid="run-header"][data-status="completed"]').waitFor({ timeout: 20_000 });
    await page.locator('[data-testid="task-row"][data-task-id="report"]').click();
    await page.getByTestId('tab-summary').click();
    const md = page.getByTestId('summary-markdown');
    await md.locator('h2').waitFor();
    expect(await md.locator('table td').allTextContents()).toEqual(['a', '1']);
    expect(await md.locator('iframe, form, input, script, style, [style], [onload], [onmouseover]').count()).toBe(0);
    expect(await md.locator('a[href^="javascript"]').count()).toBe(0);
    const link = md.locator('a[href="https://example.org/report"]');
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toContain('noopener');
    await md.locator('details > summary').click();
    await md.locator('b').hover();
    expect(await page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned)).toBeUndefined();
    await page.screenshot({ path: join(SHOTS, 'fake-summary-sanitized.png') });
    expect(browser.problems).toEqual([]);
  });

  it('says when a task wrote no summary, and previews the env of a task not yet submitted', async () => {
    const { page } = browser;
    await page.locator('[data-testid="task-row"][data-task-id="compute"]').click();
    await page.getByTestId('summary-empty').waitFor();
    expect(await page.getByTestId('summary-empty').textContent()).toContain('This task wrote no summary');

    await page.getByTestId('back-to-runs').click();
    const file = join(mkdtempSync(join(tmpdir(), 'scripthut-wf-')), 'pending-flow.json');
    writeFileSync(file, JSON.stringify({ tasks: [{ id: 'waiting', command: 'true' }] }));
    await page.getByTestId('workflow-file').setInputFiles(file);
    await page.locator('[data-testid="task-row"][data-task-id="waiting"]').click();
    rmSync(file);
    await page.getByTestId('tab-env').click();
    await page.getByTestId('env-preview').waitFor();
    expect(await page.getByTestId('env-view').getAttribute('data-resolved')).toBe('false');
    await expect.poll(() => page.getByTestId('env-row').count(), POLL).toBe(2);
    await page.getByTestId('tab-summary').click();
    expect(await page.getByTestId('summary-empty').textContent()).toContain('No summary yet');
    expect(browser.problems).toEqual([]);
  });
});
