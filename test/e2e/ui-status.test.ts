// Honest states: configuration warnings with line numbers (fake host, as the engine reports them), and an
// engine that goes away (real host stopped): a banner, and backend chips that stop claiming to be ready.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openBrowser, shouldSkipBrowser } from './browser';
import { ensureRendererBuilt } from './build';
import { startFakeHost } from './fake-host';
import { startRealHost } from './real-host';

const skipBrowser = shouldSkipBrowser();
const SHOTS = join(process.cwd(), 'test', 'e2e', 'artifacts');
const POLL = { timeout: 30_000 };

describe.skipIf(skipBrowser)('honest engine and configuration states', () => {
  it('lists ignored settings with their line and says the defaults are in use', async () => {
    mkdirSync(SHOTS, { recursive: true });
    const host = await startFakeHost({
      staticDir: ensureRendererBuilt(),
      configWarnings: [{ path: 'backends[0].max_concurrnet', message: 'unknown setting (did you mean max_concurrent?)', line: 4 }],
    });
    const browser = await openBrowser();
    try {
      await browser.page.goto(host.url);
      const warn = browser.page.getByTestId('config-warning');
      await warn.waitFor();
      expect(await warn.textContent()).toMatch(/line 4\s*backends\[0\]\.max_concurrnet: unknown setting/);
      expect(await browser.page.getByTestId('config-warnings').textContent()).toContain('defaults in use');
      await browser.page.screenshot({ path: join(SHOTS, 'config-warnings-light.png') });
    } finally {
      await browser.close();
      await host.close();
    }
  });

  it('shows a disconnected banner and greys the backend chips when the engine stops', async () => {
    const host = await startRealHost();
    const browser = await openBrowser();
    try {
      const { page } = browser;
      await page.goto(host.engine.url);
      const chip = page.locator('[data-testid="backend-chip"][data-backend="local"]');
      await expect.poll(() => chip.getAttribute('data-state'), POLL).toBe('ready');
      await host.stop();
      await page.getByTestId('engine-disconnected').waitFor(POLL);
      expect(await chip.getAttribute('data-state')).toBe('unknown');
      await page.screenshot({ path: join(SHOTS, 'engine-disconnected-light.png') });
    } finally {
      await browser.close();
      await host.stop();
    }
  });
});
