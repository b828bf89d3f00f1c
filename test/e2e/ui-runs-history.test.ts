// The runs list over years of history (10,000 finished runs in the real host's store): a windowed grid that
// pages with the server's cursor as it is scrolled, down to the oldest run; status chips and search on the
// server; keyboard use.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { ensureRendererBuilt } from './build';
import { runIdAt, seedFinishedRuns, type SeededRuns } from './many-runs';
import { startRealHost, type RealHost } from './real-host';

const skipBrowser = shouldSkipBrowser();
const RUNS = 10_000;
const POLL = { timeout: 30_000 };

describe.skipIf(skipBrowser)('Runs list over 10,000 runs (real host)', () => {
  let host: RealHost;
  let browser: Browser;
  let seeded: SeededRuns;

  beforeAll(async () => {
    ensureRendererBuilt();
    host = await startRealHost((cfg) => {
      seeded = seedFinishedRuns(cfg, RUNS);
    }, 90_000);
    browser = await openBrowser();
    await browser.page.goto(host.engine.url);
    await browser.page.getByTestId('run-row').first().waitFor({ timeout: 60_000 });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('opens on the newest runs with only the visible window in the DOM, and says how many there are', async () => {
    const { page } = browser;
    expect(await page.getByTestId('run-row').first().getAttribute('data-run-id')).toBe(runIdAt(RUNS - 1));
    expect(await page.getByTestId('runs-count').textContent()).toBe(`500 of ${RUNS.toLocaleString()}`);
    expect(await page.getByTestId('runs-table').getAttribute('aria-rowcount')).toBe(String(RUNS + 1));
    const inDom = await page.getByTestId('run-row').count();
    expect(inDom).toBeGreaterThan(5);
    expect(inDom).toBeLessThan(80);
    expect(browser.problems).toEqual([]);
  });

  it('scrolling to the end pages through the whole history and reaches the oldest run', { timeout: 180_000 }, async () => {
    const { page } = browser;
    const scroller = page.getByTestId('runs-scroller');
    const oldest = page.locator(`[data-testid="run-row"][data-run-id="${runIdAt(0)}"]`);
    // Each scroll to the end brings the next cursor page (500 runs); 20 pages in all.
    const deadline = Date.now() + 120_000;
    while (!(await oldest.count()) && Date.now() < deadline) {
      const before = await page.getByTestId('runs-count').textContent();
      await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight));
      await expect.poll(async () => (await oldest.count()) > 0 || (await page.getByTestId('runs-count').textContent()) !== before, POLL).toBe(true);
    }
    await oldest.waitFor(POLL);
    expect(await page.getByTestId('runs-count').textContent()).toBe(RUNS.toLocaleString());
    expect(await page.getByTestId('runs-loading').count()).toBe(0);
    // The oldest is the last row, in screen order, and rows are still windowed.
    const lastRow = await page.getByTestId('run-row').evaluateAll((els) => els.map((e) => ({ row: Number(e.getAttribute('data-row')), id: e.getAttribute('data-run-id') })).sort((a, b) => b.row - a.row)[0]);
    expect(lastRow).toEqual({ row: RUNS - 1, id: runIdAt(0) });
    expect(await oldest.getAttribute('aria-rowindex')).toBe(String(RUNS + 1));
    expect(await page.getByTestId('run-row').count()).toBeLessThan(80);
  });

  it('filters by status with the chips, on the server', async () => {
    const { page } = browser;
    await page.locator('[data-testid="runs-status-chip"][data-status="failed"]').click();
    expect(await page.locator('[data-testid="runs-status-chip"][data-status="failed"]').getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => page.getByTestId('runs-count').textContent(), POLL).toBe(`500 of ${seeded.failed.toLocaleString()}`);
    const statuses = await page.getByTestId('run-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
    expect(statuses.length).toBeGreaterThan(0);
    expect(new Set(statuses)).toEqual(new Set(['failed']));
    await page.getByTestId('runs-status-clear').click();
    await expect.poll(() => page.getByTestId('runs-count').textContent(), POLL).toBe(`500 of ${RUNS.toLocaleString()}`);
  });

  it('searches on the server across pages not loaded yet', async () => {
    const { page } = browser;
    await page.getByTestId('runs-search').fill(runIdAt(3));
    await expect.poll(() => page.getByTestId('run-row').count(), POLL).toBe(1);
    expect(await page.getByTestId('run-row').getAttribute('data-run-id')).toBe(runIdAt(3));
    await page.getByTestId('runs-search').fill('');
    await expect.poll(() => page.getByTestId('runs-count').textContent(), POLL).toBe(`500 of ${RUNS.toLocaleString()}`);
  });

  it('moves between rows with the keyboard and opens one with Enter', async () => {
    const { page } = browser;
    const activeRow = (): Promise<string | null> =>
      page.evaluate(() => (globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } | null } }).document.activeElement?.getAttribute('data-row') ?? null);
    await page.getByTestId('runs-scroller').evaluate((el) => (el.scrollTop = 0));
    const first = page.locator('[data-testid="run-row"][data-row="0"]');
    await first.focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => activeRow(), POLL).toBe('2');
    await page.keyboard.press('PageDown');
    // Focus moves once the row a page down is drawn (the window follows the scroll a frame later).
    await expect.poll(async () => Number(await activeRow()), POLL).toBeGreaterThan(4);
    const afterPage = Number(await activeRow());
    await page.keyboard.press('Enter');
    await page.getByTestId('run-header').waitFor(POLL);
    expect(await page.getByTestId('run-header').getAttribute('data-run-id')).toBe(runIdAt(RUNS - 1 - afterPage));
    expect(browser.problems).toEqual([]);
  });
});
