// The Stacks page against the real headless host and the real local backend: check, install (a real run, then
// checked automatically when it ends), the install run's page, and delete (the build folder really goes).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { startRealHost, writeConfig, type RealHost } from './real-host';

const skipBrowser = shouldSkipBrowser();
const SHOTS = join(process.cwd(), 'test-results');
const POLL = { timeout: 30_000 };

describe.skipIf(skipBrowser)('Stacks page', () => {
  let root: string;
  let host: RealHost;
  let browser: Browser;
  const cacheDir = () => join(root, 'stack-cache');
  const api = async (path: string) => (await fetch(`http://127.0.0.1:${host.engine.port}/api/v1${path}`, { headers: { authorization: `Bearer ${host.engine.token}` } })).json();

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    root = mkdtempSync(join(tmpdir(), 'sh-e2e-stacks-'));
    host = await startRealHost((cfg) => {
      writeConfig(
        cfg,
        [
          'backends:',
          '  - {name: local, type: local}',
          'stacks:',
          '  - name: tools',
          `    cache_dir: ${JSON.stringify(cacheDir())}`,
          '    inputs: {VERSION: "1.2"}',
          '    prep: "head -c 20000 /dev/zero > blob && echo built"',
          '    init: export PATH="$STACK_DIR:$PATH"',
          '    memory: 100M',
          '  - name: broken',
          `    cache_dir: ${JSON.stringify(cacheDir())}`,
          '    prep: "echo failing on purpose; exit 7"',
          '    memory: 100M',
          '',
        ].join('\n'),
      );
    });
    browser = await openBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('checks, installs (as a run), opens the install run and deletes a stack', async () => {
    const { page } = browser;
    await page.goto(host.engine.url);
    await page.getByTestId('nav-stacks').click();
    await expect.poll(() => page.url(), POLL).toContain('#/stacks');
    const row = page.locator('[data-testid="stack-card"][data-stack="tools"] [data-testid="stack-backend"][data-backend="local"]');
    await row.waitFor(POLL);
    expect(await row.getByTestId('stack-state').textContent()).toBe('Not checked');

    await row.getByTestId('stack-check').click();
    await expect.poll(() => row.getByTestId('stack-state').textContent(), POLL).toBe('Missing');

    await row.getByTestId('stack-install').click();
    // The page checks the stack itself when the install run ends (run.changed event), no reload needed.
    await expect.poll(() => row.getByTestId('stack-state').textContent(), POLL).toBe('Ready');
    expect(await row.getByTestId('stack-size').textContent()).toMatch(/KiB$/);
    const hash = ((await api('/stacks')) as { stacks: Array<{ name: string; hash: string }> }).stacks.find((x) => x.name === 'tools')!.hash;
    expect(existsSync(join(cacheDir(), 'tools', hash, '.ready'))).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'e2e-stacks-ready.png'), fullPage: true });

    // The documented check shape over HTTP.
    expect(await api('/stacks/tools/check?backend=local')).toMatchObject({ name: 'tools', backend: 'local', state: 'ready', hash, path: join(cacheDir(), 'tools', hash), error: null });

    await row.getByTestId('stack-install-run').click();
    await expect.poll(() => page.url(), POLL).toMatch(/#\/runs\/[^/]+$/);
    await expect.poll(async () => (await page.textContent('body')) ?? '', POLL).toContain('_stack/tools');
    await page.goBack();
    await row.waitFor(POLL);

    await row.getByTestId('stack-delete').click();
    await page.getByTestId('stack-delete-confirm').click();
    await expect.poll(() => row.getByTestId('stack-state').textContent(), POLL).toBe('Missing');
    expect(readdirSync(cacheDir())).not.toContain('tools');
    await page.screenshot({ path: join(SHOTS, 'e2e-stacks-deleted.png'), fullPage: true });
  });

  it('a failed install shows the stack half-built, with the reason, and links to the failed run', async () => {
    const { page } = browser;
    await page.goto(`${host.engine.url.replace(/#.*$/, '')}#/stacks`);
    const row = page.locator('[data-testid="stack-card"][data-stack="broken"] [data-testid="stack-backend"][data-backend="local"]');
    await row.waitFor(POLL);
    await row.getByTestId('stack-install').click();
    await expect.poll(() => row.getByTestId('stack-state').textContent(), POLL).toBe('Half-built');
    expect(await row.getByTestId('stack-state-error').textContent()).toContain('.ready sentinel is missing');
    await expect.poll(() => row.getByTestId('stack-install-run').textContent(), POLL).toContain('failed');
    await page.screenshot({ path: join(SHOTS, 'e2e-stacks-failed.png'), fullPage: true });
  });
});
