// Issue 12: `serve --open` gives the browser a one-time /auth/<nonce> link instead of the token. In a real
// browser the link must land in a working UI (token handed over by redirect, then gone from the address bar),
// and the same link must not work a second time.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { ensureRendererBuilt } from './build';
import { startEngine, type RunningEngine } from '../../src-main/engine/start';
import { startHost, type Host } from '../../src-main/host/server';

const skipBrowser = shouldSkipBrowser();

describe.skipIf(skipBrowser)('sign-in link in Chromium', () => {
  let dir: string;
  let engine: RunningEngine;
  let host: Host;
  let browser: Browser;

  beforeAll(async () => {
    const rendererDir = ensureRendererBuilt();
    dir = mkdtempSync(join(tmpdir(), 'sh-signin-'));
    writeFileSync(join(dir, 'cfg.yaml'), 'backends:\n  - name: here\n    type: local\n');
    engine = await startEngine({ dataDir: join(dir, 'data'), configPath: join(dir, 'cfg.yaml'), version: '9.9.9-test', resourcesDir: join(process.cwd(), 'resources') });
    host = await startHost({ api: engine.api, port: 0, rendererDir, version: '9.9.9-test' });
    browser = await openBrowser();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await engine?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lands in a working UI with the token out of the address bar; the link is dead afterwards', async () => {
    const { page } = browser;
    const link = host.issueSignInUrl();
    expect(link).not.toContain(host.token);
    await page.goto(link);
    await page.getByTestId('welcome').waitFor({ timeout: 20_000 });
    expect(page.url()).not.toContain(host.token);
    expect(page.url()).not.toContain('/auth/');
    // The page talks to the API and the event stream with the handed-over token (Host and Origin accepted).
    const stored = await page.evaluate(() => (globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem('scripthut.token'));
    expect(stored).toBe(host.token);
    const again = await page.goto(link);
    expect(again?.status()).toBe(403);
  }, 60_000);
});
