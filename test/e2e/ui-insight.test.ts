// Run insight against the real headless host and real local jobs: the DAG view (edges from the run's
// dependencies, nodes in status colours, a click opens the task), the Gantt timeline (wait and run bars from
// the recorded times, a click opens the task), collapsible task groups kept across a reload, the CPU/memory
// columns, and a 3,000-task run drawn by group. Screenshots in light and dark go to test/e2e/artifacts/ and
// axe-core must find no serious or critical violation in either.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { afterFrames, openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { cancelRun, createBigRun, startRun } from './big-run';
import { ensureRendererBuilt } from './build';
import { startRealHost, type RealHost } from './real-host';

const skipBrowser = shouldSkipBrowser();
const SHOTS = join(process.cwd(), 'test', 'e2e', 'artifacts');
const POLL = { timeout: 60_000 };
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const WORKFLOW = {
  title: 'Insight checks',
  tasks: [
    { id: 'prep', command: 'sleep 1' },
    { id: 'align.a', command: 'sleep 1', deps: ['prep'] },
    { id: 'align.b', command: 'true', deps: ['prep'] },
    { id: 'align.c', command: 'exit 3', deps: ['prep'] },
    { id: 'report', command: 'true', deps: ['align.a', 'align.b'] },
  ],
};

interface Violation {
  id: string;
  impact: string | null;
  nodes: Array<{ target: string[] }>;
}

async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const result = (await page.evaluate("axe.run(document, { resultTypes: ['violations'] })")) as { violations: Violation[] };
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`);
}

/** Where a Timeline's rows leave the axis' columns (name column and track edges off by more than half a pixel),
 *  empty when they all line up. */
async function ganttDrift(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    type Box = { left: number; right: number };
    interface El {
      querySelector(s: string): El | null;
      getAttribute(n: string): string | null;
      getBoundingClientRect(): Box;
    }
    const doc = (globalThis as unknown as { document: { querySelector(s: string): El | null; querySelectorAll(s: string): ArrayLike<El> } }).document;
    const box = (el: El | null): Box | null => {
      if (!el) return null;
      const r = el.getBoundingClientRect();
      return { left: r.left, right: r.right };
    };
    const axis = doc.querySelector('[data-testid="gantt-axis"]');
    const aName = box(axis?.querySelector('.gantt-name-col') ?? null);
    const aTrack = box(axis?.querySelector('.gantt-track') ?? null);
    if (!aName || !aTrack) return ['no axis'];
    const out: string[] = [];
    const off = (a: number, b: number): boolean => Math.abs(a - b) > 0.5;
    for (const row of Array.from(doc.querySelectorAll('[data-testid="gantt-row"], [data-testid="timeline-group"]'))) {
      const id = row.getAttribute('data-task-id') ?? `group ${row.getAttribute('data-group')}`;
      const n = box(row.querySelector('.gantt-name-col'));
      const t = box(row.querySelector('.gantt-track'));
      if (!n || !t) out.push(`${id}: no name column or track`);
      else if (off(n.left, aName.left) || off(n.right, aName.right) || off(t.left, aTrack.left) || off(t.right, aTrack.right))
        out.push(`${id}: name ${n.left}-${n.right} track ${t.left}-${t.right} vs axis ${aName.left}-${aName.right} / ${aTrack.left}-${aTrack.right}`);
    }
    return out;
  });
}

const go = (page: Page, hash: string): Promise<unknown> => page.evaluate((h) => ((globalThis as unknown as { location: { hash: string } }).location.hash = h), hash);
const hashOf = (page: Page): Promise<string> => page.evaluate(() => (globalThis as unknown as { location: { hash: string } }).location.hash);

describe.skipIf(skipBrowser)('Run insight: DAG, timeline, collapsible groups (real host)', () => {
  let host: RealHost;
  let browser: Browser;
  let runId = '';
  let bigId = '';

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ensureRendererBuilt();
    host = await startRealHost();
    runId = await startRun(host, WORKFLOW, 'insight');
    browser = await openBrowser();
    const { page } = browser;
    await page.goto(host.engine.url);
    await page.locator('[data-testid="backend-chip"]').first().waitFor(POLL);
    await go(page, `#/runs/${runId}`);
    // Every task settled: report completes, align.c fails (its dependants: none).
    await page.locator('[data-testid="task-row"][data-task-id="report"][data-status="completed"]').waitFor(POLL);
    await page.locator('[data-testid="task-row"][data-task-id="align.c"][data-status="failed"]').waitFor(POLL);
  });

  afterAll(async () => {
    if (bigId) await cancelRun(host, bigId).catch(() => {});
    await browser?.close();
    await host?.stop();
  });

  it('Graph: one node per task in its status colours, one edge per dependency; a click opens the task', async () => {
    const { page } = browser;
    // A graph this small is laid out in place: starting the layout worker costs more than dagre on 5 nodes (the
    // worker serves 41–100-node graphs, and falls back to in place if the page cannot start it).
    const workers: string[] = [];
    page.on('worker', (w) => workers.push(w.url()));
    await page.getByTestId('run-view-graph').click();
    const nodes = page.getByTestId('dag-node');
    await expect.poll(() => nodes.count(), POLL).toBe(5);
    expect(workers.filter((u) => u.includes('graph-layout.worker'))).toEqual([]);
    expect(await page.getByTestId('run-graph').getAttribute('data-level')).toBe('task');
    expect(await page.getByTestId('run-graph').getAttribute('data-layout')).toBe('dagre');
    const states = await nodes.evaluateAll((els) => Object.fromEntries(els.map((e) => [e.getAttribute('data-node-id'), e.getAttribute('data-status')])));
    expect(states).toEqual({ prep: 'completed', 'align.a': 'completed', 'align.b': 'completed', 'align.c': 'failed', report: 'completed' });
    const edges = await page.getByTestId('dag-edge').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-from')}>${e.getAttribute('data-to')}`).sort());
    expect(edges).toEqual(['align.a>report', 'align.b>report', 'prep>align.a', 'prep>align.b', 'prep>align.c']);
    // Dependencies are laid out to the left of what depends on them.
    const x = async (id: string): Promise<number> => (await page.locator(`[data-testid="dag-node"][data-node-id="${id}"]`).boundingBox())?.x ?? NaN;
    expect(await x('prep')).toBeLessThan(await x('align.a'));
    expect(await x('align.a')).toBeLessThan(await x('report'));
    // The failed node is painted in the palette's failed colours (the badge's AA-checked pair).
    const fill = await page.locator('[data-testid="dag-node"][data-node-id="align.c"] rect').getAttribute('fill');
    expect(fill).toBe('#fae7e7');

    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await afterFrames(page);
      await page.screenshot({ path: join(SHOTS, `insight-graph-${scheme}.png`) });
      expect(await seriousViolations(page), `graph in ${scheme}`).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: 'light' });

    await page.locator('[data-testid="dag-node"][data-node-id="align.c"]').click();
    await page.locator('[data-testid="task-panel"][data-task-id="align.c"]').waitFor(POLL);
    expect(await hashOf(page)).toBe(`#/runs/${runId}/tasks/align.c`);
    // The graph stays the run's view while the task is open.
    expect(await page.getByTestId('run-graph').count()).toBe(1);
    expect(browser.problems).toEqual([]);
  });

  it('Timeline: wait and run bars from each task’s own times; a click opens the task', async () => {
    const { page } = browser;
    await go(page, `#/runs/${runId}`);
    await page.getByTestId('run-view-timeline').click();
    const rows = page.getByTestId('gantt-row');
    await expect.poll(() => rows.count(), POLL).toBe(5);
    const prep = page.locator('[data-testid="gantt-row"][data-task-id="prep"]');
    // `sleep 1` ran for at least a second; every task that ran has both bars.
    expect(Number(await prep.getAttribute('data-run-ms'))).toBeGreaterThanOrEqual(900);
    expect(Number(await prep.getAttribute('data-wait-ms'))).toBeGreaterThanOrEqual(0);
    expect(await page.locator('[data-testid="gantt-row"] [data-testid="gantt-run"]').count()).toBe(5);
    expect(await page.locator('[data-testid="gantt-row"] [data-testid="gantt-wait"]').count()).toBe(5);
    // report started after align.a finished, so its bar starts to the right of prep's.
    const left = async (id: string): Promise<number> => (await page.locator(`[data-testid="gantt-row"][data-task-id="${id}"] [data-testid="gantt-run"]`).boundingBox())?.x ?? NaN;
    expect(await left('report')).toBeGreaterThan(await left('prep'));
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await afterFrames(page);
      await page.screenshot({ path: join(SHOTS, `insight-timeline-${scheme}.png`) });
      expect(await seriousViolations(page), `timeline in ${scheme}`).toEqual([]);
    }
    // The axis and the rows share one stylesheet for their columns: at 1024 px, in both schemes, they line up.
    expect(await ganttDrift(page)).toEqual([]);
    await page.setViewportSize({ width: 1024, height: 768 });
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      // The rows are laid out again after the resize: wait for them to line up rather than a guessed time.
      await expect.poll(() => ganttDrift(page), { ...POLL, message: `timeline at 1024 px in ${scheme}` }).toEqual([]);
      await page.screenshot({ path: join(SHOTS, `insight-timeline-1024-${scheme}.png`) });
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.emulateMedia({ colorScheme: 'light' });
    await prep.click();
    await page.locator('[data-testid="task-panel"][data-task-id="prep"]').waitFor(POLL);
    expect(await hashOf(page)).toBe(`#/runs/${runId}/tasks/prep`);
  });

  it('Tasks: groups collapse and expand, kept across a reload; CPU and memory columns are there', async () => {
    const { page } = browser;
    await go(page, `#/runs/${runId}`);
    await page.getByTestId('run-view-table').click();
    // The table is drawn after the click: reading its headers at once could read none.
    await expect.poll(() => page.locator('[data-testid="task-table"] [role="columnheader"]').allTextContents(), POLL).toEqual(expect.arrayContaining(['CPU', 'Memory']));
    await page.getByTestId('group-toggle').check();
    const header = page.locator('[data-testid="group-row"][data-group="align"]');
    await header.waitFor(POLL);
    expect(await header.textContent()).toContain('3 tasks');
    const ids = () => page.getByTestId('task-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-task-id')));
    await expect.poll(ids, POLL).toEqual(['prep', 'align.a', 'align.b', 'align.c', 'report'].sort((a, b) => (a < b ? -1 : 1)));
    await header.getByTestId('group-header').click();
    await expect.poll(ids, POLL).toEqual(['prep', 'report']);
    expect(await header.getAttribute('data-collapsed')).toBe('true');
    expect(await header.getByTestId('group-header').getAttribute('aria-expanded')).toBe('false');
    await page.screenshot({ path: join(SHOTS, 'insight-groups-collapsed-light.png') });

    await page.reload();
    await page.locator('[data-testid="group-row"][data-group="align"][data-collapsed="true"]').waitFor(POLL);
    await expect.poll(ids, POLL).toEqual(['prep', 'report']);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(SHOTS, 'insight-groups-collapsed-dark.png') });
    expect(await seriousViolations(page), 'collapsed groups in dark').toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.locator('[data-testid="group-row"][data-group="align"] [data-testid="group-header"]').click();
    await expect.poll(ids, POLL).toHaveLength(5);
    await page.getByTestId('group-toggle').uncheck();
    expect(browser.problems).toEqual([]);
  });

  it('a 3,000-task run is drawn by group; a group expands to a page of its tasks, a task opens, the table filters to the group', async () => {
    const { page } = browser;
    bigId = await createBigRun(host, 3000);
    await go(page, `#/runs/${bigId}`);
    // The run page reads and lays out its graph ahead, once idle: the first click on Graph paints from that, with
    // the tab's own read held here until the group nodes are shown.
    await page.locator('[data-testid="run-view-graph"][data-graph-ready="true"]').waitFor(POLL);
    let release = (): void => {};
    const held = new Promise<void>((r) => (release = r));
    const passed: Array<Promise<void>> = [];
    const graphRead = `**/api/v1/runs/${bigId}/graph`;
    await page.route(graphRead, (route) => void passed.push(held.then(() => route.continue())));
    await page.getByTestId('run-view-graph').click();
    await expect.poll(() => page.locator('[data-testid="dag-node"][data-kind="group"]').count(), POLL).toBe(11);
    release();
    await Promise.all(passed);
    await page.unroute(graphRead);
    await expect.poll(() => page.getByTestId('run-graph').getAttribute('data-level'), POLL).toBe('group');
    const nodes = page.getByTestId('dag-node');
    await expect.poll(() => nodes.count(), POLL).toBe(11);
    expect(await page.getByTestId('graph-grouped').textContent()).toContain('3,000 tasks');
    expect(await page.locator('[data-testid="dag-node"][data-kind="group"]').count()).toBe(11);
    // A click on a group draws its tasks (a page of 200) among the other groups.
    await page.locator('[data-testid="dag-node"][data-node-id="g03"]').click();
    const expanded = page.getByTestId('graph-expanded');
    await expect.poll(() => expanded.textContent(), POLL).toContain('showing 1–200 of 300 tasks');
    const taskNodes = page.locator('[data-testid="dag-node"][data-kind="task"]');
    await expect.poll(() => taskNodes.count(), POLL).toBe(200);
    expect(await page.locator('[data-testid="dag-node"][data-kind="group"]').count()).toBe(10);
    const shownIds = await taskNodes.evaluateAll((els) => els.map((e) => e.getAttribute('data-node-id')));
    expect(shownIds.every((id) => id?.startsWith('g03.task-'))).toBe(true);
    // 210 nodes are laid out in columns by dependency depth, not by dagre; every node has a place of its own.
    expect(await page.getByTestId('run-graph').getAttribute('data-layout')).toBe('columns');
    const places = await nodes.evaluateAll((els) => els.map((e) => e.getAttribute('transform')));
    expect(new Set(places).size).toBe(210);
    await page.getByTestId('graph-next').click();
    await expect.poll(() => expanded.textContent(), POLL).toContain('showing 201–300 of 300 tasks');
    await expect.poll(() => taskNodes.count(), POLL).toBe(100);
    await page.screenshot({ path: join(SHOTS, 'insight-big-graph-expanded-light.png') });
    expect(await seriousViolations(page), 'expanded group graph').toEqual([]);
    // A task of the group opens like any task.
    const one = (await taskNodes.first().getAttribute('data-node-id')) as string;
    await taskNodes.first().click();
    await page.locator(`[data-testid="task-panel"][data-task-id="${one}"]`).waitFor(POLL);
    expect(await hashOf(page)).toBe(`#/runs/${bigId}/tasks/${one}`);
    // Open in table: the task table filtered to the group.
    await page.getByTestId('graph-open-table').click();
    await expect.poll(() => page.getByTestId('tasks-shown').textContent(), POLL).toBe('300 of 3,000 shown');
    // The count can be drawn before the group's page of rows has replaced the rows shown before.
    const rowIds = () => page.getByTestId('task-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-task-id')));
    await expect
      .poll(async () => {
        const ids = await rowIds();
        return { moreThanFive: ids.length > 5, notInGroup: ids.filter((id) => !id?.startsWith('g03.')) };
      }, POLL)
      .toEqual({ moreThanFive: true, notInGroup: [] });
    // Collapsing the only group leaves its header and no task rows, with nothing fetched for it.
    await page.locator('[data-testid="group-row"][data-group="g03"] [data-testid="group-header"]').click();
    await expect.poll(() => page.getByTestId('task-row').count(), POLL).toBe(0);
    await expect.poll(() => page.getByTestId('task-table').getAttribute('aria-rowcount'), POLL).toBe('2');
    await page.screenshot({ path: join(SHOTS, 'insight-big-group-light.png') });
    expect(browser.problems).toEqual([]);
  });

  it("a big run's Timeline is one bar per group; a group opens into its tasks' bars and a task opens; the Graph reopens as left", async () => {
    const { page } = browser;
    await go(page, `#/runs/${bigId}`);
    await page.getByTestId('run-view-table').click();
    await page.getByTestId('task-search').fill('');
    await expect.poll(() => page.getByTestId('tasks-shown').count(), POLL).toBe(0);
    await page.getByTestId('run-view-timeline').click();
    const groups = page.getByTestId('timeline-group');
    await expect.poll(() => groups.count(), POLL).toBe(11);
    expect(await page.getByTestId('run-timeline').getAttribute('data-grouped')).toBe('true');
    expect(await groups.evaluateAll((els) => els.map((e) => [e.getAttribute('data-group'), e.getAttribute('data-count')]))).toEqual([
      ['', '1'],
      ...Array.from({ length: 10 }, (_, i) => [`g0${i}`, i === 0 ? '299' : '300']),
    ]);
    // The blocker runs (sleep 600): its bar has a run span; a waiting group has none yet.
    await expect.poll(() => page.locator('[data-testid="timeline-group"][data-group=""] [data-testid="gantt-run"]').count(), POLL).toBe(1);
    expect(await page.locator('[data-testid="gantt-row"]').count()).toBe(0);
    const g03 = page.locator('[data-testid="timeline-group"][data-group="g03"]');
    expect(await g03.getAttribute('aria-expanded')).toBe('false');
    await g03.click();
    await expect.poll(() => g03.getAttribute('aria-expanded'), POLL).toBe('true');
    const rows = page.getByTestId('gantt-row');
    await expect.poll(() => rows.count(), POLL).toBeGreaterThan(5);
    const ids = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-task-id')));
    expect(ids.every((id) => id?.startsWith('g03.task-'))).toBe(true);
    expect(ids).toEqual([...ids].sort());
    // The group rows and the open group's task rows keep the axis' columns, also at 1024 px.
    expect(await ganttDrift(page)).toEqual([]);
    await page.setViewportSize({ width: 1024, height: 768 });
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await expect.poll(() => ganttDrift(page), { ...POLL, message: `grouped timeline at 1024 px in ${scheme}` }).toEqual([]);
      await page.screenshot({ path: join(SHOTS, `insight-big-timeline-1024-${scheme}.png`) });
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.screenshot({ path: join(SHOTS, 'insight-big-timeline-light.png') });
    expect(await seriousViolations(page), 'grouped timeline').toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(SHOTS, 'insight-big-timeline-dark.png') });
    expect(await seriousViolations(page), 'grouped timeline in dark').toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });
    const first = ids[0] as string;
    await rows.first().click();
    await page.locator(`[data-testid="task-panel"][data-task-id="${first}"]`).waitFor(POLL);
    expect(await hashOf(page)).toBe(`#/runs/${bigId}/tasks/${first}`);
    await g03.click();
    await expect.poll(() => rows.count(), POLL).toBe(0);
    // The Graph tab reopens where it was left (group g03 drawn as its tasks, second page), drawn from memory.
    await page.getByTestId('run-view-graph').click();
    await expect.poll(() => page.getByTestId('graph-expanded').getAttribute('data-group'), POLL).toBe('g03');
    expect(browser.problems).toEqual([]);
  });
});
