// Found by trying the product with two backends (a laptop and a cluster): the runs list could be filtered by status
// and text but not by backend, and typing a backend's name in the search showed "No run matches" although the
// list shows that name on every row. Real headless host with two local backends, Debian Chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { ensureRendererBuilt } from './build';
import { postApi, startRealHost, writeConfig, type RealHost } from './real-host';

const skipBrowser = shouldSkipBrowser();
const POLL = { timeout: 20_000 };

describe.skipIf(skipBrowser)('runs list filtered by backend (real host, two backends)', () => {
  let host: RealHost;
  let browser: Browser;

  const api = (path: string, body: unknown) => postApi(host, path, body);

  beforeAll(async () => {
    ensureRendererBuilt();
    host = await startRealHost((cfg) => {
      writeConfig(cfg, 'backends:\n  - name: laptop\n    type: local\n    max_concurrent: 2\n  - name: mycluster\n    type: local\n    max_concurrent: 2\nsettings:\n  local_poll_interval_ms: 200\n');
    });
    await api('/runs', { backend: 'laptop', workflow_name: 'on-laptop', document: [{ id: 'ok', command: 'true' }] });
    await api('/runs', { backend: 'mycluster', workflow_name: 'on-cluster-ok', document: [{ id: 'ok', command: 'true' }] });
    await api('/runs', { backend: 'mycluster', workflow_name: 'on-cluster-bad', document: [{ id: 'bad', command: 'exit 3' }] });
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  /** The workflow names of the rows on show, sorted. */
  const workflows = async (): Promise<string[]> =>
    (await browser.page.getByTestId('run-row').allTextContents()).map((t) => (t.match(/on-(laptop|cluster-ok|cluster-bad)/) ?? ['?'])[0]).sort();

  it('a backend picker beside the status chips shows only that backend’s runs, with the status chips too', async () => {
    const { page } = browser;
    await page.goto(host.engine.url);
    await expect.poll(() => page.getByTestId('run-row').count(), POLL).toBe(3);
    const picker = page.getByTestId('runs-backend');
    expect(await picker.locator('option').allTextContents()).toEqual(['All backends', 'laptop', 'mycluster']);

    await picker.selectOption('mycluster');
    await expect.poll(workflows, POLL).toEqual(['on-cluster-bad', 'on-cluster-ok']);
    await expect.poll(() => page.getByTestId('runs-count').textContent(), POLL).toBe('2');

    await page.locator('[data-testid="runs-status-chip"][data-status="failed"]').click();
    await expect.poll(workflows, POLL).toEqual(['on-cluster-bad']);

    await picker.selectOption('laptop');
    await expect.poll(() => page.getByTestId('runs-empty').textContent(), POLL).toContain('on laptop');

    await page.getByTestId('runs-status-clear').click();
    await expect.poll(workflows, POLL).toEqual(['on-laptop']);
    await picker.selectOption('');
    await expect.poll(() => page.getByTestId('run-row').count(), POLL).toBe(3);
    expect(browser.problems).toEqual([]);
  });

  it('searching for a backend’s name finds its runs', async () => {
    const { page } = browser;
    // The rows are filtered at once in the page, then replaced by the engine's answer: wait for that answer.
    const answered = page.waitForResponse((r) => r.url().includes('/api/v1/runs?') && r.url().includes('q=mycluster'));
    await page.getByTestId('runs-search').fill('mycluster');
    await answered;
    await expect.poll(workflows, POLL).toEqual(['on-cluster-bad', 'on-cluster-ok']);
    expect(await page.getByTestId('runs-empty').count()).toBe(0);
    await page.getByTestId('runs-search').fill('');
    await expect.poll(() => page.getByTestId('run-row').count(), POLL).toBe(3);
  });
});
