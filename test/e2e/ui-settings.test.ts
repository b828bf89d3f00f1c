// The settings page's config editor against the real headless host (no user config at start): typing an error
// shows a diagnostic on the right line, fixing it and saving writes the file and applies it without a restart,
// so the new backend shows on the Backends page served by the same engine process.
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { ensureRendererBuilt } from './build';
import { configFileIn, startRealHost, type RealHost } from './real-host';

const skipBrowser = shouldSkipBrowser();
const POLL = { timeout: 30_000 };
const SHOTS = join(process.cwd(), 'test', 'e2e', 'artifacts');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WITH_WARNING = `${['backends:', '  - name: local', '    type: local', '  - name: extra', '    type: local', '    max_concurrent: 2', 'settings:', '  poll_intervall: 5'].join('\n')}\n`;

const BROKEN = ['backends:', '  - name: extra', '    type: local', '    max_concurrent: ten', ''].join('\n');
const FIXED = ['backends:', '  - name: local', '    type: local', '  - name: extra', '    type: local', '    max_concurrent: 2', ''].join('\n');

describe.skipIf(skipBrowser)('Settings: config editor (real host)', () => {
  let host: RealHost;
  let browser: Browser;

  beforeAll(async () => {
    ensureRendererBuilt();
    host = await startRealHost();
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('says the defaults are in use and why', async () => {
    const { page } = browser;
    await page.goto(host.engine.url);
    await page.getByTestId('nav-settings').click();
    const banner = page.getByTestId('config-in-effect');
    await banner.waitFor(POLL);
    expect(await banner.innerText()).toContain('Built-in defaults in use because no configuration file was found');
    expect(await banner.innerText()).toContain(configFileIn(host.configHome));
    // The editor is not blank: it holds the embedded default in effect, which checks clean.
    await page.getByTestId('config-embedded-note').waitFor(POLL);
    await page.locator('.cm-content').filter({ hasText: 'type: local' }).waitFor(POLL);
    expect(await page.locator('.cm-content').innerText()).toContain('name: local');
    expect(await page.getByTestId('config-check-status').innerText()).toContain('No problems.');
    expect(await page.getByTestId('config-save').isDisabled()).toBe(true);
  });

  it('shows a typed error on its line and refuses to save it', async () => {
    const { page } = browser;
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(BROKEN);
    const diag = page.locator('[data-testid="config-diagnostic"][data-severity="error"]');
    await diag.first().waitFor(POLL);
    expect(await diag.count()).toBe(1);
    expect(await diag.getAttribute('data-line')).toBe('4');
    expect(await diag.innerText()).toContain('max_concurrent');
    // CodeMirror marks the line in its lint gutter too.
    await page.locator('.cm-lint-marker-error').first().waitFor(POLL);
    expect(await page.getByTestId('config-save').isDisabled()).toBe(true);
    mkdirSync(SHOTS, { recursive: true });
    await page.getByTestId('config-editor').screenshot({ path: join(SHOTS, 'settings-config-error.png') });
  });

  it('saves the fixed text and the new backend appears without a restart', async () => {
    const { page } = browser;
    const pid = host.engine.pid;
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(FIXED);
    await page.getByText('No problems.').waitFor(POLL);
    await page.getByTestId('config-save').click();
    const result = page.getByTestId('config-save-result');
    await result.waitFor(POLL);
    expect(await result.innerText()).toContain('added extra');
    const file = configFileIn(host.configHome);
    expect(readFileSync(file, 'utf8')).toBe(FIXED);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await page.getByTestId('config-in-effect').filter({ hasText: 'In effect:' }).waitFor(POLL);

    await page.getByTestId('nav-backends').click();
    await page.locator('[data-testid="backend-card"][data-backend="extra"]').waitFor(POLL);
    expect(await page.locator('[data-testid="backend-card"]').count()).toBe(2);
    const engineFile = JSON.parse(readFileSync(join(host.dataDir, 'engine.json'), 'utf8')) as { pid: number };
    expect(engineFile.pid).toBe(pid);
    expect(browser.problems).toEqual([]);
  });

  it('a saved warning shows in the config banner, readable in dark mode (axe: no serious contrast problem)', async () => {
    const { page } = browser;
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('theme-dark').check();
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(WITH_WARNING);
    const warn = page.locator('[data-testid="config-diagnostic"][data-severity="warning"]');
    await warn.first().waitFor(POLL);
    expect(await warn.getAttribute('data-line')).toBe('8');
    await page.getByTestId('config-save').click();
    await page.getByTestId('config-save-result').waitFor(POLL);
    // The engine's health now carries the warning: the banner says which file and line.
    const banner = page.getByTestId('config-warnings');
    await banner.waitFor(POLL);
    expect(await banner.innerText()).toContain('line 8');
    expect(await banner.innerText()).toContain(configFileIn(host.configHome));
    await page.screenshot({ path: join(SHOTS, 'settings-dark-warning.png') });
    await page.evaluate(AXE);
    const result = (await page.evaluate("axe.run(document, { resultTypes: ['violations'] })")) as { violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: string[] }> }> };
    const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect(serious).toEqual([]);
  });
});
