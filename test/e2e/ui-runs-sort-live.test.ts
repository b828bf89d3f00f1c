// A run in a sorted runs list moves when an event changes its sort key (sorted by status: a running run that is
// cancelled goes to the cancelled ones), with no re-read of the list; and a list scrolled below it keeps the
// rows in view where they were. Real headless host with the local backend, finished history seeded into its
// store, Chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { ensureRendererBuilt } from './build';
import { seedFinishedRuns } from './many-runs';
import { postApi, startRealHost, writeConfig, type RealHost } from './real-host';

const skipBrowser = shouldSkipBrowser();
const POLL = { timeout: 20_000 };
const HISTORY = 40;

describe.skipIf(skipBrowser)('sorted runs list follows live sort-key changes (real host)', () => {
  let host: RealHost;
  let browser: Browser;
  let slow: string;

  beforeAll(async () => {
    ensureRendererBuilt();
    host = await startRealHost((cfg) => {
      seedFinishedRuns(cfg, HISTORY);
      writeConfig(cfg, 'backends:\n  - name: laptop\n    type: local\n    max_concurrent: 2\nsettings:\n  local_poll_interval_ms: 200\n');
    });
    slow = (await postApi(host, '/runs', { backend: 'laptop', workflow_name: 'slow-run', document: [{ id: 't', command: 'sleep 120' }] })).id;
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  const rowOf = (id: string) => browser.page.locator(`[data-testid="run-row"][data-run-id="${id}"]`);

  it('a cancelled run leaves the running ones for the cancelled ones, and the rows in view stay put', async () => {
    const { page } = browser;
    // The token rides in the first address and stays in the session; then the sorted list.
    await page.goto(host.engine.url);
    await page.getByTestId('run-row').first().waitFor(POLL);
    await page.goto(`${host.engine.url.replace(/#.*$/, '')}#/runs?sort=status`);
    await expect.poll(() => rowOf(slow).getAttribute('data-status'), POLL).toBe('running');
    // The newest run is first in the default order too: wait until the rows drawn are the status-sorted ones (under
    // load the sorted read can land after the first list was drawn).
    const sorted = await fetch(`http://127.0.0.1:${host.engine.port}/api/v1/runs?sort=status&limit=15`, { headers: { authorization: `Bearer ${host.engine.token}` } });
    const sortedIds = ((await sorted.json()) as { runs: Array<{ id: string }> }).runs.map((r) => r.id);
    await expect.poll(() => page.locator('[data-testid="run-row"]').evaluateAll((rows, n) => rows.slice(0, n).map((r) => r.getAttribute('data-run-id')), sortedIds.length), POLL).toEqual(sortedIds);
    // Sorted by status (pending, running, completed, failed, cancelled): the running run is the first row.
    expect(await rowOf(slow).getAttribute('data-row')).toBe('0');

    // Scroll ten rows down: the running run is above the rows in view.
    await page.getByTestId('runs-scroller').evaluate((el) => (el.scrollTop = 560));
    // Row 10 may be drawn already (the window's overscan): wait until a frame has delivered the scroll event, so the
    // list knows where the user is before the run moves (under load the frame can come late).
    await page.evaluate(() => {
      const raf = (globalThis as unknown as { requestAnimationFrame(f: () => void): number }).requestAnimationFrame;
      return new Promise((r) => raf(() => raf(() => r(null))));
    });
    const topRow = page.locator('[data-testid="run-row"][data-row="10"]');
    await topRow.waitFor(POLL);
    const topId = (await topRow.getAttribute('data-run-id')) as string;
    const topY = (await topRow.boundingBox())?.y;
    expect(topY).toBeDefined();

    let reads = 0;
    page.on('request', (r) => {
      if (r.method() === 'GET' && new URL(r.url()).pathname === '/api/v1/runs') reads++;
    });
    await postApi(host, `/runs/${slow}/cancel`, {});

    // The run above moved below: the row that was tenth is ninth now, drawn where it was.
    await expect.poll(() => rowOf(topId).getAttribute('data-row'), POLL).toBe('9');
    expect((await rowOf(topId).boundingBox())?.y).toBeCloseTo(topY as number, 0);
    expect(await page.getByTestId('runs-scroller').evaluate((el) => el.scrollTop)).toBe(560 - 56);

    // It is the last row: cancelled comes last, and it is the newest of the cancelled runs.
    await page.getByTestId('runs-scroller').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect.poll(() => rowOf(slow).getAttribute('data-row'), POLL).toBe(String(HISTORY));
    expect(await rowOf(slow).getAttribute('data-status')).toBe('cancelled');
    // Moved by the event itself, not by reading the list again.
    expect(reads).toBe(0);
    expect(browser.problems).toEqual([]);
  });
});
