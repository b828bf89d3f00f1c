// Every page at 1024 and 1440 px, light and dark, with the demo workflow run on the real headless host: Overview,
// Runs, the run page's tabs, the task panel's tabs, Backends, Settings, Usage. Nothing scrolls sideways and axe-core
// finds no serious or critical violation; the screenshots (test/e2e/artifacts/tour-*) are for a person to look at.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { afterFrames, openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { ensureRendererBuilt } from './build';
import { startRealHost, type RealHost } from './real-host';

const skipBrowser = shouldSkipBrowser();
const SHOTS = join(process.cwd(), 'test', 'e2e', 'artifacts');
const POLL = { timeout: 90_000 };
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const result = (await page.evaluate("axe.run(document, { resultTypes: ['violations'] })")) as { violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: string[] }> }> };
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`);
}

/** Elements wider than the window, or the page scrolled sideways: what a person would see cut or scrolling. */
async function sideways(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const g = globalThis as unknown as { innerWidth: number; document: { documentElement: { scrollWidth: number } } };
    return g.document.documentElement.scrollWidth > g.innerWidth ? [`page ${g.document.documentElement.scrollWidth} > ${g.innerWidth}`] : [];
  });
}

const go = (page: Page, hash: string): Promise<unknown> => page.evaluate((h) => ((globalThis as unknown as { location: { hash: string } }).location.hash = h), hash);

/** Waits until each selector matches something on the page. */
async function shows(page: Page, selectors: string[]): Promise<void> {
  for (const s of selectors) await page.locator(s).first().waitFor(POLL);
}

describe.skipIf(skipBrowser)('a tour of every page at 1024 and 1440 px, light and dark (real host, demo run)', () => {
  let host: RealHost;
  let browser: Browser;
  let runId = '';

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ensureRendererBuilt();
    host = await startRealHost();
    browser = await openBrowser();
    const { page } = browser;
    await page.goto(host.engine.url);
    const res = await fetch(`http://127.0.0.1:${host.engine.port}/api/v1/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${host.engine.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ demo: true, backend: 'local' }),
    });
    expect(res.status).toBe(200);
    runId = ((await res.json()) as { id: string }).id;
    await go(page, '#/runs');
    await page.locator(`[data-testid="run-row"][data-run-id="${runId}"][data-status="completed"]`).waitFor(POLL);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  const pages: Array<[string, (p: Page) => Promise<void>]> = [
    ['overview', async (p) => go(p, '#/overview').then(() => p.getByTestId('overview-backend').first().waitFor(POLL))],
    ['runs', async (p) => go(p, '#/runs').then(() => p.getByTestId('run-row').first().waitFor(POLL))],
    ['run-tasks', async (p) => {
      await go(p, `#/runs/${runId}`);
      await p.getByTestId('run-view-table').click();
      await p.getByTestId('task-row').first().waitFor(POLL);
      // The task name column flexes; at 1024 px it keeps room for a name like "Combine the shard results".
      const box = await p.locator('[data-testid="task-table"] [role="columnheader"]').nth(1).boundingBox();
      expect(box?.width ?? 0).toBeGreaterThanOrEqual(190);
    }],
    ['run-graph', async (p) => p.getByTestId('run-view-graph').click().then(() => p.getByTestId('dag-node').first().waitFor(POLL))],
    ['run-timeline', async (p) => p.getByTestId('run-view-timeline').click().then(() => p.getByTestId('gantt-row').first().waitFor(POLL))],
    ['task-log', async (p) => go(p, `#/runs/${runId}/tasks/combine/log`).then(() => p.getByTestId('task-panel').waitFor(POLL))],
    ['task-errors', async (p) => go(p, `#/runs/${runId}/tasks/combine/errors`).then(() => p.getByTestId('task-panel').waitFor(POLL))],
    ['task-script', async (p) => go(p, `#/runs/${runId}/tasks/combine/script`).then(() => p.getByTestId('task-panel').waitFor(POLL))],
    ['task-env', async (p) => go(p, `#/runs/${runId}/tasks/combine/env`).then(() => p.getByTestId('task-panel').waitFor(POLL))],
    ['task-summary', async (p) => go(p, `#/runs/${runId}/tasks/summary/summary`).then(() => p.getByTestId('task-panel').waitFor(POLL))],
    ['task-outputs', async (p) => go(p, `#/runs/${runId}/tasks/combine/outputs`).then(() => p.getByTestId('task-panel').waitFor(POLL))],
    ['task-history', async (p) => go(p, `#/runs/${runId}/tasks/combine/history`).then(() => p.getByTestId('task-panel').waitFor(POLL))],
    // These three read several things after they show: wait for what each shows once its reads have answered.
    ['backends', async (p) => go(p, '#/backends').then(() => shows(p, ['[data-testid="backends-page"]', '[data-testid="command-log-empty"], [data-testid="command-row"]', '[data-testid="external-jobs-empty"]']))],
    ['settings', async (p) => go(p, '#/settings').then(() => shows(p, ['[data-testid="settings-page"]', '[data-testid="config-in-effect"]', '.cm-content']))],
    ['usage', async (p) => go(p, '#/usage').then(() => shows(p, ['[data-testid="usage-page"]', '[data-testid="heat-cell"]', '[data-testid="usage-hour-chart"][data-text-colour]']))],
  ];

  for (const width of [1024, 1440]) {
    it(`at ${width} px`, async () => {
      const { page } = browser;
      await page.setViewportSize({ width, height: 800 });
      const problems: string[] = [];
      for (const [name, open] of pages) {
        await open(page);
        for (const scheme of ['light', 'dark'] as const) {
          await page.emulateMedia({ colorScheme: scheme });
          await afterFrames(page);
          await page.screenshot({ path: join(SHOTS, `tour-${width}-${name}-${scheme}.png`) });
          problems.push(...(await sideways(page)).map((s) => `${name} ${scheme}: ${s}`));
          problems.push(...(await seriousViolations(page)).map((s) => `${name} ${scheme}: ${s}`));
        }
        await page.emulateMedia({ colorScheme: 'light' });
      }
      expect(problems).toEqual([]);
      expect(browser.problems).toEqual([]);
    }, 300_000);
  }
});
