// The run page at laptop sizes: with the run summary card open and a task selected, the task table and the task
// panel must both stay usable without the whole page scrolling (at 1024×800 each got ~150 px and the page
// scrolled). The summary card folds to its head while a task panel is open (remembered), and the table and the
// panel share the height. Real headless host (local backend), Debian Chromium.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { ensureRendererBuilt } from './build';
import { startRealHost, type RealHost } from './real-host';

const skipBrowser = shouldSkipBrowser();
const SHOTS = join(process.cwd(), 'test', 'e2e', 'artifacts');
const POLL = { timeout: 30_000 };
const TASKS = 30;

// Every task writes a few lines of run summary: the card is as tall as it gets.
const DOCUMENT = Array.from({ length: TASKS }, (_, i) => ({
  id: `step-${String(i).padStart(2, '0')}`,
  command: `printf -- '- **step ${i}**: loss 0.${i}\\n- accuracy 9${i % 10}%%\\n- notes: line three\\n' > "$SCRIPTHUT_RUN_SUMMARY"; echo done ${i}`,
}));

interface Layout {
  rows: number;
  tableHeight: number;
  panelHeight: number;
  pageOverflow: number;
  summaryExpanded: string | null;
}

describe.skipIf(skipBrowser)('run page layout at 1024×800 and 1440×900 (real host)', () => {
  let host: RealHost;
  let browser: Browser;
  let runId: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ensureRendererBuilt();
    host = await startRealHost();
    const res = await fetch(`http://127.0.0.1:${host.engine.port}/api/v1/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${host.engine.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ workflow_name: 'layout', document: DOCUMENT }),
    });
    if (!res.ok) throw new Error(`create run: ${res.status} ${await res.text()}`);
    runId = ((await res.json()) as { id: string }).id;
    browser = await openBrowser();
    await browser.page.goto(host.engine.url);
    await browser.page.goto(`${host.engine.url.replace(/#.*$/, '')}#/runs/${runId}`);
    await browser.page.locator('[data-testid="run-header"][data-status="completed"]').waitFor({ timeout: 120_000 });
    await browser.page.getByTestId('run-summary-section').nth(TASKS - 1).waitFor(POLL);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  /** Rows fully inside the table's scroller, the table's and panel's heights, and how far the page scrolls. */
  // Run in the page as text: this file compiles without the DOM types.
  const LAYOUT = `(() => {
    const scroller = document.querySelector('[data-testid="task-scroller"]');
    const box = scroller.getBoundingClientRect();
    const rows = [...document.querySelectorAll('[data-testid="task-row"]')].filter((r) => {
      const b = r.getBoundingClientRect();
      return b.top >= box.top - 1 && b.bottom <= box.bottom + 1 && b.height > 0;
    }).length;
    const panel = document.querySelector('[data-testid="task-panel"]');
    const main = document.querySelector('main.content');
    const toggle = document.querySelector('[data-testid="run-summary-toggle"]');
    return {
      rows,
      tableHeight: Math.round(box.height),
      panelHeight: Math.round(panel ? panel.getBoundingClientRect().height : 0),
      pageOverflow: Math.max(main.scrollHeight - main.clientHeight, document.documentElement.scrollHeight - window.innerHeight),
      summaryExpanded: toggle ? toggle.getAttribute('aria-expanded') : null,
    };
  })()`;
  const layout = (): Promise<Layout> => browser.page.evaluate(LAYOUT) as Promise<Layout>;

  for (const [width, height] of [
    [1024, 800],
    [1440, 900],
  ] as const) {
    it(`at ${width}×${height} with the summary open and a task selected: ≥ 8 task rows, a panel ≥ 300 px, no page scroll`, async () => {
      const { page } = browser;
      await page.setViewportSize({ width, height });
      await page.goto(`${host.engine.url.replace(/#.*$/, '')}#/runs/${runId}`);
      await page.getByTestId('run-summary-card').waitFor(POLL);
      // Without a task panel the summary card is open.
      await expect.poll(async () => (await layout()).summaryExpanded, POLL).toBe('true');
      await page.locator('[data-testid="task-row"][data-task-id="step-03"]').click();
      await page.getByTestId('task-panel').waitFor(POLL);
      const l = await layout();
      await page.screenshot({ path: join(SHOTS, `run-layout-${width}x${height}.png`) });
      expect(l.rows, JSON.stringify(l)).toBeGreaterThanOrEqual(8);
      expect(l.panelHeight, JSON.stringify(l)).toBeGreaterThanOrEqual(300);
      expect(l.pageOverflow, JSON.stringify(l)).toBeLessThanOrEqual(0);
      expect(browser.problems).toEqual([]);
    });
  }

  it('opening the summary beside a panel is remembered across a reload, and closing the panel brings the open card back', async () => {
    const { page } = browser;
    await page.setViewportSize({ width: 1024, height: 800 });
    await page.goto(`${host.engine.url.replace(/#.*$/, '')}#/runs/${runId}/tasks/step-03`);
    await page.getByTestId('task-panel').waitFor(POLL);
    await expect.poll(async () => (await layout()).summaryExpanded, POLL).toBe('false');
    await page.getByTestId('run-summary-toggle').click();
    await expect.poll(async () => (await layout()).summaryExpanded, POLL).toBe('true');
    await page.reload();
    await page.getByTestId('task-panel').waitFor(POLL);
    await expect.poll(async () => (await layout()).summaryExpanded, POLL).toBe('true');
    // Opened beside the panel the card takes a capped share: the panel keeps its 300 px and the page does not scroll.
    const l = await layout();
    expect(l.panelHeight, JSON.stringify(l)).toBeGreaterThanOrEqual(300);
    expect(l.pageOverflow, JSON.stringify(l)).toBeLessThanOrEqual(0);
    // Fold it again (back to the default) and close the panel: without a panel the card is open.
    await page.getByTestId('run-summary-toggle').click();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('task-panel').count(), POLL).toBe(0);
    await expect.poll(async () => (await layout()).summaryExpanded, POLL).toBe('true');
  });
});
