// End to end: the real headless host (engine + HTTP/WebSocket adapter) serving the built renderer, driven in
// Debian's Chromium. Screenshots land in test-results/ to be looked at.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, shouldSkipBrowser, type Browser } from './browser';

const skipBrowser = shouldSkipBrowser();
import { ensureRendererBuilt } from './build';
import { startRealHost, writeConfig, type RealHost } from './real-host';

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
    await expect.poll(() => page.url(), POLL).not.toContain(host.engine.token);
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
    const rowStatuses = () => rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
    // The header can turn completed before the last task's event has redrawn its row.
    await expect.poll(async () => (await rowStatuses()).filter((s) => s !== 'completed'), POLL).toEqual([]);
    const statuses = await rowStatuses();
    expect(statuses.length).toBeGreaterThan(1);
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
    expect(await runRow.getByTestId('run-progress').textContent()).toMatch(/(\d+) of \1 completed/);
    await page.screenshot({ path: join(SHOTS, 'e2e-runs-list.png') });
    expect(browser.problems).toEqual([]);
  });

  it('shows the summary as a real table, the env with provenance and the task history', async () => {
    const { page } = browser;
    await page.getByTestId('run-row').click();
    await page.locator('[data-testid="run-header"][data-status="completed"]').waitFor();
    const runId = (await page.getByTestId('run-header').getAttribute('data-run-id')) as string;
    await page.locator('[data-testid="task-row"][data-task-id="summary"]').click();

    await page.getByTestId('tab-summary').click();
    const md = page.getByTestId('summary-markdown');
    await md.locator('table').waitFor();
    expect(await md.locator('h1').textContent()).toBe('Demo run summary');
    expect(await md.locator('table tbody tr').count()).toBe(3);
    expect(await md.locator('table thead th').allTextContents()).toEqual(['shard', 'samples', 'mean', 'max']);
    expect(await md.locator('table tbody tr').first().locator('td').first().textContent()).toBe('1');
    await page.screenshot({ path: join(SHOTS, 'e2e-summary.png') });

    await page.getByTestId('tab-env').click();
    const shards = page.locator('[data-testid="env-row"][data-name="DEMO_SHARDS"]');
    await shards.waitFor();
    expect(await page.getByTestId('env-view').getAttribute('data-resolved')).toBe('true');
    expect(await shards.locator('td').nth(1).textContent()).toBe('3');
    expect(await shards.getByTestId('env-provenance').textContent()).toContain('set by workflow-doc');
    const seed = page.locator('[data-testid="env-row"][data-name="SCRIPTHUT_RUN_ID"]');
    expect(await seed.locator('td').nth(1).textContent()).toBe(runId);
    expect(await seed.getByTestId('env-provenance').textContent()).toContain('seeded by ScriptHut');
    await page.screenshot({ path: join(SHOTS, 'e2e-env.png') });

    await page.getByTestId('tab-history').click();
    const rows = page.getByTestId('transition-row');
    await rows.first().waitFor();
    const steps = await rows.evaluateAll((els) => els.map((e) => [e.getAttribute('data-from'), e.getAttribute('data-to')]));
    expect(steps[0]).toEqual(['', 'pending']);
    expect(steps[1]).toEqual(['pending', 'submitted']);
    expect(steps.at(-1)?.[1]).toBe('completed');
    for (let i = 1; i < steps.length; i++) expect(steps[i]?.[0]).toBe(steps[i - 1]?.[1]);
    await expect.poll(() => page.locator('[data-testid="attempt-row"]').count(), POLL).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'e2e-history.png') });

    await page.getByTestId('back-to-runs').click();
    await page.getByTestId('run-row').waitFor();
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
    await expect.poll(() => select.locator('option').count(), POLL).toBe(2);
    await select.selectOption('1');
    // Attempt 2's log also has a "Run: " line: wait for attempt 1's own text, not just any log.
    await expect.poll(() => page.getByTestId('log-view').textContent(), POLL).toContain('attempt 1');
    expect(await page.getByTestId('log-view').textContent()).toContain('Run: ');
    await page.screenshot({ path: join(SHOTS, 'e2e-rerun-attempts.png') });

    // History lists both attempts; "View logs" on the current one switches the Output tab back to it.
    await page.getByTestId('tab-history').click();
    const attemptRows = page.getByTestId('attempt-row');
    await expect.poll(() => attemptRows.count(), POLL).toBe(2);
    expect(await page.locator('[data-testid="attempt-row"][data-attempt="1"]').getAttribute('class')).toContain('viewing');
    // The transitions are read on their own, after the attempts are drawn.
    await expect.poll(async () => (await page.getByTestId('transition-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-to')))).filter((s) => s === 'completed').length, POLL).toBe(2);
    await page.screenshot({ path: join(SHOTS, 'e2e-history-attempts.png') });
    await page.locator('[data-testid="attempt-row"][data-attempt="2"]').getByTestId('attempt-view').click();
    await expect.poll(() => page.getByTestId('tab-output').getAttribute('aria-selected'), POLL).toBe('true');
    await expect.poll(() => select.inputValue(), POLL).toBe('2');
    await expect.poll(() => page.getByTestId('log-view').textContent(), POLL).toContain('attempt 2');

    await page.getByTestId('back-to-runs').click();
    await row.getByTestId('run-delete').click();
    await row.getByTestId('run-delete').click();
    await page.getByTestId('welcome').waitFor();
    expect(browser.problems).toEqual([]);
  });

  it('shows the local backend as ready on the Backends page, without a cluster section', async () => {
    const { page } = browser;
    await page.locator('[data-testid="backend-chip"][data-backend="local"]').click();
    await page.getByTestId('backends-page').waitFor();
    const card = page.locator('[data-testid="backend-card"][data-backend="local"]');
    await expect.poll(() => card.getAttribute('data-state'), POLL).toBe('ready');
    expect(await card.getByTestId('backend-state').textContent()).toContain('Ready');
    await page.getByTestId('command-log').waitFor();
    await page.getByTestId('external-jobs-empty').waitFor();
    expect(await page.getByTestId('cluster-info').count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'e2e-backends-local.png') });
    await page.getByTestId('nav-runs').click();
    await page.getByTestId('welcome').waitFor();
    expect(browser.problems).toEqual([]);
  });

  it('renders a hostile task summary without running any of its script', async () => {
    const { page } = browser;
    const hostile = [
      '# Hostile summary',
      '',
      '<img src=x onerror="window.__pwned=1">',
      '<script>window.__pwned=2</script>',
      '',
      '[click me](javascript:window.__pwned=3) and **bold text**',
    ].join('\n');
    const file = join(mkdtempSync(join(tmpdir(), 'scripthut-wf-')), 'hostile.json');
    writeFileSync(file, JSON.stringify({ tasks: [{ id: 'evil', command: `cat > "$SCRIPTHUT_TASK_SUMMARY" <<'EOF'\n${hostile}\nEOF` }] }));
    await page.getByTestId('workflow-file').setInputFiles(file);
    await page.locator('[data-testid="run-header"][data-status="completed"]').waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="task-row"][data-task-id="evil"]').click();
    await page.getByTestId('tab-summary').click();
    const md = page.getByTestId('summary-markdown');
    await md.locator('h1').waitFor();
    expect(await md.locator('h1').textContent()).toBe('Hostile summary');
    expect(await md.locator('strong').textContent()).toBe('bold text');
    await md.locator('a').click({ noWaitAfter: true }).catch(() => undefined);
    expect(await md.locator('script').count()).toBe(0);
    expect(await md.locator('[onerror]').count()).toBe(0);
    expect(await md.locator('a[href^="javascript"]').count()).toBe(0);
    // Give any handler that slipped through the chance to fire.
    await page.waitForTimeout(500);
    expect(await page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned)).toBeUndefined();
    await page.screenshot({ path: join(SHOTS, 'e2e-summary-hostile.png') });
    expect(browser.problems).toEqual([]);
    rmSync(file);
  });
});

describe.skipIf(skipBrowser)('ScriptHut UI with a broken configuration', () => {
  it('shows the configuration error banner with the located issue', async () => {
    const host = await startRealHost((cfg) => {
      writeConfig(cfg, 'backends:\n  - name: x\n    type: local\n    max_concurrent: ten\n');
    });
    const browser = await openBrowser();
    try {
      await browser.page.goto(host.engine.url);
      const banner = browser.page.getByTestId('config-error-banner');
      await banner.waitFor({ timeout: 20_000 });
      const text = (await banner.textContent()) ?? '';
      expect(text).toContain('backends[0]');
      const health = (await (await fetch(`http://127.0.0.1:${host.engine.port}/api/v1/health`, { headers: { authorization: `Bearer ${host.engine.token}` } })).json()) as { config_error: { message: string } | null };
      expect(health.config_error).not.toBeNull();
      expect(text).toContain(health.config_error?.message.split('\n')[0]);
      await browser.page.screenshot({ path: join(SHOTS, 'e2e-config-error.png') });
    } finally {
      await browser.close();
      await host.stop();
    }
  });
});
