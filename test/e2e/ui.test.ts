// End to end: the real headless host (engine + HTTP/WebSocket adapter) serving the built renderer, driven in
// Debian's Chromium. Screenshots land in test-results/ to be looked at.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, shouldSkipBrowser, type Browser } from './browser';

const skipBrowser = shouldSkipBrowser();
import { ensureRendererBuilt } from './build';
import { startRealHost, type RealHost } from './real-host';

const SHOTS = join(process.cwd(), 'test-results');
const POLL = { timeout: 20_000 };

describe.skipIf(skipBrowser)('ScriptHut UI on the real headless host', () => {
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

  it('runs the demo workflow to completion and shows a task log', async () => {
    const { page } = browser;
    expect(host.engine.url).toContain('#token=');
    await page.goto(host.engine.url);
    await page.getByTestId('welcome').waitFor();
    expect(page.url()).not.toContain(host.engine.token);
    await page.screenshot({ path: join(SHOTS, 'e2e-welcome.png') });

    await page.getByTestId('run-demo').click();
    const header = page.getByTestId('run-header');
    await header.waitFor();
    const runId = await header.getAttribute('data-run-id');
    expect(runId).toBeTruthy();
    await page.locator('[data-testid="task-row"]').first().waitFor();
    await page.screenshot({ path: join(SHOTS, 'e2e-demo-running.png') });

    await page.locator('[data-testid="run-header"][data-status="completed"]').waitFor({ timeout: 90_000 });
    expect(await header.getByTestId('status-badge').first().textContent()).toContain('Completed');
    const rows = page.locator('[data-testid="task-row"]');
    const statuses = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
    expect(statuses.length).toBeGreaterThan(1);
    expect(statuses.every((s) => s === 'completed')).toBe(true);
    const badges = await rows.locator('[data-testid="status-badge"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
    expect(badges).toEqual(statuses);

    await page.locator('[data-testid="task-row"][data-task-id="prepare"]').click();
    await expect.poll(() => page.getByTestId('log-view').textContent(), POLL).toContain('input ready in');
    await page.locator('[data-testid="log-view"][data-complete="true"]').waitFor();
    await page.screenshot({ path: join(SHOTS, 'e2e-demo-completed.png') });

    await page.getByTestId('tab-script').click();
    await expect.poll(() => page.getByTestId('script-view').textContent(), POLL).toContain('DEMO_DIR');

    await page.getByTestId('back-to-runs').click();
    const runRow = page.getByTestId('run-row');
    await expect.poll(() => runRow.count(), POLL).toBe(1);
    expect(await runRow.getAttribute('data-run-id')).toBe(runId);
    expect(await runRow.getByTestId('status-badge').getAttribute('data-status')).toBe('completed');
    expect(await runRow.getByTestId('run-progress').textContent()).toMatch(/(\d+)\/\1/);
    await page.screenshot({ path: join(SHOTS, 'e2e-runs-list.png') });
    expect(browser.problems).toEqual([]);
  });

  it('reruns the finished run in place, keeps the earlier attempt, then deletes it', async () => {
    const { page } = browser;
    const row = page.getByTestId('run-row');
    await row.getByTestId('run-rerun').click();
    // In place: same run, a new attempt; the row follows live events.
    await row.locator('[data-testid="status-badge"]:not([data-status="completed"])').waitFor({ timeout: 20_000 });
    await row.click();
    await page.locator('[data-testid="run-header"][data-status="completed"]').waitFor({ timeout: 90_000 });
    expect(await page.getByTestId('run-header').textContent()).toMatch(/Attempt\s*2/);
    await page.locator('[data-testid="task-row"][data-task-id="prepare"]').click();
    const select = page.getByTestId('attempt-select');
    await select.waitFor();
    expect(await select.locator('option').count()).toBe(2);
    await select.selectOption('1');
    await expect.poll(() => page.getByTestId('log-view').textContent(), POLL).toContain('Run: ');
    expect(await page.getByTestId('log-view').textContent()).toContain('attempt 1');
    await page.screenshot({ path: join(SHOTS, 'e2e-rerun-attempts.png') });

    await page.getByTestId('back-to-runs').click();
    await row.getByTestId('run-delete').click();
    await row.getByTestId('run-delete').click();
    await page.getByTestId('welcome').waitFor();
    expect(browser.problems).toEqual([]);
  });
});

describe.skipIf(skipBrowser)('ScriptHut UI with a broken configuration', () => {
  it('shows the configuration error banner with the located issue', async () => {
    const host = await startRealHost((cfg) => {
      mkdirSync(join(cfg, 'scripthut'), { recursive: true });
      writeFileSync(join(cfg, 'scripthut', 'scripthut.yaml'), 'backends:\n  - name: x\n    type: local\n    max_concurrent: ten\n');
    });
    const browser = await openBrowser();
    try {
      await browser.page.goto(host.engine.url);
      const banner = browser.page.getByTestId('config-error-banner');
      await banner.waitFor({ timeout: 20_000 });
      const text = (await banner.textContent()) ?? '';
      expect(text).toContain('backends[0]');
      const health = (await (await fetch(`http://127.0.0.1:${host.engine.port}/api/v1/health`)).json()) as { config_error: { message: string } | null };
      expect(health.config_error).not.toBeNull();
      expect(text).toContain(health.config_error?.message.split('\n')[0]);
      await browser.page.screenshot({ path: join(SHOTS, 'e2e-config-error.png') });
    } finally {
      await browser.close();
      await host.stop();
    }
  });
});
