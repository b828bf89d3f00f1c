// The runs list sorts by a clicked header: the host orders the rows (runs.list sort/order), the header says
// which column and direction (aria-sort), and the sort lives in the address, so a reload keeps it. Real headless
// host with the local backend, Chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { ensureRendererBuilt } from './build';
import { postApi, startRealHost, writeConfig, type RealHost } from './real-host';

const skipBrowser = shouldSkipBrowser();
const POLL = { timeout: 20_000 };

describe.skipIf(skipBrowser)('runs list sort by header (real host)', () => {
  let host: RealHost;
  let browser: Browser;

  const api = (path: string, body: unknown) => postApi(host, path, body);

  beforeAll(async () => {
    ensureRendererBuilt();
    host = await startRealHost((cfg) => {
      writeConfig(cfg, 'backends:\n  - name: laptop\n    type: local\n    max_concurrent: 2\nsettings:\n  local_poll_interval_ms: 200\n');
    });
    // Created in an order that is neither alphabetical nor its reverse.
    for (const name of ['beta-run', 'alpha-run', 'gamma-run']) await api('/runs', { backend: 'laptop', workflow_name: name, document: [{ id: 't', command: 'true' }] });
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  const names = async (): Promise<string[]> => (await browser.page.getByTestId('run-workflow-title').allTextContents()).map((t) => t.trim());
  const ariaSort = (key: string) => browser.page.locator(`[role="columnheader"]:has([data-testid="runs-sort-${key}"])`).getAttribute('aria-sort');
  const hash = async (): Promise<string> => new URL(browser.page.url()).hash;

  it('clicking Workflow sorts A→Z then Z→A, the header says so, and a reload keeps the order', async () => {
    const { page } = browser;
    await page.goto(host.engine.url);
    await expect.poll(names, POLL).toEqual(['gamma-run', 'alpha-run', 'beta-run']);
    await expect.poll(() => page.getByTestId('run-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')).join()), POLL).toBe('completed,completed,completed');
    expect(await ariaSort('created_at')).toBe('descending');
    expect(await ariaSort('workflow')).toBe('none');

    await page.getByTestId('runs-sort-workflow').click();
    await expect.poll(names, POLL).toEqual(['alpha-run', 'beta-run', 'gamma-run']);
    expect(await ariaSort('workflow')).toBe('ascending');
    expect(await ariaSort('created_at')).toBe('none');
    await expect.poll(hash, POLL).toBe('#/runs?sort=workflow&order=asc');

    await page.getByTestId('runs-sort-workflow').click();
    await expect.poll(names, POLL).toEqual(['gamma-run', 'beta-run', 'alpha-run']);
    expect(await ariaSort('workflow')).toBe('descending');
    await expect.poll(hash, POLL).toBe('#/runs?sort=workflow&order=desc');

    await page.reload();
    await expect.poll(names, POLL).toEqual(['gamma-run', 'beta-run', 'alpha-run']);
    expect(await ariaSort('workflow')).toBe('descending');

    // Back returns to the ascending sort; a third click goes back to newest first, with the plain address.
    await page.goBack();
    await expect.poll(names, POLL).toEqual(['alpha-run', 'beta-run', 'gamma-run']);
    await page.goForward();
    await expect.poll(names, POLL).toEqual(['gamma-run', 'beta-run', 'alpha-run']);
    await page.getByTestId('runs-sort-workflow').click();
    await expect.poll(hash, POLL).toBe('#/runs');
    await expect.poll(names, POLL).toEqual(['gamma-run', 'alpha-run', 'beta-run']);
    expect(await ariaSort('created_at')).toBe('descending');

    // Oldest first from the Created header.
    await page.getByTestId('runs-sort-created_at').click();
    await expect.poll(names, POLL).toEqual(['beta-run', 'alpha-run', 'gamma-run']);
    expect(await ariaSort('created_at')).toBe('ascending');
    expect(browser.problems).toEqual([]);
  });
});
