// A run page whose first read is older than the run's events must catch up. A short local run can finish while the
// page's first runs.get is on its way; its task/run events then arrive before there are rows to patch. This used
// to leave the page showing the run as running forever (ui-outputs and ui-themes timed out under load because of
// it). Here the first read is held on purpose until the engine says the run is finished, so the order is certain.
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { ensureRendererBuilt } from './build';
import { startRealHost, type RealHost } from './real-host';
import { engineRun, openWelcome, pickWorkflowFile } from './workflow-upload';

const skipBrowser = shouldSkipBrowser();
const POLL = { timeout: 30_000 };

describe.skipIf(skipBrowser)('Run page catches up with events that came before its first read (real host)', () => {
  let host: RealHost;
  let browser: Browser;
  // In the host's throw-away folder: stop() removes it.
  let gate = '';

  beforeAll(async () => {
    ensureRendererBuilt();
    host = await startRealHost();
    gate = join(dirname(host.dataDir), 'gate');
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  const engineStatus = async (id: string) => (await engineRun(host, id)).status;

  it('shows the run completed although its first read said running', async () => {
    const { page } = browser;
    await openWelcome(page, host);

    // Hold the first read of the run's detail (the run is still waiting on the gate) until the run has finished.
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let heldRun: string | null = null;
    const held = new Promise<string>((resolve) => {
      void page.route(
        (url) => /\/api\/v1\/runs\/[^/]+$/.test(url.pathname),
        async (route) => {
          if (heldRun) return route.continue();
          heldRun = decodeURIComponent(new URL(route.request().url()).pathname.split('/').pop() ?? '');
          const stale = await route.fetch();
          resolve(heldRun);
          await released;
          await route.fulfill({ response: stale });
        },
      );
    });

    await pickWorkflowFile(page, host, 'gated', { title: 'Gated', tasks: [{ id: 'gated', command: `while [ ! -e '${gate}' ]; do sleep 0.1; done; echo through` }] });
    const runId = await held;
    expect(await engineStatus(runId)).not.toBe('completed');

    writeFileSync(gate, '');
    await expect.poll(() => engineStatus(runId), POLL).toBe('completed');
    expect(existsSync(gate)).toBe(true);
    release();

    await page.locator(`[data-testid="run-header"][data-run-id="${runId}"][data-status="completed"]`).waitFor(POLL);
    await page.locator('[data-testid="task-row"][data-task-id="gated"][data-status="completed"]').waitFor(POLL);
  });
});
