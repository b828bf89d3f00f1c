// The runs list over years of history, in Debian's Chromium against the real headless host: 10,000 finished runs
// written into the host's store before it starts (test/e2e/many-runs.ts), then
//  1. time from opening the runs page to its first row (cold after boot, then again from another page);
//  2. frames and main-thread long tasks (> 50 ms) while wheel-scrolling 60 steps of 400 px;
//  3. time to reach the oldest run by scrolling to the end (20 cursor pages of 500 fetched as the window nears the
//     end of what is loaded), and the rows in the DOM meanwhile.
// Figures go to bench/results/ui-runs.json with the machine's load average; nothing is asserted.
import type { BenchFigure } from './lib/report';
import { measureWheelScroll, runUiBench, watchLongTasks } from './lib/ui-bench';
import { runIdAt, seedFinishedRuns } from '../test/e2e/many-runs';

const RUNS = Number(process.env.SCRIPTHUT_BENCH_RUNS ?? 10_000);

runUiBench('ui-runs', { prepare: (cfg) => void seedFinishedRuns(cfg, RUNS), hostTimeoutMs: 120_000 }, async ({ host, browser, page, hostStartMs: seedMs }) => {
  const c0 = Date.now();
  await page.goto(host.engine.url);
  await page.getByTestId('run-row').first().waitFor({ timeout: 60_000 });
  const coldMs = Date.now() - c0;

  // Again from another page, with the app already booted.
  await page.evaluate(() => ((globalThis as unknown as { location: { hash: string } }).location.hash = '#/settings'));
  await page.getByTestId('runs-table').waitFor({ state: 'detached', timeout: 30_000 });
  // Settings is loaded on its first visit (its own chunk, with CodeMirror): back to Runs once it is shown, not
  // while it is still being compiled.
  await page.getByTestId('settings-page').waitFor({ timeout: 30_000 });
  const w0 = Date.now();
  await page.evaluate(() => ((globalThis as unknown as { location: { hash: string } }).location.hash = '#/runs'));
  await page.getByTestId('run-row').first().waitFor({ timeout: 60_000 });
  const warmMs = Date.now() - w0;
  const rowCount = Number(await page.getByTestId('runs-table').getAttribute('aria-rowcount')) - 1;

  const { read } = await watchLongTasks(page);
  const scroller = page.getByTestId('runs-scroller');
  await scroller.hover();
  const { fps, frames, wheelMs, gaps, spent } = await measureWheelScroll(page, browser.context);
  const wheel = await read();
  let maxDom = await page.getByTestId('run-row').count();

  // To the oldest run: scroll to the end, again whenever the next page has extended the list.
  const e0 = Date.now();
  const oldest = page.locator(`[data-testid="run-row"][data-run-id="${runIdAt(0)}"]`);
  let pulls = 0;
  while (!(await oldest.count()) && Date.now() - e0 < 120_000) {
    await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight));
    pulls++;
    await page.waitForTimeout(20);
    maxDom = Math.max(maxDom, await page.getByTestId('run-row').count());
  }
  const endMs = Date.now() - e0;
  const reached = (await oldest.count()) > 0;
  const all = await read();

  const round = (n: number): number => Math.round(n * 10) / 10;
  const dropped = gaps.filter((g) => g > 25).length;
  const figures: BenchFigure[] = [
    { name: 'seed_runs', value: seedMs, unit: 'ms', note: `${RUNS.toLocaleString('en-US')} finished runs written into the store and the host started, its read worker warmed with the first runs page before it listens (not UI)` },
    { name: 'first_rows_cold', value: coldMs, unit: 'ms', target: '< 1000 ms', met: coldMs < 1000, note: 'page load (app boot) to the first run row' },
    { name: 'first_rows_warm', value: warmMs, unit: 'ms', target: '< 1000 ms', met: warmMs < 1000, note: 'from Settings back to Runs, to the first run row' },
    { name: 'list_rows', value: rowCount, unit: 'rows', note: 'aria-rowcount - 1: every run, 500 loaded per cursor page' },
    { name: 'wheel_scroll_fps', value: fps, unit: 'fps', target: '>= 60 fps', met: fps >= 59, note: `${frames} animation frames over 60 wheel steps of 400 px in ${wheelMs} ms` },
    { name: 'wheel_scroll_dropped_frames', value: dropped, unit: 'frames', note: `gaps over 25 ms between animation frames, of ${gaps.length}` },
    { name: 'wheel_scroll_frame_gap_max', value: round(gaps.length ? Math.max(...gaps) : 0), unit: 'ms' },
    { name: 'wheel_scroll_longtask_max', value: round(wheel.maxMs), unit: 'ms', target: '< 50 ms (no long task)', met: wheel.maxMs < 50, note: `${wheel.count} long tasks, ${round(wheel.totalMs)} ms in all` },
    { name: 'wheel_scroll_main_thread', value: spent('TaskDuration'), unit: 'ms', note: `main-thread busy time over the ${wheelMs} ms of wheel steps (CDP Performance.getMetrics): script ${spent('ScriptDuration')} ms, style ${spent('RecalcStyleDuration')} ms, layout ${spent('LayoutDuration')} ms` },
    { name: 'scroll_to_oldest', value: endMs, unit: 'ms', note: `${reached ? 'reached' : 'NOT reached'} the oldest run by scrolling to the end ${pulls} times (cursor pages fetched as the window nears the end)` },
    { name: 'scroll_longtask_max', value: round(all.maxMs), unit: 'ms', note: `wheel and scroll-to-end together: ${all.count} long tasks, ${round(all.totalMs)} ms` },
    { name: 'rows_in_dom_max', value: maxDom, unit: 'rows' },
  ];
  return { figures, extra: { runs: RUNS } };
});
