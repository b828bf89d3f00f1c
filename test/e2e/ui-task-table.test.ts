// The task table of a big run against the real headless host: rows come from server pages (a run of 3,000
// tasks is not cut at the 1,000 of one page), only the visible rows are in the DOM, the status filter and the
// search go to the server, and dot-named ids group under their first part.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { cancelRun, createBigRun } from './big-run';
import { ensureRendererBuilt } from './build';
import { startRealHost, type RealHost } from './real-host';

const skipBrowser = shouldSkipBrowser();
const SHOTS = join(process.cwd(), 'test', 'e2e', 'artifacts');
const POLL = { timeout: 30_000 };
const N = 3000;

describe.skipIf(skipBrowser)('Task table of a big run (real host)', () => {
  let host: RealHost;
  let browser: Browser;
  let runId: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ensureRendererBuilt();
    host = await startRealHost();
    runId = await createBigRun(host, N);
    browser = await openBrowser();
    await browser.page.goto(host.engine.url);
    await browser.page.locator('[data-testid="backend-chip"]').first().waitFor(POLL);
  });

  afterAll(async () => {
    if (runId) await cancelRun(host, runId).catch(() => {});
    await browser?.close();
    await host?.stop();
  });

  it('pages rows from the server and keeps only the visible window in the DOM', async () => {
    const { page } = browser;
    await page.evaluate((id) => ((globalThis as unknown as { location: { hash: string } }).location.hash = `#/runs/${id}`), runId);
    const rows = page.getByTestId('task-row');
    await rows.first().waitFor(POLL);
    expect(await page.getByTestId('task-table').getAttribute('aria-rowcount')).toBe(String(N + 1));
    const inDom = await rows.count();
    expect(inDom).toBeGreaterThan(5);
    expect(inDom).toBeLessThan(200);
    await page.screenshot({ path: join(SHOTS, 'tasks-table-light.png') });

    // The last task is beyond the first page of 1,000: scrolling there fetches its page.
    const scroller = page.getByTestId('task-scroller');
    await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight));
    const last = `g${String((N - 1) % 10).padStart(2, '0')}.task-${String(N - 1).padStart(6, '0')}`;
    await page.locator(`[data-testid="task-row"][data-task-id="${last}"]`).waitFor(POLL);
    expect(await rows.count()).toBeLessThan(200);
    expect(browser.problems).toEqual([]);
  });

  it('scrolling recycles the row elements in place, and the read order (aria-owns) follows the rows', async () => {
    const { page } = browser;
    const scroller = page.getByTestId('task-scroller');
    // From row 100 the window has its full overscan above and below, so every slot is in use.
    await scroller.evaluate((el) => (el.scrollTop = 100 * 36));
    await page.locator('[data-testid="task-row"][data-index="100"]').waitFor(POLL);
    // Mark every row element; after scrolling 100 rows more (same page of rows) no row element may be new.
    const before = await page.locator('[data-row]').evaluateAll((els) => els.map((e) => {
        (e as unknown as { __mark: boolean }).__mark = true;
        return e.id;
      }));
    await scroller.evaluate((el) => (el.scrollTop = 200 * 36));
    await page.locator('[data-testid="task-row"][data-index="200"]').waitFor(POLL);
    const after = await page.locator('[data-row]').evaluateAll((els) => els.map((e) => ({ id: e.id, marked: (e as unknown as { __mark?: boolean }).__mark === true, row: Number(e.getAttribute('data-row')) })));
    expect(after.filter((r) => !r.marked), JSON.stringify({ before: before.length, after: after.length })).toEqual([]);
    expect(after.map((r) => r.id).sort()).toEqual([...before].sort());
    const rows = after.map((r) => r.row).sort((a, b) => a - b);
    expect(rows[0]).toBeLessThanOrEqual(200);
    expect(rows[rows.length - 1]).toBeGreaterThan(200);
    // The rowgroup owns its rows in row order although the elements sit in slot order.
    const owned = await page.locator('[data-testid="task-table"] [role="rowgroup"][aria-owns]').evaluate((g) =>
      (g.getAttribute('aria-owns') ?? '').split(' ').map((id: string) => Number(g.ownerDocument.getElementById(id)?.getAttribute('aria-rowindex'))),
    );
    expect(owned).toEqual(rows.map((r) => r + 2));
    expect(browser.problems).toEqual([]);
  });

  it('arrow, Page Down and End keys move the focused row and bring it into view; Enter opens it', async () => {
    const { page } = browser;
    const scroller = page.getByTestId('task-scroller');
    await scroller.evaluate((el) => (el.scrollTop = 0));
    await page.locator('[data-testid="task-row"][data-index="0"]').focus();
    const focused = (): Promise<number> => page.evaluate(() => Number((globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } | null } }).document.activeElement?.getAttribute('data-row')));
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    // Focus moves once the target row is drawn, which for a row outside the window is a frame after the scroll.
    await expect.poll(focused, POLL).toBe(2);
    await page.screenshot({ path: join(SHOTS, 'tasks-table-focused-light.png') });
    for (let i = 0; i < 30; i++) await page.keyboard.press('ArrowDown');
    await expect.poll(focused, POLL).toBe(32);
    await expect.poll(() => page.locator('[data-row="32"]').evaluate((row) => {
      const s = row.closest('[data-testid="task-scroller"]') as unknown as { getBoundingClientRect(): { top: number; bottom: number } };
      const box = (row as unknown as { getBoundingClientRect(): { top: number; bottom: number } }).getBoundingClientRect();
      const view = s.getBoundingClientRect();
      return box.top >= view.top + 36 - 1 && box.bottom <= view.bottom + 1;
    }), POLL).toBe(true);
    await page.keyboard.press('PageDown');
    await expect.poll(focused, POLL).toBeGreaterThan(32);
    // End goes to the last row, on a page not fetched yet: focus lands on it once it has arrived.
    await page.keyboard.press('End');
    await expect.poll(focused, POLL).toBe(N - 1);
    await page.keyboard.press('Enter');
    const last = `g${String((N - 1) % 10).padStart(2, '0')}.task-${String(N - 1).padStart(6, '0')}`;
    await page.locator(`[data-testid="task-panel"][data-task-id="${last}"]`).waitFor(POLL);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('task-panel').count(), POLL).toBe(0);
    expect(browser.problems).toEqual([]);
  });

  it('filters by status and searches on the server', async () => {
    const { page } = browser;
    const chip = page.locator('[data-testid="status-chip"][data-status="running"]');
    await chip.click();
    await expect.poll(() => page.getByTestId('task-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-task-id'))), POLL).toEqual(['blocker']);
    await chip.click();
    await page.getByTestId('task-search').fill('task-002999');
    await expect.poll(() => page.getByTestId('task-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-task-id'))), POLL).toEqual(['g09.task-002999']);
    expect(await page.getByTestId('tasks-shown').textContent()).toBe(`1 of ${N.toLocaleString('en-US')} shown`);
    await page.getByTestId('task-search').fill('');
    await expect.poll(() => page.getByTestId('task-table').getAttribute('aria-rowcount'), POLL).toBe(String(N + 1));
  });

  it('groups dot-named tasks under their first part', async () => {
    const { page } = browser;
    await page.getByTestId('task-scroller').evaluate((el) => (el.scrollTop = 0));
    await page.getByTestId('group-toggle').check();
    // Grouping orders by id, so a group's tasks are together and its label shows once, on its first row.
    await expect.poll(() => page.getByTestId('task-group').first().textContent(), POLL).toBe('g00');
    // Row elements are recycled slots, so document order is not screen order: read the rows by their index.
    const firstIds = () =>
      page.getByTestId('task-row').evaluateAll((els) =>
        els
          .map((e) => ({ row: Number(e.getAttribute('data-row')), id: e.getAttribute('data-task-id') }))
          .sort((a, b) => a.row - b.row)
          .slice(0, 4)
          .map((r) => r.id),
      );
    // The label can show while the rows of the grouped order are still loading (seen under load: no row drawn yet).
    await expect
      .poll(async () => {
        const ids = await firstIds();
        return { first: ids[0], restInG00: ids.length === 4 && ids.slice(1).every((id) => id?.startsWith('g00.')) };
      }, POLL)
      .toEqual({ first: 'blocker', restInG00: true });
    const labels = await page.getByTestId('task-group').allTextContents();
    expect(new Set(labels).size).toBe(labels.length);
    await page.screenshot({ path: join(SHOTS, 'tasks-grouped-light.png') });
    await page.getByTestId('group-toggle').uncheck();
  });
});
