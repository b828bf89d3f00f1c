// A run's workflow warnings stay with the run: a workflow with four unknown fields, picked in the welcome page, shows
// all four on its run page, and still after a reload (they used to be toasts only, at most three, gone on reload).
// The panel closes for the session and comes back in a new one. Real headless host, local backend, Debian Chromium.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { ensureRendererBuilt } from './build';
import { startRealHost, type RealHost } from './real-host';
import { hostApi, openApp, openWelcome, uploadWorkflow } from './workflow-upload';

const skipBrowser = shouldSkipBrowser();
const SHOTS = join(process.cwd(), 'test', 'e2e', 'artifacts');
const WAIT = { timeout: 30_000 };
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const UNKNOWN = ['colour', 'flavour', 'sizee', 'priorty'];
const WORKFLOW = {
  title: 'four unknown fields',
  tasks: [
    { id: 'a', command: 'true', memory: '10M', colour: 'red', flavour: 'mint' },
    { id: 'b', command: 'true', memory: '10M', deps: ['a'], sizee: 3, priorty: 1 },
  ],
};

describe.skipIf(skipBrowser)('workflow warnings on the run page (real host, local backend)', () => {
  let host: RealHost;
  let browser: Browser;
  let runId = '';

  beforeAll(async () => {
    ensureRendererBuilt();
    mkdirSync(SHOTS, { recursive: true });
    host = await startRealHost();
    browser = await openBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  const listed = async (): Promise<string[]> => browser.page.getByTestId('run-warning').allTextContents();

  it('lists all four after the upload and after a reload', async () => {
    const { page } = browser;
    await page.setViewportSize({ width: 1440, height: 900 });
    await openWelcome(page, host);
    runId = await uploadWorkflow(page, host, 'four-unknown', WORKFLOW);
    await page.getByTestId('run-warnings').waitFor(WAIT);
    expect(await page.getByTestId('run-warnings').locator('h3').textContent()).toContain('(4)');
    let shown = await listed();
    expect(shown).toHaveLength(4);
    for (const f of UNKNOWN) expect(shown.filter((w) => w.includes(`'${f}'`))).toHaveLength(1);

    await page.reload();
    await page.getByTestId('run-header').waitFor(WAIT);
    expect(await page.getByTestId('run-header').getAttribute('data-run-id')).toBe(runId);
    await page.getByTestId('run-warnings').waitFor(WAIT);
    shown = await listed();
    expect(shown).toHaveLength(4);
    for (const f of UNKNOWN) expect(shown.filter((w) => w.includes(`'${f}'`))).toHaveLength(1);
    // Readable in both themes: axe finds nothing serious in the panel (contrast, names).
    await page.evaluate(AXE);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const found = (await page.evaluate("axe.run('[data-testid=\"run-warnings\"]', { resultTypes: ['violations'] })")) as { violations: Array<{ id: string; impact: string | null }> };
      expect(found.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id), scheme).toEqual([]);
      await page.screenshot({ path: join(SHOTS, `run-warnings-1440-${scheme}.png`) });
    }
    await page.emulateMedia({ colorScheme: 'light' });

    // The HTTP API gives the same four with the run.
    const api = await hostApi(host, 'GET', `/runs/${runId}`);
    expect((api.body.warnings as Array<{ message: string }>).map((w) => w.message)).toEqual(shown);
  });

  it('Dismiss hides the panel for this session (also across a reload); a new session shows it again', async () => {
    const { page } = browser;
    await page.getByTestId('run-warnings-dismiss').click();
    await page.getByTestId('run-warnings').waitFor({ state: 'detached', timeout: 5000 });
    await page.reload();
    await page.getByTestId('run-header').waitFor(WAIT);
    // The page has read the run (its header shows the status) and still shows no panel.
    await page.locator(`[data-testid="task-row"][data-task-id="b"]`).waitFor(WAIT);
    expect(await page.getByTestId('run-warnings').count()).toBe(0);

    const fresh = await browser.context.newPage();
    try {
      await openApp(fresh, host, `/runs/${runId}`);
      await fresh.getByTestId('run-warnings').waitFor(WAIT);
      expect(await fresh.getByTestId('run-warning').count()).toBe(4);
    } finally {
      await fresh.close();
    }
  });

  it('the Overview lists an unfinished run with warnings under "Needs attention" until it finishes', async () => {
    const { page } = browser;
    const gate = join(dirname(host.dataDir), 'overview-gate');
    const created = await hostApi(host, 'POST', '/runs', {
      backend: 'local',
      document: { title: 'held with a typo', tasks: [{ id: 'hold', command: `while [ ! -f ${gate} ]; do sleep 0.1; done`, memory: '10M', colour: 'blue' }] },
    });
    expect(created.status).toBe(200);
    const id = created.body.id as string;
    await openApp(page, host, '/overview');
    const item = page.locator(`[data-testid="overview-run-warnings"][data-run-id="${id}"]`);
    await item.waitFor(WAIT);
    expect(await item.textContent()).toContain('1 workflow warning');
    writeFileSync(gate, '');
    await item.waitFor({ state: 'detached', timeout: 30_000 });
    expect(await page.getByTestId('overview-more-warned').count()).toBe(0);
  });
});
