// The Sources page against the real headless host: a real git source (bare repository on disk) and the real
// local backend. Lists, syncs a new push, dry-runs (scripts + DAG, nothing submitted) and starts a run.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { startRealHost, writeConfig, type RealHost } from './real-host';

const skipBrowser = shouldSkipBrowser();
const SHOTS = join(process.cwd(), 'test-results');
const POLL = { timeout: 20_000 };
const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
const g = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', env: gitEnv });

describe.skipIf(skipBrowser)('Sources page', () => {
  let root: string;
  let work: string;
  let host: RealHost;
  let browser: Browser;
  const commitFlow = (name: string, tasks: unknown[]) => {
    mkdirSync(join(work, '.hut', 'workflows'), { recursive: true });
    writeFileSync(join(work, '.hut', 'workflows', `${name}.json`), JSON.stringify({ title: `Flow ${name}`, tasks }));
    g(work, 'add', '-A');
    g(work, 'commit', '-qm', name);
    g(work, 'push', '-q', 'origin', 'main');
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    root = mkdtempSync(join(tmpdir(), 'sh-e2e-sources-'));
    const remote = join(root, 'remote.git');
    work = join(root, 'work');
    g(root, 'init', '-q', '--bare', '-b', 'main', remote);
    g(root, 'init', '-q', '-b', 'main', work);
    g(work, 'remote', 'add', 'origin', remote);
    commitFlow('first', [{ id: 'a', command: 'echo a' }, { id: 'b', command: 'echo b', deps: ['a'] }]);
    host = await startRealHost((cfg) => {
      writeConfig(
        cfg,
        `backends:\n  - {name: local, type: local, clone_dir: ${JSON.stringify(join(root, 'clones'))}}\nsources:\n  - {name: repo, type: git, url: ${JSON.stringify(remote)}}\n`,
      );
    });
    browser = await openBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('lists, syncs, dry-runs and starts a workflow of a git source', async () => {
    const { page } = browser;
    await page.goto(host.engine.url);
    await page.getByTestId('nav-sources').click();
    const card = page.locator('[data-testid="source-card"][data-source="repo"]');
    await card.waitFor(POLL);
    // The startup sync may still be running when the page loads: Sync makes the listing current.
    commitFlow('second', [{ id: 'only', command: 'echo second-flow' }]);
    await page.getByTestId('source-sync').click();
    await expect.poll(() => page.getByTestId('source-workflow').count(), POLL).toBe(2);
    expect(await card.getByTestId('source-state').textContent()).toContain('2 workflows');

    await page.locator('[data-testid="source-workflow"][data-file=".hut/workflows/first.json"]').getByTestId('workflow-dry-run').click();
    const dry = page.getByTestId('dry-run');
    await dry.waitFor(POLL);
    expect(await page.getByTestId('dry-run-levels').textContent()).toContain('1. a');
    expect(await page.getByTestId('dry-run-task').count()).toBe(2);
    expect(await dry.textContent()).toContain('nothing was submitted');
    await page.screenshot({ path: join(SHOTS, 'e2e-sources-dry-run.png'), fullPage: true });
    const runsBefore = (await (await fetch(`http://127.0.0.1:${host.engine.port}/api/v1/runs`, { headers: { authorization: `Bearer ${host.engine.token}` } })).json()) as { runs: unknown[] };
    expect(runsBefore.runs).toEqual([]);

    await page.locator('[data-testid="source-workflow"][data-file=".hut/workflows/second.json"]').getByTestId('workflow-start').click();
    await expect.poll(async () => (await page.textContent('body')) ?? '', POLL).toContain('repo/second');
    const runs = (await (await fetch(`http://127.0.0.1:${host.engine.port}/api/v1/runs`, { headers: { authorization: `Bearer ${host.engine.token}` } })).json()) as { runs: Array<{ workflow_name: string; source: { commit: string } | null }> };
    expect(runs.runs.map((r) => r.workflow_name)).toEqual(['repo/second']);
    expect(runs.runs[0]!.source?.commit).toBe(g(work, 'rev-parse', 'HEAD').trim());
    await page.screenshot({ path: join(SHOTS, 'e2e-sources-started.png'), fullPage: true });
    expect(browser.problems).toEqual([]);
  });
});
