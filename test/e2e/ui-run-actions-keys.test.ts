// Found by trying the app keyboard-only (real headless host, local backend, Debian Chromium): Enter on a run's
// Delete or Rerun button in the runs list opened the run instead, because the row took the key first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { ensureRendererBuilt } from './build';
import { startRealHost, type RealHost } from './real-host';
import { createRunAndWait, openApp } from './workflow-upload';

const skipBrowser = shouldSkipBrowser();

describe.skipIf(skipBrowser)('run actions from the keyboard (real host, local backend)', () => {
  let host: RealHost;
  let browser: Browser;
  let runId = '';

  beforeAll(async () => {
    ensureRendererBuilt();
    host = await startRealHost();
    runId = await createRunAndWait(host, { title: 'keys', tasks: [{ id: 'a', command: 'true', memory: '10M' }] }, 'completed');
    browser = await openBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('Enter on Delete asks for confirmation and stays on the list; Enter on the row still opens the run', async () => {
    const { page } = browser;
    await openApp(page, host);
    await page.getByTestId('nav-runs').click();
    const row = page.locator(`[data-testid="run-row"][data-run-id="${runId}"]`);
    await row.waitFor({ timeout: 15_000 });
    await row.getByTestId('run-delete').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => row.getByTestId('run-delete').textContent(), { timeout: 5_000 }).toBe('Really delete?');
    expect(page.url()).not.toContain(`/runs/${runId}`);
    await row.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url(), { timeout: 5_000 }).toContain(`#/runs/${runId}`);
  });
});
