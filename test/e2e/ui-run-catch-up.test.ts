// A run page whose first read is older than the run's events must catch up. A short local run can finish while the
// page's first runs.get is on its way; its task/run events then arrive before there are rows to patch. This used
// to leave the page showing the run as running forever (ui-outputs and ui-themes timed out under load because of
// it). Here the first read is held on purpose until the engine says the run is finished, so the order is certain.
// The same holds for any later read (a search, a refresh): events that reach the page while it is on its way are
// newer than its answer (ui-themes timed out once more under load because a stale answer overwrote them).
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { ensureRendererBuilt } from './build';
import { startRealHost, type RealHost } from './real-host';
import { engineRun, hostApi, openApp, openWelcome, pickWorkflowFile } from './workflow-upload';

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

  it('keeps the changes that arrived while a later read was on its way, in the rows and the header', async () => {
    const { page } = browser;
    const gate2 = `${gate}-2`;
    const created = await hostApi(host, 'POST', '/runs', { backend: 'local', document: { title: 'Gated again', tasks: [{ id: 'waits', command: `while [ ! -e '${gate2}' ]; do sleep 0.1; done; echo through` }] } });
    expect(created.status).toBe(200);
    await openApp(page, host, `/runs/${created.body.id as string}`);
    const row = page.locator('[data-testid="task-row"][data-task-id="waits"]');
    await page.locator('[data-testid="task-row"][data-task-id="waits"][data-status="running"]').waitFor(POLL);
    const runId = (await page.getByTestId('run-header').getAttribute('data-run-id')) ?? '';

    // The read that the search sends is answered with what it saw before the task finished, and only after the
    // task's and the run's events have reached the page.
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const searched = (url: URL): boolean => /\/api\/v1\/runs\/[^/]+$/.test(url.pathname) && url.searchParams.get('q') === 'wait';
    const held = new Promise<void>((resolve) => {
      void page.route(
        searched,
        async (route) => {
          const stale = await route.fetch();
          resolve();
          await released;
          await route.fulfill({ response: stale });
        },
      );
    });
    await page.getByTestId('task-search').fill('wait');
    await held;
    writeFileSync(gate2, '');
    await expect.poll(() => engineStatus(runId), POLL).toBe('completed');
    // The events have reached the page when the header says so (the stale answer is still held).
    await page.locator(`[data-testid="run-header"][data-run-id="${runId}"][data-status="completed"]`).waitFor(POLL);
    release();

    await expect.poll(() => page.getByTestId('task-search').inputValue(), POLL).toBe('wait');
    await expect.poll(() => row.getAttribute('data-status'), POLL).toBe('completed');
    expect(await page.getByTestId('run-header').getAttribute('data-status')).toBe('completed');
    await page.unroute(searched);
  });
});
