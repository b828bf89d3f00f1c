// Relative times where a researcher scans recency (runs list, run header, overview), with the absolute time, its
// zone and UTC on hover; re-labelled by the window's one minute tick. At 1024 px, in light and dark.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { ensureRendererBuilt } from './build';
import { startFakeHost, type FakeHost } from './fake-host';

const skipBrowser = shouldSkipBrowser();
const SHOTS = join(process.cwd(), 'test', 'e2e', 'artifacts');
const POLL = { timeout: 20_000 };

describe.skipIf(skipBrowser)('relative times (fake host)', () => {
  let host: FakeHost;
  let browser: Browser;
  let runId = '';

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    host = await startFakeHost({ staticDir: ensureRendererBuilt() });
    const res = await fetch(`http://127.0.0.1:${host.port}/api/v1/runs`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ workflow_name: 'recency', text: JSON.stringify({ tasks: [{ id: 'a', command: 'true' }] }) }),
    });
    runId = ((await res.json()) as { id: string }).id;
    browser = await openBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
  });

  it('runs list, run header and overview say "just now" then "1 min ago" on the minute tick (1024 px, light and dark)', async () => {
    const { page } = browser;
    const scheme = 'light';
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.clock.install();
    await page.goto(host.url);

    const cell = page.locator(`[data-testid="run-row"][data-run-id="${runId}"] .c-created`);
    await expect.poll(() => cell.getByTestId('relative-time').textContent(), POLL).toBe('just now');
    // Absolute time (24-hour) under it, and the zone plus UTC on hover, as before.
    expect(await cell.locator('.sub').textContent()).toMatch(/^(\w+ \d+ )?\d\d:\d\d:\d\d( UTC)?$/);
    expect(await cell.getAttribute('title')).toMatch(/^Created .+ · \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    // Nothing scrolls sideways at 1024 px.
    const scroller = page.getByTestId('runs-scroller');
    expect(await scroller.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(1);
    expect(await page.evaluate(() => {
      const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
      return root.scrollWidth - root.clientWidth;
    })).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SHOTS, `runs-relative-times-1024-${scheme}.png`) });

    // One shared tick a minute re-labels the row.
    await page.clock.fastForward('01:05');
    await expect.poll(() => cell.getByTestId('relative-time').textContent(), POLL).toBe('1 min ago');

    // The run header: the absolute time first, then how long ago; the tooltip keeps zone and UTC.
    await page.locator(`[data-testid="run-row"][data-run-id="${runId}"]`).click();
    const created = page.locator('[data-testid="run-header"] [data-testid="relative-time"]').first();
    await expect.poll(() => created.textContent(), POLL).toMatch(/^(\w+ \d+ )?\d\d:\d\d:\d\d( UTC)? · 1 min ago$/);
    expect(await created.getAttribute('title')).toMatch(/UTC$/);

    // The overview's current runs have no time; after the run finishes it is a recent run with one.
    host.finishTask(runId, 'a');
    await page.evaluate(() => ((globalThis as unknown as { location: { hash: string } }).location.hash = '#/overview'));
    const recent = page.locator(`[data-testid="overview-recent"][data-run-id="${runId}"] [data-testid="relative-time"]`);
    // The page's clock is a minute ahead of the host's by now.
    await expect.poll(() => recent.textContent(), POLL).toMatch(/^(just now|1 min ago)$/);
    expect(await recent.getAttribute('title')).toMatch(/UTC$/);
    await page.screenshot({ path: join(SHOTS, `overview-relative-times-1024-${scheme}.png`) });

    // Dark mode: the same labels, still nothing sideways.
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(SHOTS, 'overview-relative-times-1024-dark.png') });
    await page.evaluate(() => ((globalThis as unknown as { location: { hash: string } }).location.hash = '#/runs'));
    await expect.poll(() => cell.getByTestId('relative-time').textContent(), POLL).toBe('1 min ago');
    expect(await page.evaluate(() => {
      const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
      return root.scrollWidth - root.clientWidth;
    })).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SHOTS, 'runs-relative-times-1024-dark.png') });
  });
});
