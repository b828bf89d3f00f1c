// The renderer against a canned host: exercises the bridge, live events, log following and error display
// without the engine. The real end-to-end test is ui.test.ts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, shouldSkipBrowser, type Browser } from './browser';

const skipBrowser = shouldSkipBrowser();
import { startFakeHost, type FakeHost } from './fake-host';
import { ensureRendererBuilt } from './build';

const SHOTS = join(process.cwd(), 'test-results');
const POLL = { timeout: 15_000 };

describe.skipIf(skipBrowser)('renderer against a fake host', () => {
  let host: FakeHost;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    host = await startFakeHost({ staticDir: ensureRendererBuilt() });
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
  });

  it('runs the demo, follows a live log and shows the token nowhere in the URL', async () => {
    const { page } = browser;
    await page.goto(host.url);
    await page.getByTestId('welcome').waitFor();
    expect(page.url()).not.toContain('token');
    await page.screenshot({ path: join(SHOTS, 'fake-welcome.png') });

    await page.getByTestId('run-demo').click();
    const header = page.getByTestId('run-header');
    await header.waitFor();
    const runId = await header.getAttribute('data-run-id');
    expect(runId).toBeTruthy();
    await page.locator('[data-testid="run-header"][data-status="completed"]').waitFor({ timeout: 20_000 });
    // The header and the rows follow separate events: wait for the rows too.
    await expect.poll(() => page.locator('[data-testid="task-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status'))), POLL).toEqual(['completed', 'completed', 'completed']);

    await page.locator('[data-testid="task-row"][data-task-id="compute"]').click();
    await expect.poll(() => page.getByTestId('log-view').textContent(), POLL).toContain('hello from compute');
    await page.screenshot({ path: join(SHOTS, 'fake-run-done.png') });

    // A second run whose task stays running: appended output must show up without reloading.
    await page.getByTestId('back-to-runs').click();
    const file = join(mkdtempSync(join(tmpdir(), 'scripthut-wf-')), 'my-flow.json');
    writeFileSync(file, JSON.stringify({ tasks: [{ id: 'long', command: 'sleep 100' }] }));
    await page.getByTestId('workflow-file').setInputFiles(file);
    await page.getByTestId('run-header').waitFor();
    expect(await page.getByTestId('run-header').textContent()).toContain('my-flow');
    const id2 = (await page.getByTestId('run-header').getAttribute('data-run-id')) as string;
    host.appendLog(id2, 'long', 'line one\n');
    await page.locator('[data-testid="task-row"][data-task-id="long"]').click();
    await expect.poll(() => page.getByTestId('log-view').textContent(), POLL).toContain('line one');
    host.appendLog(id2, 'long', 'line two\n');
    await expect.poll(() => page.getByTestId('log-view').locator('.line').allTextContents(), POLL).toEqual(['line one', 'line two']);
    host.finishTask(id2, 'long');
    await page.locator('[data-testid="log-view"][data-complete="true"]').waitFor();
    await page.locator('[data-testid="task-row"][data-task-id="long"][data-status="completed"]').waitFor();

    await page.getByTestId('tab-script').click();
    await expect.poll(() => page.getByTestId('script-view').textContent(), POLL).toContain('#!/bin/bash');

    await page.getByTestId('back-to-runs').click();
    await expect.poll(() => page.getByTestId('run-row').count(), POLL).toBe(2);
    await page.screenshot({ path: join(SHOTS, 'fake-runs-list.png') });
    expect(browser.problems).toEqual([]);
  });

  it('shows workflow validation errors one per line', async () => {
    const { page } = browser;
    const file = join(mkdtempSync(join(tmpdir(), 'scripthut-wf-')), 'broken.json');
    writeFileSync(file, JSON.stringify({ tasks: [] }));
    await page.getByTestId('workflow-file').setInputFiles(file);
    const err = page.getByTestId('start-error');
    await err.waitFor();
    expect(await err.locator('li').allTextContents()).toEqual(['tasks: expected a non-empty array', 'tasks[0].command: required']);
    expect(await err.textContent()).toContain('broken.json');
    await page.screenshot({ path: join(SHOTS, 'fake-validation-error.png') });
    rmSync(file);
  });
});

describe.skipIf(skipBrowser)('renderer with a configuration error', () => {
  it('shows the banner with each located issue', async () => {
    const host = await startFakeHost({
      staticDir: ensureRendererBuilt(),
      configError: { file: '/home/u/.config/scripthut/scripthut.yaml', message: 'The configuration has 1 problem', issues: [{ path: 'backends[0].max_concurrent', message: 'expected number, received string' }] },
    });
    const browser = await openBrowser();
    try {
      await browser.page.goto(host.url);
      const banner = browser.page.getByTestId('config-error-banner');
      await banner.waitFor();
      expect(await banner.textContent()).toContain('backends[0].max_concurrent: expected number, received string');
      await browser.page.screenshot({ path: join(SHOTS, 'fake-config-error.png') });
    } finally {
      await browser.close();
      await host.close();
    }
  });
});
