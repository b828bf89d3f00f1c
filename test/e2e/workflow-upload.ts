// Starting a run the way a user does on a fresh host: open the app (its welcome page), pick a workflow file in the
// welcome page's file input, land on the run page. The file goes into the host's throw-away folder, so stop()
// removes it with the rest. Also the set-up the UI tests share: the host's API with its token, a run created
// through it and waited for, the app opened at a route.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import type { RealHost } from './real-host';

const WAIT = { timeout: 30_000 };

export interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** The host's HTTP API (`/api/v1…`) with its token. */
export async function hostApi(host: RealHost, method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  const res = await fetch(`http://127.0.0.1:${host.engine.port}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${host.engine.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** What the engine says about a run: its status and its tasks' statuses. */
export async function engineRun(host: RealHost, runId: string): Promise<{ status?: string; items?: Array<{ id: string; status: string }> }> {
  return (await hostApi(host, 'GET', `/runs/${encodeURIComponent(runId)}`)).body as { status?: string; items?: Array<{ id: string; status: string }> };
}

/**
 * Creates a run of `document` on the local backend through the API and waits (up to a minute) until the engine
 * says `status`; resolves to its id. Fails with the API's answer when the run is refused or never gets there.
 */
export async function createRunAndWait(host: RealHost, document: unknown, status: string): Promise<string> {
  const created = await hostApi(host, 'POST', '/runs', { backend: 'local', document });
  if (created.status !== 200) throw new Error(`POST /runs answered ${created.status}: ${JSON.stringify(created.body)}`);
  const id = created.body.id as string;
  let seen: string | undefined;
  for (let i = 0; i < 300; i++) {
    seen = (await engineRun(host, id)).status;
    if (seen === status) return id;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`run ${id} did not become ${status} within a minute (last: ${seen})`);
}

/** Opens the app signed in (the token in the URL's hash), then goes to `route` (e.g. `/runs/ID/tasks/a`) if given. */
export async function openApp(page: Page, host: RealHost, route?: string): Promise<void> {
  await page.goto(`http://127.0.0.1:${host.engine.port}/#token=${host.engine.token}`);
  await page.getByTestId('nav-runs').waitFor({ timeout: 15_000 });
  if (route) await page.evaluate((h) => ((globalThis as unknown as { location: { hash: string } }).location.hash = h), `#${route}`);
}

export async function openWelcome(page: Page, host: RealHost): Promise<void> {
  await page.goto(host.engine.url);
  await page.getByTestId('welcome').waitFor(WAIT);
}

/** Writes `workflow` as `<name>.json` in the host's folder and picks it in the welcome page's file input. */
export async function pickWorkflowFile(page: Page, host: RealHost, name: string, workflow: unknown): Promise<void> {
  const dir = join(dirname(host.dataDir), 'workflows');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(workflow));
  await page.getByTestId('workflow-file').setInputFiles(file);
}

/** Uploads `workflow` as `<name>.json`; resolves to the new run's id once its page shows. */
export async function uploadWorkflow(page: Page, host: RealHost, name: string, workflow: unknown): Promise<string> {
  await pickWorkflowFile(page, host, name, workflow);
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
    const run = await engineRun(host, runId);
    const engine = `${run.status} [${(run.items ?? []).map((t) => `${t.id}:${t.status}`).join(', ')}]`;
    throw new Error(`${selector} did not show on run ${runId}: the page shows ${header} [${rows.join(', ')}], the engine says ${engine}. ${(err as Error).message}`);
  }
}
