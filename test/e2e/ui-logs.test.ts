// The log viewer against the real headless host (local backend): a big coloured log stays windowed, ANSI
// colours render as spans, search and "first error" find their lines, the whole log downloads, a failure opens
// on its Error tab with the reason in words, and a task that has not started says so without an error.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { ensureRendererBuilt } from './build';
import { startRealHost, type RealHost } from './real-host';
import { openWelcome, uploadWorkflow } from './workflow-upload';

const skipBrowser = shouldSkipBrowser();
const SHOTS = join(process.cwd(), 'test', 'e2e', 'artifacts');
const POLL = { timeout: 30_000 };

/** `slow` waits for the test to write `gate`: its dependant stays "not started" for as long as the test needs. */
const workflow = (gate: string) => ({
  title: 'Log viewer checks',
  tasks: [
    {
      id: 'big',
      command: "for i in $(seq 1 30000); do printf '\\033[32mline %d\\033[0m ok\\n' $i; done; echo 'ERROR: disk full'; echo needle-xyz; for i in $(seq 1 100); do echo tail $i; done",
    },
    { id: 'broken', command: "echo starting; echo 'Traceback: boom' >&2; exit 3" },
    { id: 'slow', command: `while [ ! -e '${gate}' ]; do sleep 0.1; done; echo slept` },
    { id: 'after-slow', command: 'echo waited', deps: ['slow'] },
  ],
});

describe.skipIf(skipBrowser)('Log viewer (real host)', () => {
  let host: RealHost;
  let browser: Browser;
  // In the host's throw-away folder: stop() removes it.
  let gate = '';

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ensureRendererBuilt();
    host = await startRealHost();
    gate = join(dirname(host.dataDir), 'slow-gate');
    browser = await openBrowser();
    const { page } = browser;
    await openWelcome(page, host);
    await uploadWorkflow(page, host, 'logs', workflow(gate));
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('says a task that has not started has no log yet (no error, no polling), then follows it once it runs', async () => {
    const { page } = browser;
    const row = page.locator('[data-testid="task-row"][data-task-id="after-slow"]');
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('pending');
    await row.click();
    await page.getByTestId('log-not-started').waitFor();
    expect(await page.getByTestId('log-view').getAttribute('data-not-started')).toBe('true');
    expect(await page.getByTestId('task-panel').locator('.err').count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'log-not-started-light.png') });
    writeFileSync(gate, '');
    await expect.poll(() => page.getByTestId('log-view').textContent(), { timeout: 60_000 }).toContain('waited');
  });

  it('opens a failed task on its Error tab with the reason in plain words', async () => {
    const { page } = browser;
    await page.locator('[data-testid="task-row"][data-task-id="broken"][data-status="failed"]').click();
    await expect.poll(() => page.getByTestId('tab-error').getAttribute('aria-selected'), POLL).toBe('true');
    expect(await page.getByTestId('failure-reason').textContent()).toContain('exited with code 3');
    await expect.poll(() => page.getByTestId('log-view').textContent(), POLL).toContain('Traceback: boom');
    expect(await page.getByTestId('log-view').getAttribute('data-type')).toBe('error');
    expect(await page.locator('[data-testid="task-row"][data-task-id="broken"] .error').textContent()).toBe('Exit code 3');
    await page.screenshot({ path: join(SHOTS, 'log-failure-light.png') });
  });

  it('keeps a 30,000-line coloured log windowed, with colours, search, first error and download', async () => {
    const { page } = browser;
    await page.locator('[data-testid="task-row"][data-task-id="big"][data-status="completed"]').click({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId('tab-output').getAttribute('aria-selected'), POLL).toBe('true');
    const log = page.getByTestId('log-view');
    await page.locator('[data-testid="task-panel"][data-task-id="big"] [data-testid="log-view"][data-type="output"][data-complete="true"]').waitFor(POLL);
    await expect.poll(async () => Number(await log.getAttribute('data-lines')), POLL).toBeGreaterThanOrEqual(10_000);
    expect(await log.locator('.line').count()).toBeLessThan(400);
    expect(await page.getByTestId('log-note').textContent()).toMatch(/Showing the last 10,000 lines/);
    // Colours are spans, never raw escape codes (the coloured lines are above the plain tail).
    await log.evaluate((el) => (el.scrollTop = 0));
    await log.locator('.ansi-fg-2').first().waitFor();
    expect(await log.locator('.ansi-fg-2').count()).toBeGreaterThan(10);
    expect(await log.textContent()).not.toContain('\u001b');
    expect(await log.textContent()).not.toContain('[32m');

    await page.getByTestId('log-search').fill('needle-xyz');
    await expect.poll(() => page.getByTestId('log-search-count').textContent(), POLL).toBe('1 of 1');
    await log.locator('mark', { hasText: 'needle-xyz' }).waitFor();

    await page.getByTestId('log-search').fill('');
    await log.evaluate((el) => (el.scrollTop = 0));
    await page.getByTestId('log-first-error').click();
    await log.locator('.line.current', { hasText: 'ERROR: disk full' }).waitFor();

    await page.getByTestId('log-wrap-toggle').check();
    await log.locator('.line', { hasText: 'ERROR: disk full' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'log-big-light.png') });

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('log-download').click()]);
    const text = readFileSync((await download.path()) as string, 'utf8');
    expect(JSON.stringify(text.slice(0, 300))).toContain('line 1\\u001b[0m ok');
    expect(text).toContain('ERROR: disk full');
    expect(text.split('\n').length).toBeGreaterThan(30_000);
    expect(browser.problems.filter((p) => !p.includes('404'))).toEqual([]);
  });

  it('filters tasks with the status chips and the search box, and sorts by a column', async () => {
    const { page } = browser;
    const ids = (): Promise<Array<string | null>> => page.getByTestId('task-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-task-id')));
    const failedChip = page.locator('[data-testid="status-chip"][data-status="failed"]');
    await failedChip.click();
    expect(await failedChip.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(ids, POLL).toEqual(['broken']);
    expect(await page.getByTestId('tasks-shown').textContent()).toBe('1 of 4 shown');
    await failedChip.click();
    await page.getByTestId('task-search').fill('slow');
    await expect.poll(ids, POLL).toEqual(['slow', 'after-slow']);
    await page.getByTestId('task-search').fill('');
    await page.getByTestId('sort-name').click();
    await expect.poll(ids, POLL).toEqual(['after-slow', 'big', 'broken', 'slow']);
    await page.getByTestId('sort-name').click();
    await expect.poll(ids, POLL).toEqual(['slow', 'broken', 'big', 'after-slow']);
    expect(await page.locator('[role=columnheader][aria-sort="descending"]').count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'tasks-sorted-light.png') });
  });
});
