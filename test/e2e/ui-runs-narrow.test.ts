// The runs table at 1024 and 1440 px (real headless host, real local runs), light and dark: the workflow name
// keeps a readable width without an ellipsis, the backend is still shown, nothing scrolls sideways, and a run where
// nothing failed offers no "Rerun failed" (the engine would refuse it). Screenshots go to test/e2e/artifacts/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { afterFrames, openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { startRun } from './big-run';
import { ensureRendererBuilt } from './build';
import { startRealHost, type RealHost } from './real-host';

const skipBrowser = shouldSkipBrowser();
const SHOTS = join(process.cwd(), 'test', 'e2e', 'artifacts');
const POLL = { timeout: 60_000 };
// A realistic workflow name: long enough to be cut to "rnas…" in the 70 px column the table had at 1024 px.
const NAME = 'rnaseq-alignment-batch';

interface Measure {
  titleWidth: number;
  titleClipped: boolean;
  backendShown: boolean;
  tableOverflow: number;
  pageOverflow: number;
  actionsInside: boolean;
}

async function measure(page: Page, runId: string): Promise<Measure> {
  return page.evaluate(
    ({ id, backend }) => {
      interface El {
        querySelector(s: string): El | null;
        querySelectorAll(s: string): ArrayLike<El>;
        getBoundingClientRect(): { left: number; right: number; width: number };
        scrollWidth: number;
        clientWidth: number;
        textContent: string | null;
      }
      const g = globalThis as unknown as { document: { documentElement: El; querySelector(s: string): El | null }; innerWidth: number; getComputedStyle(e: El): { display: string; visibility: string } };
      const row = g.document.querySelector(`[data-testid="run-row"][data-run-id="${id}"]`) as El;
      const title = row.querySelector('[data-testid="run-workflow-title"]') as El;
      const scroller = g.document.querySelector('[data-testid="runs-scroller"]') as El;
      const visible = (e: El): boolean => g.getComputedStyle(e).display !== 'none' && g.getComputedStyle(e).visibility !== 'hidden' && e.getBoundingClientRect().width > 0;
      const backendShown = Array.from(row.querySelectorAll('[data-testid="run-backend"]')).some((e) => visible(e) && (e.textContent ?? '').includes(backend));
      const actions = row.querySelector('[role="gridcell"]:last-child') as El;
      const buttons = Array.from(actions.querySelectorAll('button'));
      const rowBox = row.getBoundingClientRect();
      return {
        titleWidth: title.getBoundingClientRect().width,
        titleClipped: title.scrollWidth > title.clientWidth,
        backendShown,
        tableOverflow: scroller.scrollWidth - scroller.clientWidth,
        pageOverflow: g.document.documentElement.scrollWidth - g.innerWidth,
        actionsInside: buttons.every((b) => b.getBoundingClientRect().right <= rowBox.right + 0.5),
      };
    },
    { id: runId, backend: 'local' },
  );
}

describe.skipIf(skipBrowser)('runs table at 1024 and 1440 px (real host)', () => {
  let host: RealHost;
  let browser: Browser;
  let failedId = '';
  let goodId = '';

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ensureRendererBuilt();
    host = await startRealHost();
    failedId = await startRun(host, { tasks: [{ id: 'ok', command: 'true' }, { id: 'bad', command: 'exit 3' }] }, NAME);
    goodId = await startRun(host, { tasks: [{ id: 'ok', command: 'true' }] }, `${NAME}-rerun`);
    browser = await openBrowser();
    const { page } = browser;
    await page.goto(host.engine.url);
    await page.evaluate((h) => ((globalThis as unknown as { location: { hash: string } }).location.hash = h), '#/runs');
    await page.locator(`[data-testid="run-row"][data-run-id="${failedId}"][data-status="failed"]`).waitFor(POLL);
    await page.locator(`[data-testid="run-row"][data-run-id="${goodId}"][data-status="completed"]`).waitFor(POLL);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  for (const width of [1024, 1440]) {
    it(`at ${width} px the workflow name is readable, the backend shown, nothing scrolls sideways (light and dark)`, async () => {
      const { page } = browser;
      await page.setViewportSize({ width, height: 800 });
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await afterFrames(page);
        for (const id of [failedId, goodId]) {
          const m = await measure(page, id);
          expect(m.titleClipped, `${id} at ${width} px: ${JSON.stringify(m)}`).toBe(false);
          expect(m.titleWidth).toBeGreaterThanOrEqual(180);
          expect(m.backendShown, `backend at ${width} px`).toBe(true);
          expect(m.tableOverflow, 'runs table scrolls sideways').toBeLessThanOrEqual(0);
          expect(m.pageOverflow, 'page scrolls sideways').toBeLessThanOrEqual(0);
          expect(m.actionsInside, 'action buttons inside the row').toBe(true);
        }
        await page.screenshot({ path: join(SHOTS, `runs-table-${width}-${scheme}.png`) });
      }
      await page.emulateMedia({ colorScheme: 'light' });
      expect(browser.problems).toEqual([]);
    });
  }

  it('a run with a failure offers "Rerun failed"; one where nothing failed does not', async () => {
    const { page } = browser;
    expect(await page.locator(`[data-testid="run-row"][data-run-id="${failedId}"] [data-testid="run-rerun-failed"]`).count()).toBe(1);
    expect(await page.locator(`[data-testid="run-row"][data-run-id="${goodId}"] [data-testid="run-rerun-failed"]`).count()).toBe(0);
    expect(await page.locator(`[data-testid="run-row"][data-run-id="${goodId}"] [data-testid="run-rerun"]`).count()).toBe(1);
  });
});
