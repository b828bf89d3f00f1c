// Starting a run the way a user does on a fresh host: open the app (its welcome page), pick a workflow file in the
// welcome page's file input, land on the run page. The file goes into the host's throw-away folder, so stop()
// removes it with the rest.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import type { RealHost } from './real-host';

const WAIT = { timeout: 30_000 };

export async function openWelcome(page: Page, host: RealHost): Promise<void> {
  await page.goto(host.engine.url);
  await page.getByTestId('welcome').waitFor(WAIT);
}

/** Uploads `workflow` as `<name>.json`; resolves to the new run's id once its page shows. */
export async function uploadWorkflow(page: Page, host: RealHost, name: string, workflow: unknown): Promise<string> {
  const dir = join(dirname(host.dataDir), 'workflows');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(workflow));
  await page.getByTestId('workflow-file').setInputFiles(file);
  const header = page.getByTestId('run-header');
  await header.waitFor(WAIT);
  const id = await header.getAttribute('data-run-id');
  if (!id) throw new Error(`the run page of ${name}.json shows no run id`);
  return id;
}

/**
 * Waits until `selector` shows on the run's page. On a timeout the error says what the page shows and what the
 * engine says about the run, so a flake tells a stale page (the engine is done, the page is not) from a slow run.
 */
export async function waitOnRunPage(page: Page, host: RealHost, runId: string, selector: string): Promise<void> {
  try {
    await page.locator(selector).waitFor(WAIT);
  } catch (err) {
    const header = await page.getByTestId('run-header').getAttribute('data-status', { timeout: 1000 }).catch(() => null);
    const rows = await page.locator('[data-testid="task-row"]').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-task-id')}:${e.getAttribute('data-status')}`));
    const res = await fetch(`http://127.0.0.1:${host.engine.port}/api/v1/runs/${encodeURIComponent(runId)}`, { headers: { authorization: `Bearer ${host.engine.token}` } });
    const run = (await res.json()) as { status?: string; items?: Array<{ id: string; status: string }> };
    const engine = `${run.status} [${(run.items ?? []).map((t) => `${t.id}:${t.status}`).join(', ')}]`;
    throw new Error(`${selector} did not show on run ${runId}: the page shows ${header} [${rows.join(', ')}], the engine says ${engine}. ${(err as Error).message}`);
  }
}
