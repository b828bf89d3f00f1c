// Addresses, Back/Forward, reload, page titles, the command palette and keyboard shortcuts, on the real host.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { ensureRendererBuilt } from './build';
import { startRealHost, type RealHost } from './real-host';

const skipBrowser = shouldSkipBrowser();
const SHOTS = join(process.cwd(), 'test', 'e2e', 'artifacts');
const POLL = { timeout: 20_000 };

describe.skipIf(skipBrowser)('Navigation (real host)', () => {
  let host: RealHost;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ensureRendererBuilt();
    host = await startRealHost();
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  const hash = (): string => new URL(browser.page.url()).hash;

  it('gives every page and selection an address that survives reload and Back/Forward', async () => {
    const { page } = browser;
    await page.goto(host.engine.url);
    await page.getByTestId('welcome').waitFor();
    await expect.poll(() => page.title(), POLL).toBe('Runs · ScriptHut');
    await page.getByTestId('run-demo').click();
    const header = page.getByTestId('run-header');
    await header.waitFor();
    const runId = (await header.getAttribute('data-run-id')) as string;
    await expect.poll(hash, POLL).toBe(`#/runs/${runId}`);
    await expect.poll(() => page.title(), POLL).toContain('ScriptHut demo');

    // The address changes after the click, and Playwright learns of it from an event of its own: poll it.
    await page.locator('[data-testid="task-row"][data-task-id="prepare"]').click();
    await expect.poll(hash, POLL).toBe(`#/runs/${runId}/tasks/prepare`);
    await page.getByTestId('tab-script').click();
    await expect.poll(hash, POLL).toBe(`#/runs/${runId}/tasks/prepare/script`);

    await page.reload();
    await page.getByTestId('script-view').waitFor();
    expect(await page.getByTestId('tab-script').getAttribute('aria-selected')).toBe('true');
    expect(await page.getByTestId('task-panel').getAttribute('data-task-id')).toBe('prepare');

    await page.getByTestId('tab-script').focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.getByTestId('tab-env').getAttribute('aria-selected'), POLL).toBe('true');
    await expect.poll(hash, POLL).toBe(`#/runs/${runId}/tasks/prepare/env`);

    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('task-panel').count(), POLL).toBe(0);
    await expect.poll(hash, POLL).toBe(`#/runs/${runId}`);

    await page.goBack();
    await page.getByTestId('task-panel').waitFor();
    await expect.poll(() => page.getByTestId('tab-env').getAttribute('aria-selected'), POLL).toBe('true');
    await page.goBack();
    await expect.poll(() => page.getByTestId('task-panel').count(), POLL).toBe(0);
    await page.goBack();
    await page.getByTestId('runs-table').waitFor();
    await page.goForward();
    await page.getByTestId('run-header').waitFor();
    expect(browser.problems).toEqual([]);
  });

  it('jumps to a task with the command palette and shows the shortcut help', async () => {
    const { page } = browser;
    const runId = (await page.getByTestId('run-header').getAttribute('data-run-id')) as string;
    await page.keyboard.press('Control+k');
    const palette = page.getByTestId('command-palette');
    await palette.waitFor();
    await page.getByTestId('palette-input').fill('summary');
    await palette.locator('[data-testid="palette-item"][data-kind="task"]').first().waitFor();
    await page.screenshot({ path: join(SHOTS, 'palette-light.png') });
    await page.keyboard.press('Enter');
    await expect.poll(hash, POLL).toBe(`#/runs/${runId}/tasks/summary`);

    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press('Shift+?');
    await page.getByTestId('shortcut-help').waitFor();
    await page.screenshot({ path: join(SHOTS, 'shortcuts-light.png') });
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('shortcut-help').count(), POLL).toBe(0);

    await page.keyboard.press('g');
    await page.keyboard.press('b');
    await expect.poll(hash, POLL).toBe('#/backends');
    await page.getByTestId('backends-page').waitFor();
    await expect.poll(() => page.title(), POLL).toContain('Backends');
    expect(browser.problems).toEqual([]);
  });
});
