// The Usage page and run costs against the real host and the real local backend with a `cost` block: the year
// heatmap holds today's CPU-hours, the hour chart and the cost chart are drawn, the right-sizing table lists the
// finished task, the run page and the runs list show the run's cost; axe finds nothing serious in light or dark.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { startRun } from './big-run';
import { ensureRendererBuilt } from './build';
import { startRealHost, writeConfig, type RealHost } from './real-host';

const skipBrowser = shouldSkipBrowser();
const SHOTS = join(process.cwd(), 'test', 'e2e', 'artifacts');
const POLL = { timeout: 30_000 };
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const result = (await page.evaluate("axe.run(document, { resultTypes: ['violations'] })")) as { violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: string[] }> }> };
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`);
}

describe.skipIf(skipBrowser)('Usage page and run costs (real host)', () => {
  let host: RealHost;
  let browser: Browser;
  let runId = '';

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ensureRendererBuilt();
    // 3600 SU per CPU-hour: one SU per CPU-second, so a 2-CPU task of a second costs about 2 SU.
    host = await startRealHost((cfg) => writeConfig(cfg, ['backends:', '  - name: local', '    type: local', '    cost: {currency: SU, per_cpu_hour: 3600}', ''].join('\n')));
    browser = await openBrowser();
    runId = await startRun(host, { title: 'Costed', tasks: [{ id: 'align', name: 'align', command: 'sleep 1', cpus: 2, memory: '1G' }] }, 'costed');
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('shows CPU-hours, charts, right-sizing and costs, in light and dark mode', async () => {
    const { page } = browser;
    await page.setViewportSize({ width: 1440, height: 900 });
    const get = async () => (await (await fetch(`http://127.0.0.1:${host.engine.port}/api/v1/runs/${runId}`, { headers: { authorization: `Bearer ${host.engine.token}` } })).json()) as { status: string; items: Array<{ status: string; error: string | null }> };
    await expect.poll(async () => (await get()).status, { timeout: 60_000 }).toMatch(/^(completed|failed|cancelled)$/);
    const done = await get();
    expect(done.status, JSON.stringify(done.items)).toBe('completed');
    // The host's URL carries the sign-in token in its hash: open it, then move to the run.
    await page.goto(host.engine.url);
    await page.getByTestId('nav-runs').waitFor(POLL);
    await page.evaluate((h) => ((globalThis as unknown as { location: { hash: string } }).location.hash = h), `#/runs/${runId}`);
    await page.locator('[data-testid="run-header"][data-status="completed"]').waitFor(POLL);
    const runCost = page.getByTestId('run-header').getByTestId('run-cost');
    await expect.poll(async () => (await runCost.textContent()) ?? '', POLL).toMatch(/^\d+\.\d{2} SU$/);
    const total = Number(await runCost.getAttribute('data-total'));
    const shown = await runCost.textContent();
    expect(total).toBeGreaterThan(1.9);

    await page.getByTestId('nav-runs').click();
    const listed = page.locator(`[data-testid="run-row"][data-run-id="${runId}"] [data-testid="run-cost"]`);
    await expect.poll(async () => (await listed.textContent()) ?? '', POLL).toBe(shown);

    await page.getByTestId('nav-usage').click();
    await page.getByTestId('usage-page').waitFor(POLL);
    await expect.poll(() => page.url(), POLL).toContain('#/usage');
    await expect.poll(() => page.getByTestId('heat-cell').count(), POLL).toBe(365);
    // The busiest (only) day is today, in the page's time zone.
    const today = (await page.evaluate("new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date())")) as string;
    const cell = page.locator(`[data-testid="heat-cell"][data-day="${today}"]`);
    expect(Number(await cell.getAttribute('data-hours'))).toBeGreaterThan(0);
    expect(await cell.getAttribute('class')).toContain('lvl-4');
    expect(await page.locator('[data-testid="heat-cell"].lvl-0').count()).toBe(364);
    // The year fills its card (it used to keep a fixed 636 px, half the card at 1440 px).
    const widths = (await page.evaluate(`(() => { const svg = document.querySelector('[data-testid="usage-heatmap"]'); const wrap = svg.parentElement; return [svg.getBoundingClientRect().width, wrap.clientWidth]; })()`)) as [number, number];
    expect(widths[0], `heatmap ${widths[0]} px in a ${widths[1]} px card`).toBeGreaterThanOrEqual(widths[1] * 0.95);
    // Charts: Chart.js drew into both canvases (a drawn canvas has a non-zero backing size and painted pixels).
    for (const id of ['usage-hour-chart', 'usage-cost-chart']) {
      const painted = (await page.evaluate(`(() => { const c = document.querySelector('[data-testid="${id}"]'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; })()`)) as number;
      expect(painted, id).toBeGreaterThan(100);
    }
    expect(await page.locator('[role="img"][aria-label*="by source: (no source)"]').count()).toBe(1);
    expect(await page.getByTestId('usage-cost-total').textContent()).toMatch(/\d+\.\d{2} SU/);
    await expect.poll(() => page.getByTestId('rightsizing-row').count(), POLL).toBe(1);
    expect(await page.locator('[data-testid="rightsizing-row"][data-task="align"]').textContent()).toContain('costed');

    const problems: string[] = [];
    // Canvas pixels do not follow CSS: switching the colour scheme must redraw the charts in the new theme's colours.
    const drawn: Record<string, { colour: string | null; pixels: string }> = {};
    const colours = { light: 'rgb(95, 102, 115)', dark: 'rgb(158, 166, 179)' } as const;
    const chartPixels = `(() => { const c = document.querySelector('[data-testid="usage-hour-chart"]'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let h = 0; for (let i = 0; i < d.length; i++) h = (h * 31 + d[i]) >>> 0; return String(h); })()`;
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      // The charts redraw on the media query's change event, which comes with a later frame: wait for the redraw.
      await expect.poll(() => page.getByTestId('usage-hour-chart').getAttribute('data-text-colour'), POLL).toBe(colours[scheme]);
      drawn[scheme] = { colour: await page.getByTestId('usage-hour-chart').getAttribute('data-text-colour'), pixels: (await page.evaluate(chartPixels)) as string };
      await page.screenshot({ path: join(SHOTS, `page-usage-${scheme}-1440.png`), fullPage: true });
      for (const v of await seriousViolations(page)) problems.push(`${scheme}: ${v}`);
    }
    await page.setViewportSize({ width: 1024, height: 768 });
    // The charts shrink on their resize observer, a frame or more after the resize.
    const sideways = async () => (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
    await expect.poll(sideways, { ...POLL, message: 'usage page scrolls sideways at 1024 px' }).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SHOTS, 'page-usage-dark-1024.png'), fullPage: true });
    expect(drawn.light!.colour).toBe(colours.light);
    expect(drawn.dark!.colour).toBe(colours.dark);
    expect(drawn.dark!.pixels).not.toBe(drawn.light!.pixels);
    expect(await page.getByTestId('usage-cost-chart').getAttribute('data-text-colour')).toBe('rgb(158, 166, 179)');
    expect(problems).toEqual([]);
    expect(browser.problems).toEqual([]);
  });
});
