// A run page whose first read is older than the run's events must catch up. A short local run can finish while the
// page's first runs.get is on its way; its task/run events then arrive before there are rows to patch. This used
// to leave the page showing the run as running forever (ui-outputs and ui-themes timed out under load because of
// it). Here the first read is held on purpose until the engine says the run is finished, so the order is certain.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { ensureRendererBuilt } from './build';
import { startRealHost, type RealHost } from './real-host';
import { openWelcome } from './workflow-upload';

const skipBrowser = shouldSkipBrowser();
const POLL = { timeout: 30_000 };

describe.skipIf(skipBrowser)('Run page catches up with events that came before its first read (real host)', () => {
  let host: RealHost;
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'scripthut-catch-up-'));
  const gate = join(dir, 'gate');

  beforeAll(async () => {
    ensureRendererBuilt();
    host = await startRealHost();
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function engineStatus(id: string): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${host.engine.port}/api/v1/runs/${id}`, { headers: { authorization: `Bearer ${host.engine.token}` } });
    return ((await res.json()) as { status: string }).status;
  }

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

    const file = join(dir, 'gated.json');
    writeFileSync(file, JSON.stringify({ title: 'Gated', tasks: [{ id: 'gated', command: `while [ ! -e '${gate}' ]; do sleep 0.1; done; echo through` }] }));
    await page.getByTestId('workflow-file').setInputFiles(file);
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
