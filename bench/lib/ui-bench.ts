// What every UI bench does around its measuring part: skip without Chromium, make sure the renderer is built,
// start the real headless host (optionally on a prepared store), open Debian's Chromium, and at the end write the
// figures with the Chromium version and the machine's load before and after (a figure from a shared 2-core machine
// means little without it), then close the browser and the host whatever happened.
import { cpus, loadavg } from 'node:os';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { writeBenchResult, type BenchFigure } from './report';
import { openBrowser, shouldSkipBrowser, type Browser } from '../../test/e2e/browser';
import { ensureRendererBuilt } from '../../test/e2e/build';
import { startRealHost, type RealHost } from '../../test/e2e/real-host';

export interface UiBenchSetup {
  /** Writes into the host's config folder before it starts (e.g. a seeded store: test/e2e/many-runs.ts). */
  prepare?: (configHome: string) => void;
  /** How long the host may take to start (a seeded store takes longer); startRealHost's default otherwise. */
  hostTimeoutMs?: number;
}

export interface UiBench {
  host: RealHost;
  browser: Browser;
  page: Page;
  /** From before `prepare` to the host's engine.json: preparing the store and starting the host. */
  hostStartMs: number;
}

export interface UiBenchResult {
  figures: BenchFigure[];
  /** Bench-specific facts kept beside the figures (sizes, counts). */
  extra?: Record<string, unknown>;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Runs `measure` between the common start-up and footer; exits the process with 1 when anything failed. */
export function runUiBench(name: string, setup: UiBenchSetup, measure: (b: UiBench) => Promise<UiBenchResult>): void {
  const main = async (): Promise<void> => {
    if (shouldSkipBrowser()) {
      console.log(`${name}: SKIPPED: no Chromium`);
      return;
    }
    ensureRendererBuilt();
    const loadBefore = loadavg();
    const s0 = Date.now();
    const host = await startRealHost(setup.prepare, setup.hostTimeoutMs);
    const hostStartMs = Date.now() - s0;
    let browser: Browser | null = null;
    try {
      browser = await openBrowser();
      const { figures, extra } = await measure({ host, browser, page: browser.page, hostStartMs });
      writeBenchResult(name, figures, {
        ...extra,
        chromium: browser.context.browser()?.version() ?? null,
        loadavg_before: loadBefore.map(round2),
        loadavg_after: loadavg().map(round2),
        cores: cpus().length,
      });
    } finally {
      await browser?.close();
      await host.stop();
    }
  };
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

export interface LongTasks {
  count: number;
  totalMs: number;
  maxMs: number;
}

/**
 * Counts the page's main-thread long tasks (> 50 ms, PerformanceObserver 'longtask') from now on; `list` also keeps
 * each one's start and duration. read() returns the totals so far, reset() starts them again.
 */
export async function watchLongTasks(page: Page, o: { list?: boolean } = {}): Promise<{ read(): Promise<LongTasks>; reset(): Promise<void>; list(): Promise<string[]> }> {
  await page.evaluate((keepList) => {
    const w = globalThis as unknown as { __long: LongTasks; __longList?: string[] };
    w.__long = { count: 0, totalMs: 0, maxMs: 0 };
    if (keepList) w.__longList = [];
    const observer = new PerformanceObserver((entries) => {
      for (const e of entries.getEntries()) {
        w.__long.count++;
        w.__long.totalMs += e.duration;
        w.__long.maxMs = Math.max(w.__long.maxMs, e.duration);
        w.__longList?.push(`${Math.round(e.startTime)}:${Math.round(e.duration)}`);
      }
    });
    // 'longtask' is a browser entry type that Node's typings do not list.
    (observer as unknown as { observe(o: { type: string; buffered: boolean }): void }).observe({ type: 'longtask', buffered: false });
  }, o.list ?? false);
  return {
    read: () => page.evaluate(() => (globalThis as unknown as { __long: LongTasks }).__long),
    reset: () => page.evaluate(() => void ((globalThis as unknown as { __long: LongTasks }).__long = { count: 0, totalMs: 0, maxMs: 0 })),
    list: () => page.evaluate(() => (globalThis as unknown as { __longList?: string[] }).__longList ?? []),
  };
}

/** One call of the host's HTTP API with its token, timed from Node (the engine's answer without the UI). */
export async function apiCall(host: RealHost, method: string, path: string, body?: unknown): Promise<{ ms: number; text: string }> {
  const t = Date.now();
  const res = await fetch(`http://127.0.0.1:${host.engine.port}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${host.engine.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status}: ${text.slice(0, 300)}`);
  return { ms: Date.now() - t, text };
}

export interface WheelScroll {
  /** Animation frames per second over the wheel steps, to one decimal. */
  fps: number;
  frames: number;
  wheelMs: number;
  /** Times between animation frames (a gap over 1.5 × 16.7 ms is a dropped frame). */
  gaps: number[];
  /** Main-thread ms spent in one of Chromium's Performance.getMetrics counters over the steps (e.g. 'TaskDuration'). */
  spent(name: string): number;
  /** The page's CDP session (Performance enabled), for further tracing. */
  cdp: CDPSession;
}

/**
 * Wheel-scrolls the element under the mouse `steps` times by 400 px, 16 ms apart, counting the frames painted
 * (requestAnimationFrame callbacks) and where the main thread's time went (Chromium's own counters).
 */
export async function measureWheelScroll(page: Page, context: BrowserContext, steps = 60): Promise<WheelScroll> {
  await page.evaluate(() => {
    const w = globalThis as unknown as { __frames: number; __counting: boolean; __times: number[]; requestAnimationFrame(f: (t: number) => void): void };
    w.__frames = 0;
    w.__times = [];
    w.__counting = true;
    const tick = (t: number): void => {
      if (!w.__counting) return;
      w.__frames++;
      w.__times.push(t);
      w.requestAnimationFrame(tick);
    };
    w.requestAnimationFrame(tick);
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const metrics = async (): Promise<Record<string, number>> => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const m0 = await metrics();
  const t0 = Date.now();
  for (let i = 0; i < steps; i++) {
    await page.mouse.wheel(0, 400);
    // No DOM query between steps: it would run in the page's main thread inside the frames being counted.
    await page.waitForTimeout(16);
  }
  const wheelMs = Date.now() - t0;
  const m1 = await metrics();
  const { frames, gaps } = await page.evaluate(() => {
    const w = globalThis as unknown as { __frames: number; __counting: boolean; __times: number[] };
    w.__counting = false;
    const d: number[] = [];
    for (let i = 1; i < w.__times.length; i++) d.push((w.__times[i] ?? 0) - (w.__times[i - 1] ?? 0));
    return { frames: w.__frames, gaps: d };
  });
  const spent = (name: string): number => Math.round(((m1[name] ?? 0) - (m0[name] ?? 0)) * 1000);
  return { fps: Math.round((frames / (wheelMs / 1000)) * 10) / 10, frames, wheelMs, gaps, spent, cdp };
}
