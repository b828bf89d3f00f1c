// When what the user waits for was painted, timed in the page. Playwright's waitFor polls (at 0, 20, 50, 100, 100
// ms and then every 500 ms after it starts), so a figure taken when waitFor returns is late by up to one poll and
// moves in steps; the first ui-runs figures were up to 500 ms late (see the README's ui-runs row). Here a
// MutationObserver sees the awaited element(s) in the DOM, the next animation frame lays them out and paints them,
// and the task after that frame takes the time. The start is taken in the page too where the page sees it: the
// click's or hashchange's own event time (Event.timeStamp, when the event was made, whatever listener runs first),
// or the moment of arming. The benches compile without the DOM's types: the page's globals are declared below.

import type { Page } from 'playwright-core';

/** What the clock has seen, in the page's performance.now() ms (0 = the document's time origin). */
export interface PaintTimes {
  /** When the awaited start happened: the event's time (click/hashchange), or when the clock was armed. */
  startAt: number | null;
  /** When the awaited element(s) were first found in the DOM. */
  inDomAt: number;
  /** After the animation frame that painted them. */
  paintedAt: number;
  /** performance.timeOrigin: paintedAt + origin is on the bench's Date.now() clock. */
  origin: number;
}

/** What starts the wait: the next click or hashchange after arming (its event time), or arming itself. */
export type PaintStart = 'click' | 'hashchange' | 'arm';

export interface PaintWait {
  /** The elements awaited (a CSS selector); they may match already, or appear, or get the matching attribute. */
  selector: string;
  /** How many must match (default 1). */
  count?: number;
  start?: PaintStart;
}

interface Clock {
  startAt: number | null;
  inDomAt: number | null;
  paintedAt: number | null;
  stop(): void;
}

interface PageGlobals {
  __paintClocks?: Record<string, Clock>;
  document: {
    querySelector(selector: string): unknown;
    querySelectorAll(selector: string): { length: number };
    addEventListener(type: string, f: (e: { timeStamp: number }) => void, o: { capture: boolean; once: boolean }): void;
    removeEventListener(type: string, f: (e: { timeStamp: number }) => void, o: { capture: boolean }): void;
  };
  MutationObserver: new (callback: () => void) => { observe(target: unknown, o: { childList: boolean; subtree: boolean; attributes: boolean }): void; disconnect(): void };
  requestAnimationFrame(f: () => void): number;
  performance: { now(): number; timeOrigin: number };
}

/** Runs in the page (page.evaluate or addInitScript): arms the clock named by the selector, replacing one armed before. */
function armInPage(w: PaintWait): void {
  const g = globalThis as unknown as PageGlobals;
  const clocks = (g.__paintClocks ??= {});
  clocks[w.selector]?.stop();
  const need = w.count ?? 1;
  const start = w.start ?? 'arm';
  const onStart = (e: { timeStamp: number }): void => {
    clock.startAt = e.timeStamp;
  };
  let observer: { disconnect(): void } | null = null;
  const clock: Clock = {
    startAt: start === 'arm' ? g.performance.now() : null,
    inDomAt: null,
    paintedAt: null,
    stop: () => {
      observer?.disconnect();
      if (start !== 'arm') g.document.removeEventListener(start, onStart, { capture: true });
    },
  };
  clocks[w.selector] = clock;
  if (start !== 'arm') g.document.addEventListener(start, onStart, { capture: true, once: true });
  // querySelector stops at the first match: the usual wait costs the page as little as it can.
  const found = (): boolean => (need === 1 ? g.document.querySelector(w.selector) !== null : g.document.querySelectorAll(w.selector).length >= need);
  const seen = (): void => {
    observer?.disconnect();
    clock.inDomAt = g.performance.now();
    g.requestAnimationFrame(() => setTimeout(() => (clock.paintedAt = g.performance.now()), 0));
  };
  if (found()) return seen();
  const mo = new g.MutationObserver(() => {
    if (found()) seen();
  });
  observer = mo;
  mo.observe(g.document, { childList: true, subtree: true, attributes: true });
}

/** Arms the clock in the page as it is now (for a click, a hash change or a scroll that follows). */
export async function armPaint(page: Page, wait: PaintWait): Promise<void> {
  await page.evaluate(armInPage, wait);
}

/** Arms the clock in every document the page loads from now on (for a goto or reload that follows). */
export async function armPaintOnLoad(page: Page, wait: PaintWait): Promise<void> {
  await page.addInitScript(armInPage, wait);
}

/** Waits until the clock armed for `selector` has seen its elements painted, and returns its times. */
export async function paintTimes(page: Page, selector: string, timeoutMs = 60_000): Promise<PaintTimes> {
  await page.waitForFunction((s) => (globalThis as unknown as PageGlobals).__paintClocks?.[s]?.paintedAt != null, selector, { timeout: timeoutMs });
  return page.evaluate((s) => {
    const g = globalThis as unknown as PageGlobals;
    const c = g.__paintClocks?.[s];
    if (!c || c.inDomAt === null || c.paintedAt === null) throw new Error(`paint clock for ${s}: not painted`);
    return { startAt: c.startAt, inDomAt: c.inDomAt, paintedAt: c.paintedAt, origin: g.performance.timeOrigin };
  }, selector);
}

/** From the clock's start (the click, the hash change, the arming) to the paint, in whole ms. */
export function paintMs(t: PaintTimes): number {
  if (t.startAt === null) throw new Error('paint clock: its start (click or hashchange) never happened');
  if (t.inDomAt < t.startAt) throw new Error(`paint clock: the awaited elements were in the DOM ${Math.round(t.startAt - t.inDomAt)} ms before the start (wait for the old ones to go before arming)`);
  return Math.round(t.paintedAt - t.startAt);
}

/**
 * How long after `nodeStart` (Date.now() before Playwright's click) the click event was made: Playwright's own
 * checks and dispatch, part of a polled figure that no user waits for.
 */
export function startLagMs(t: PaintTimes, nodeStart: number): number {
  if (t.startAt === null) throw new Error('paint clock: its start (click or hashchange) never happened');
  return Math.round(t.origin + t.startAt - nodeStart);
}

/** The paint on the bench's Date.now() clock, for a start taken in Node (a goto or reload). */
export function paintedEpoch(t: PaintTimes): number {
  return t.origin + t.paintedAt;
}
