// Found by trying the app as a researcher (real headless host, local backend, Debian Chromium): a task whose
// dependency failed showed a red "Could not read the log: … has not been submitted yet" and polled the log every
// second, and the "Dependency failed" badge ran over the task name in the table.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { ensureRendererBuilt } from './build';
import { startRealHost, type RealHost } from './real-host';
import { createRunAndWait, hostApi, openApp } from './workflow-upload';

const skipBrowser = shouldSkipBrowser();
const SHOTS = join(process.cwd(), 'test', 'e2e', 'artifacts');

describe.skipIf(skipBrowser)('a task that never ran (real host, local backend)', () => {
  let host: RealHost;
  let browser: Browser;
  let runId = '';

  beforeAll(async () => {
    ensureRendererBuilt();
    mkdirSync(SHOTS, { recursive: true });
    host = await startRealHost();
    runId = await createRunAndWait(
      host,
      { title: 'never ran', tasks: [{ id: 'bad', command: 'echo boom >&2; exit 3', memory: '10M' }, { id: 'after_bad', command: 'echo never', deps: ['bad'], memory: '10M' }] },
      'failed',
    );
    browser = await openBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('the API says the task never ran and why, not "not submitted yet"', async () => {
    const res = await hostApi(host, 'GET', `/runs/${runId}/tasks/after_bad/logs?type=output`);
    expect(res.status).toBe(422);
    const message = String(res.body.message);
    expect(message).toContain("Task 'after_bad' never ran in attempt 1");
    expect(message).toContain("its dependency 'bad' failed");
    expect(message).not.toContain('not been submitted yet');
  });

  it('the Output tab says it never ran, shows no error and does not poll the log', async () => {
    const { page, problems } = browser;
    const logCalls: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/tasks/after_bad/log')) logCalls.push(r.url());
    });
    await page.setViewportSize({ width: 1024, height: 800 });
    await openApp(page, host, `/runs/${runId}/tasks/after_bad/log`);
    await page.getByTestId('log-never-ran').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('log-never-ran').textContent()).toContain('never ran');
    await page.waitForTimeout(2500);
    expect(await page.locator('.err', { hasText: 'Could not read the log' }).count()).toBe(0);
    expect(logCalls).toEqual([]);
    expect(problems.filter((p) => p.includes('422'))).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'never-ran-1024.png') });
  });

  it.each([1024, 1440])('the "Dependency failed" badge stays inside its column at %i px', async (width) => {
    const { page } = browser;
    await page.setViewportSize({ width, height: 800 });
    const row = page.locator(`[data-testid="task-row"][data-task-id="after_bad"]`);
    await row.waitFor();
    const badge = await row.locator('[role=gridcell]').nth(0).locator(':scope > *').first().boundingBox();
    const cell = await row.locator('[role=gridcell]').nth(1).boundingBox();
    const name = await row.locator('.task-name').boundingBox();
    expect(badge && cell && name).toBeTruthy();
    expect(badge!.x + badge!.width).toBeLessThanOrEqual(cell!.x);
    expect(badge!.x + badge!.width).toBeLessThanOrEqual(name!.x);
    // The short label in the table keeps the full one on hover.
    expect(await row.getByTestId('status-badge').getAttribute('title')).toBe('Dependency failed');
  });

  it('at 1024 px the task panel keeps the name of a failed, retried task readable (the job id gives way first)', async () => {
    const id = await createRunAndWait(host, { title: 'narrow', tasks: [{ id: 'fit.a', command: 'exit 3', memory: '10M', retries: 1 }] }, 'failed');
    const { page } = browser;
    await page.setViewportSize({ width: 1024, height: 800 });
    await openApp(page, host, `/runs/${id}/tasks/fit.a`);
    await page.getByTestId('attempt-select').waitFor({ timeout: 15_000 });
    const name = page.getByTestId('task-panel-name');
    const [scroll, client] = await name.evaluate((e: { scrollWidth: number; clientWidth: number }) => [e.scrollWidth, e.clientWidth]);
    expect(scroll, `'fit.a' clipped to ${client} of ${scroll} px`).toBeLessThanOrEqual(client);
    await page.screenshot({ path: join(SHOTS, 'task-panel-1024.png') });
  });
});
