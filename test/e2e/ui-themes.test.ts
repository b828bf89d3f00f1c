// Every page in light and dark mode (the OS setting, emulated) at 1440x900 and 1024x768 against the real host:
// a screenshot of each under test/e2e/artifacts/, no sideways scrolling at 1024 px, and axe-core finds no
// serious or critical accessibility violation.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { afterFrames, openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { startRun } from './big-run';
import { ensureRendererBuilt } from './build';
import { startRealHost, type RealHost } from './real-host';
import { openWelcome, uploadWorkflow, waitOnRunPage } from './workflow-upload';

const skipBrowser = shouldSkipBrowser();
const SHOTS = join(process.cwd(), 'test', 'e2e', 'artifacts');
const POLL = { timeout: 30_000 };
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const WORKFLOW = {
  title: 'Theme checks',
  tasks: [
    { id: 'prep.fetch', command: 'echo fetched' },
    { id: 'prep.clean', command: "echo cleaning; echo 'ValueError: bad row' >&2; exit 2" },
    { id: 'train', command: 'sleep 300', deps: [] },
  ],
};

interface Violation {
  id: string;
  impact: string | null;
  nodes: Array<{ target: string[] }>;
}

async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  // Strings, because the test's TypeScript has no DOM library.
  const result = (await page.evaluate("axe.run(document, { resultTypes: ['violations'] })")) as { violations: Violation[] };
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`);
}

describe.skipIf(skipBrowser)('Pages in light and dark mode, wide and narrow (real host)', () => {
  let host: RealHost;
  let browser: Browser;
  let runId = '';

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ensureRendererBuilt();
    host = await startRealHost();
    browser = await openBrowser();
    const { page } = browser;
    await openWelcome(page, host);
    runId = await uploadWorkflow(page, host, 'themes', WORKFLOW);
    await waitOnRunPage(page, host, runId, '[data-testid="task-row"][data-task-id="prep.clean"][data-status="failed"]');
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  // `ready`: what each page shows once its reads have answered (all of them), so the checks see the whole page.
  const PAGES: Array<{ name: string; hash: () => string; ready: () => string[] }> = [
    { name: 'overview', hash: () => '#/overview', ready: () => ['[data-testid="overview-backend"]', `[data-testid="overview-current"][data-run-id="${runId}"]`] },
    { name: 'runs', hash: () => '#/runs', ready: () => ['[data-testid="run-row"], [data-testid="welcome"]'] },
    { name: 'run', hash: () => `#/runs/${runId}`, ready: () => ['[data-testid="task-row"]'] },
    { name: 'task-failed', hash: () => `#/runs/${runId}/tasks/prep.clean`, ready: () => ['[data-testid="task-panel"][data-task-id="prep.clean"]', '[data-testid="failure-reason"]'] },
    { name: 'backends', hash: () => '#/backends', ready: () => ['[data-testid="backends-page"]', '[data-testid="command-log-empty"], [data-testid="command-row"]', '[data-testid="external-jobs-empty"]'] },
    { name: 'settings', hash: () => '#/settings', ready: () => ['[data-testid="settings-page"]', '[data-testid="config-in-effect"]', '[data-testid="settings-config-ok"]'] },
  ];

  for (const scheme of ['light', 'dark'] as const) {
    for (const size of [
      { width: 1440, height: 900 },
      { width: 1024, height: 768 },
    ]) {
      it(`${scheme} at ${size.width}x${size.height}`, async () => {
        const { page } = browser;
        await page.emulateMedia({ colorScheme: scheme });
        await page.setViewportSize(size);
        const problems: string[] = [];
        for (const p of PAGES) {
          await page.evaluate((h) => ((globalThis as unknown as { location: { hash: string } }).location.hash = h), p.hash());
          for (const ready of p.ready()) await page.locator(ready).first().waitFor(POLL);
          await afterFrames(page);
          const bg = (await page.evaluate('getComputedStyle(document.documentElement).backgroundColor')) as string;
          // The page follows the emulated OS setting: a dark background in dark mode, a light one otherwise.
          const [r = 0, g = 0, b = 0] = (bg.match(/\d+/g) ?? []).map(Number);
          const lum = (r + g + b) / 3;
          if (scheme === 'dark') expect(lum, `${p.name} background ${bg}`).toBeLessThan(80);
          else expect(lum, `${p.name} background ${bg}`).toBeGreaterThan(200);
          const sideways = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
          expect(sideways, `${p.name} scrolls sideways at ${size.width} px`).toBeLessThanOrEqual(0);
          if (p.name === 'run') {
            // The task name column flexes; the fixed columns must leave it room at every width.
            const box = await page.locator('[data-testid="task-table"] [role="columnheader"]').nth(1).boundingBox();
            expect(box?.width ?? 0, `task column at ${size.width} px`).toBeGreaterThan(140);
          }
          await page.screenshot({ path: join(SHOTS, `page-${p.name}-${scheme}-${size.width}.png`) });
          for (const v of await seriousViolations(page)) problems.push(`${p.name}: ${v}`);
        }
        expect(problems).toEqual([]);
      });
    }
  }

  it('Settings: UTC times everywhere, a theme override that beats the OS, both kept across a reload', async () => {
    const { page } = browser;
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1440, height: 900 });
    const go = (h: string): Promise<unknown> => page.evaluate((x) => ((globalThis as unknown as { location: { hash: string } }).location.hash = x), h);
    await go('#/settings');
    expect(await page.getByTestId('settings-version').textContent()).toMatch(/^\d+\.\d+\.\d+/);
    // The page is drawn after the hash change: counting at once could count before it.
    await expect.poll(() => page.getByTestId('settings-config-ok').count(), POLL).toBe(1);
    await page.getByTestId('tz-utc').check();
    await expect.poll(() => page.getByTestId('tz-example').textContent()).toMatch(/\d\d:\d\d:\d\d UTC$/);
    await page.getByTestId('theme-dark').check();
    await expect.poll(() => page.evaluate('getComputedStyle(document.documentElement).backgroundColor')).toBe('rgb(20, 23, 29)');
    await page.screenshot({ path: join(SHOTS, 'page-settings-utc-dark-override.png') });
    await page.reload();
    await page.getByTestId('settings-page').waitFor(POLL);
    expect(await page.getByTestId('tz-utc').isChecked()).toBe(true);
    expect(await page.evaluate('getComputedStyle(document.documentElement).backgroundColor')).toBe('rgb(20, 23, 29)');
    await go(`#/runs/${runId}`);
    const started = page.locator('[data-testid="task-row"][data-task-id="prep.fetch"] [role="gridcell"]').nth(5);
    await expect.poll(() => started.textContent(), POLL).toMatch(/^\d\d:\d\d:\d\d UTC$/);
    await go('#/settings');
    await page.getByTestId('tz-local').check();
    await page.getByTestId('theme-system').check();
    await go(`#/runs/${runId}`);
    await expect.poll(() => started.textContent(), POLL).not.toContain('UTC');
    expect(await page.evaluate('getComputedStyle(document.documentElement).backgroundColor')).toBe('rgb(245, 246, 248)');
  });

  it('Overview: backends, the current run, and a failure needing attention that opens its failed task', async () => {
    const { page } = browser;
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByTestId('nav-overview').click();
    await page.getByTestId('overview-page').waitFor(POLL);
    // Started once the page shows, so their notifications land while it is looked at (a toast lives 5-12 s: a slow
    // page opening after runs that had already failed could miss them all).
    const failedRun = await startRun(host, { title: 'Broken nightly', tasks: [{ id: 'ok', command: 'true' }, { id: 'load.db', command: 'exit 7' }] }, 'nightly');
    const otherRun = await startRun(host, { title: 'Broken weekly', tasks: [{ id: 'w', command: 'exit 1' }] }, 'weekly');
    expect(await page.locator('[data-testid="overview-backend"][data-backend="local"]').getAttribute('data-state')).toBe('ready');
    // The themes run is still going (train sleeps); the nightly one has failed.
    await page.locator(`[data-testid="overview-current"][data-run-id="${runId}"]`).waitFor(POLL);
    const failure = page.locator(`[data-testid="overview-failure"][data-run-id="${failedRun}"]`);
    await expect.poll(() => failure.locator('[data-testid="overview-failure-task"]').textContent().catch(() => null), POLL).toBe('load.db: Exit code 7');
    await page.locator(`[data-testid="overview-failure"][data-run-id="${otherRun}"]`).waitFor(POLL);
    // Two failing runs raise six notifications; at most three are on screen, in the bottom-right corner, clear of
    // the page's primary actions (top of the window).
    await expect.poll(() => page.getByTestId('toast').count(), POLL).toBe(3);
    const vp = page.viewportSize() ?? { width: 0, height: 0 };
    for (const box of await page.getByTestId('toast').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON() as { right: number; bottom: number; top: number }))) {
      expect(box.right).toBeGreaterThan(vp.width - 40);
      expect(box.top).toBeGreaterThan(vp.height / 2);
    }
    await page.screenshot({ path: join(SHOTS, 'page-overview-failure-light.png') });
    await failure.click();
    await page.locator('[data-testid="task-panel"][data-task-id="load.db"]').waitFor(POLL);
    expect(await page.getByTestId('run-header').getAttribute('data-run-id')).toBe(failedRun);
    await page.getByTestId('nav-overview').click();
    await page.locator(`[data-testid="overview-recent"][data-run-id="${failedRun}"]`).click();
    await page.getByTestId('run-header').waitFor(POLL);
    expect(await page.getByTestId('run-header').getAttribute('data-run-id')).toBe(failedRun);
  });
});
