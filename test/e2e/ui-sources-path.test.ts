// Found by trying the product: with two backends, the Sources page preselected the first backend for a path
// source whose folder is on the second, so Dry run / Start were refused. Real headless host, real local jobs.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { startRealHost, writeConfig, type RealHost } from './real-host';

const skipBrowser = shouldSkipBrowser();
const POLL = { timeout: 20_000 };

describe.skipIf(skipBrowser)('Sources page with a path source on the second backend', () => {
  let root: string;
  let host: RealHost;
  let browser: Browser;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'sh-e2e-sources-path-'));
    const folder = join(root, 'project');
    mkdirSync(join(folder, '.hut', 'workflows'), { recursive: true });
    writeFileSync(join(folder, '.hut', 'workflows', 'wf.json'), JSON.stringify({ title: 'Path flow', tasks: [{ id: 'p', command: 'echo from-path' }] }));
    host = await startRealHost((cfg) => {
      writeConfig(
        cfg,
        `backends:\n  - {name: first, type: local}\n  - {name: second, type: local}\nsources:\n  - {name: proj, type: path, path: ${JSON.stringify(folder)}, backend: second}\n`,
      );
    });
    browser = await openBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('preselects the backend that holds the folder and starts the run there', async () => {
    const { page } = browser;
    await page.goto(host.engine.url);
    await page.getByTestId('nav-sources').click();
    await page.locator('[data-testid="source-card"][data-source="proj"]').waitFor(POLL);
    await page.getByTestId('source-sync').click();
    await page.locator('[data-testid="source-workflow"]').first().waitFor(POLL);
    // The backend list is read on its own and may arrive after the sources: wait for the preselected option.
    await expect.poll(() => page.getByTestId('source-backend').inputValue(), POLL).toBe('second');
    await page.getByTestId('workflow-dry-run').first().click();
    await page.getByTestId('dry-run').waitFor(POLL);
    expect(await page.getByTestId('dry-run').textContent()).toContain('on second');
  });
});
