// A run that changes between a page's first read and the event stream opening sends its event to nobody. The runs
// list and the overview must read again when the stream opens, in place (no flicker). The fake host holds the
// stream's connection so the change lands in that gap for certain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { ensureRendererBuilt } from './build';
import { startFakeHost, type FakeHost } from './fake-host';

const skipBrowser = shouldSkipBrowser();
const POLL = { timeout: 20_000 };

describe.skipIf(skipBrowser)('runs list and overview catch up with changes made before the stream opened (fake host)', () => {
  let host: FakeHost;
  let browser: Browser;

  async function createRun(name: string): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${host.port}/api/v1/runs`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ workflow_name: name, text: JSON.stringify({ tasks: [{ id: 'a', command: 'true' }] }) }),
    });
    return ((await res.json()) as { id: string }).id;
  }
  const runListReads = (): number => host.calls.filter((c) => c.method === 'GET' && c.path === '/runs').length;

  beforeAll(async () => {
    host = await startFakeHost({ staticDir: ensureRendererBuilt() });
    browser = await openBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
  });

  it('runs list: the row turns completed once the stream opens, the same row, never emptied', async () => {
    const { page } = browser;
    const runId = await createRun('gap');
    host.holdEvents();
    const before = runListReads();
    await page.goto(host.url);
    const row = page.locator(`[data-testid="run-row"][data-run-id="${runId}"]`);
    await row.locator('xpath=self::*[@data-status="pending"]').waitFor(POLL);
    expect(runListReads() - before).toBe(1);

    // Watch for the list emptying or the row being re-created while it catches up.
    await row.evaluate((el) => {
      type Observer = new (cb: () => void) => { observe(target: unknown, o: { childList: boolean; subtree: boolean }): void };
      const w = globalThis as unknown as { rowGone: boolean; MutationObserver: Observer; document: { body: unknown; querySelector(s: string): unknown } };
      w.rowGone = false;
      (el as unknown as { mark: boolean }).mark = true;
      new w.MutationObserver(() => {
        if (!w.document.querySelector('[data-testid="run-row"]')) w.rowGone = true;
      }).observe(w.document.body, { childList: true, subtree: true });
    });

    host.finishTask(runId, 'a'); // its events reach no window
    await page.waitForTimeout(300);
    expect(await row.getAttribute('data-status')).toBe('pending');

    host.releaseEvents();
    await expect.poll(() => row.getAttribute('data-status'), POLL).toBe('completed');
    expect(await row.evaluate((el) => (el as unknown as { mark?: boolean }).mark === true)).toBe(true);
    expect(await page.evaluate(() => (globalThis as unknown as { rowGone: boolean }).rowGone)).toBe(false);
    expect(runListReads() - before).toBe(2);
  });

  it('overview: a run finished in the gap moves from current to recent once the stream opens', async () => {
    const { page } = browser;
    const runId = await createRun('gap-overview');
    host.holdEvents();
    await page.goto('about:blank');
    await page.goto(host.url);
    await page.evaluate(() => ((globalThis as unknown as { location: { hash: string } }).location.hash = '#/overview'));
    await page.locator(`[data-testid="overview-current"][data-run-id="${runId}"]`).waitFor(POLL);

    host.finishTask(runId, 'a');
    await page.waitForTimeout(300);
    expect(await page.locator(`[data-testid="overview-recent"][data-run-id="${runId}"]`).count()).toBe(0);

    host.releaseEvents();
    await page.locator(`[data-testid="overview-recent"][data-run-id="${runId}"]`).waitFor(POLL);
    expect(await page.locator(`[data-testid="overview-current"][data-run-id="${runId}"]`).count()).toBe(0);
  });
});
