// Debian's Chromium driven by playwright-core (never a downloaded browser), with a throw-away profile.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.SCRIPTHUT_CHROMIUM ?? '/usr/bin/chromium';

/** For describe.skipIf: no Chromium here → skip with a message, unless SCRIPTHUT_REQUIRE_E2E=1 (CI) makes it fail. */
export function shouldSkipBrowser(): boolean {
  if (existsSync(CHROMIUM) || process.env.SCRIPTHUT_REQUIRE_E2E === '1') return false;
  console.warn(`[e2e] skipping browser tests: ${CHROMIUM} not found (apt-get install chromium, or set SCRIPTHUT_CHROMIUM)`);
  return true;
}

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console errors and CSP violations seen so far. */
  problems: string[];
  close(): Promise<void>;
}

export async function openBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'scripthut-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', ...ARGS],
    viewport: { width: 1280, height: 800 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === "error") problems.push(`${m.text()} @ ${JSON.stringify(m.location())}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return {
    context,
    page,
    problems,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Resolves once the page has drawn `frames` more frames. For what has no state of its own to wait on: after a
 * viewport or colour-scheme change, resize observers and media listeners run before the next frame is drawn, so two
 * frames later their redraw is on the page (a fixed sleep guessed at that, and was short under load).
 */
export async function afterFrames(page: Page, frames = 2): Promise<void> {
  await page.evaluate((n) => {
    const raf = (globalThis as unknown as { requestAnimationFrame(f: () => void): number }).requestAnimationFrame;
    return new Promise<void>((resolve) => {
      const step = (left: number): void => void (left === 0 ? resolve() : raf(() => step(left - 1)));
      step(n);
    });
  }, frames);
}
