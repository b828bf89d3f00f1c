// Found by trying the app at 1024 px with two local backends and an unreachable cluster (real headless host):
// the top bar's chip row had room for two chips, and the hidden third was the failing cluster; the Overview
// listed its state as the raw "backing_off".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { ensureRendererBuilt } from './build';
import { startRealHost, writeConfig, type RealHost } from './real-host';

const skipBrowser = shouldSkipBrowser();
const POLL = { timeout: 20_000 };

describe.skipIf(skipBrowser)('backend chips in a narrow window (real host)', () => {
  let host: RealHost;
  let browser: Browser;

  beforeAll(async () => {
    ensureRendererBuilt();
    host = await startRealHost((cfg) => {
      // Port 1 on loopback refuses at once: the cluster backs off.
      writeConfig(
        cfg,
        'backends:\n  - {name: laptop, type: local, max_concurrent: 2}\n  - {name: workstation, type: local, max_concurrent: 1}\n  - name: hpc\n    type: slurm\n    ssh: {host: 127.0.0.1, port: 1, user: nobody}\n',
      );
    });
    browser = await openBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('at 1024 px the failing backend keeps its chip in view; the Overview says "Retrying"', async () => {
    const { page } = browser;
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(host.engine.url);
    const chip = page.locator('[data-testid="backend-chip"][data-backend="hpc"]');
    await expect.poll(() => chip.getAttribute('data-state'), POLL).toMatch(/^(backing_off|error)$/);
    const row = await page.getByTestId('backend-chips').boundingBox();
    const box = await chip.boundingBox();
    expect(row && box).toBeTruthy();
    // Inside the visible row (the row clips what wraps to a second line).
    expect(box!.y + box!.height).toBeLessThanOrEqual(row!.y + row!.height + 1);
    expect(box!.x + box!.width).toBeLessThanOrEqual(row!.x + row!.width + 1);
    await page.evaluate((h) => ((globalThis as unknown as { location: { hash: string } }).location.hash = h), '#/overview');
    const state = page.locator('[data-testid="overview-backend"][data-backend="hpc"] .state');
    await expect.poll(() => state.textContent(), POLL).toMatch(/^(Retrying|Error)$/);
  });
});
