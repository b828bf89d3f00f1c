// The runs list's filters (status chips, backend picker, text search) live in the address: a reload keeps them,
// Back/Forward step through filter changes (typing refines one entry, it does not push one per keystroke), and
// a copied address opens the same list in a fresh page. Real headless host with two local backends, Chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { ensureRendererBuilt } from './build';
import { postApi, startRealHost, writeConfig, type RealHost } from './real-host';

const skipBrowser = shouldSkipBrowser();
const POLL = { timeout: 20_000 };

describe.skipIf(skipBrowser)('runs list filters in the address (real host, two backends)', () => {
  let host: RealHost;
  let browser: Browser;

  const api = (path: string, body: unknown) => postApi(host, path, body);

  beforeAll(async () => {
    ensureRendererBuilt();
    host = await startRealHost((cfg) => {
      writeConfig(cfg, 'backends:\n  - name: laptop\n    type: local\n    max_concurrent: 2\n  - name: mycluster\n    type: local\n    max_concurrent: 2\nsettings:\n  local_poll_interval_ms: 200\n');
    });
    await api('/runs', { backend: 'laptop', workflow_name: 'on-laptop-bad', document: [{ id: 'bad', command: 'exit 2' }] });
    await api('/runs', { backend: 'mycluster', workflow_name: 'on-cluster-ok', document: [{ id: 'ok', command: 'true' }] });
    await api('/runs', { backend: 'mycluster', workflow_name: 'on-cluster-bad', document: [{ id: 'bad', command: 'exit 3' }] });
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  const workflows = async (): Promise<string[]> =>
    (await browser.page.getByTestId('run-row').allTextContents()).map((t) => (t.match(/on-(laptop-bad|cluster-ok|cluster-bad)/) ?? ['?'])[0]).sort();
  const pressed = async (): Promise<string[]> =>
    browser.page.locator('[data-testid="runs-status-chip"][aria-pressed="true"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-status') ?? ''));
  const hash = async (): Promise<string> => new URL(browser.page.url()).hash;

  it('a reload keeps the chips, the backend and the search, with the same rows', async () => {
    const { page } = browser;
    await page.goto(host.engine.url);
    await expect.poll(() => page.getByTestId('run-row').count(), POLL).toBe(3);
    // Every run has finished (failed or completed) before the filters are tried, so rows do not move under them.
    await expect.poll(async () => (await page.getByTestId('run-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')))).sort().join(), POLL).toBe('completed,failed,failed');

    await page.locator('[data-testid="runs-status-chip"][data-status="failed"]').click();
    await expect.poll(workflows, POLL).toEqual(['on-cluster-bad', 'on-laptop-bad']);
    await page.getByTestId('runs-backend').selectOption('mycluster');
    await expect.poll(workflows, POLL).toEqual(['on-cluster-bad']);
    await page.getByTestId('runs-search').fill('cluster');
    await expect.poll(hash, POLL).toBe('#/runs?status=failed&backend=mycluster&q=cluster');

    await page.reload();
    await expect.poll(workflows, POLL).toEqual(['on-cluster-bad']);
    expect(await pressed()).toEqual(['failed']);
    expect(await page.getByTestId('runs-backend').inputValue()).toBe('mycluster');
    expect(await page.getByTestId('runs-search').inputValue()).toBe('cluster');
    expect(browser.problems).toEqual([]);
  });

  it('Back restores the previous filters, typing counts as one step, Forward comes back', async () => {
    const { page } = browser;
    // Start from a clean list with one entry per filter change.
    await page.goto(`${host.engine.url.replace(/#.*$/, '')}#/runs`);
    await expect.poll(() => page.getByTestId('run-row').count(), POLL).toBe(3);
    await page.locator('[data-testid="runs-status-chip"][data-status="failed"]').click();
    await expect.poll(workflows, POLL).toEqual(['on-cluster-bad', 'on-laptop-bad']);
    await page.getByTestId('runs-search').pressSequentially('laptop', { delay: 30 });
    await expect.poll(workflows, POLL).toEqual(['on-laptop-bad']);
    await expect.poll(hash, POLL).toBe('#/runs?status=failed&q=laptop');

    // One Back undoes the whole search (not one letter), and leaves the chip.
    await page.goBack();
    await expect.poll(hash, POLL).toBe('#/runs?status=failed');
    await expect.poll(workflows, POLL).toEqual(['on-cluster-bad', 'on-laptop-bad']);
    expect(await page.getByTestId('runs-search').inputValue()).toBe('');
    expect(await pressed()).toEqual(['failed']);

    await page.goBack();
    await expect.poll(hash, POLL).toBe('#/runs');
    await expect.poll(() => page.getByTestId('run-row').count(), POLL).toBe(3);
    expect(await pressed()).toEqual([]);

    await page.goForward();
    await expect.poll(workflows, POLL).toEqual(['on-cluster-bad', 'on-laptop-bad']);
    expect(await pressed()).toEqual(['failed']);
  });

  it('a copied address opens the same list in a fresh page, and a run’s Back button returns to it', async () => {
    const { page } = browser;
    const base = host.engine.url.replace(/#.*$/, '');
    await page.goto('about:blank');
    await page.goto(`${base}#/runs?status=failed&backend=laptop`);
    await expect.poll(workflows, POLL).toEqual(['on-laptop-bad']);
    expect(await pressed()).toEqual(['failed']);
    expect(await page.getByTestId('runs-backend').inputValue()).toBe('laptop');

    await page.getByTestId('run-row').first().click();
    await expect.poll(hash, POLL).toMatch(/^#\/runs\/[^?]+$/);
    await page.getByTestId('back-to-runs').click();
    await expect.poll(hash, POLL).toBe('#/runs?status=failed&backend=laptop');
    await expect.poll(workflows, POLL).toEqual(['on-laptop-bad']);
    expect(browser.problems).toEqual([]);
  });
});
