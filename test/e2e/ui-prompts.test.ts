// Prompts from backends (2FA codes, host keys) against the fake host: what the user sees in the modal and what
// the renderer sends back through prompts.respond.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Prompt } from '../../src-shared/api/schemas';
import { openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { ensureRendererBuilt } from './build';
import { startFakeHost, type FakeHost } from './fake-host';

const skipBrowser = shouldSkipBrowser();
const SHOTS = join(process.cwd(), 'test-results');
const POLL = { timeout: 10_000 };

function prompt(over: Partial<Prompt> & Pick<Prompt, 'id' | 'kind'>): Prompt {
  return {
    backend: 'hpc',
    title: 'Two-factor authentication for alice@login.hpc.example.org',
    instructions: '',
    prompts: [],
    fingerprint: null,
    host: null,
    created_at: new Date().toISOString(),
    ...over,
  };
}

describe.skipIf(skipBrowser)('backend prompts', () => {
  let host: FakeHost;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    host = await startFakeHost({ staticDir: ensureRendererBuilt() });
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
  });

  const responses = () => host.calls.filter((c) => c.method === 'POST' && c.path.startsWith('/prompts/'));

  it('shows a 2FA prompt opened before the window as a modal with a focused password field and sends the code', async () => {
    const { page } = browser;
    host.openPrompt(
      prompt({ id: 'p-2fa', kind: 'keyboard-interactive', instructions: 'Enter the 6-digit code from your authenticator app.', prompts: [{ prompt: 'Verification code: ', echo: false }] }),
    );
    await page.goto(host.url);
    const dialog = page.locator('[data-testid="prompt-dialog"][data-prompt-id="p-2fa"]');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('Enter the 6-digit code');
    const input = dialog.getByTestId('prompt-input');
    expect(await input.getAttribute('type')).toBe('password');
    expect(await input.evaluate((el) => el.matches(':focus'))).toBe(true);
    // Modal: the page behind cannot be clicked.
    expect(await dialog.evaluate((el) => el.matches(':modal'))).toBe(true);
    await page.keyboard.type('123456');
    await page.screenshot({ path: join(SHOTS, 'fake-prompt-2fa.png') });
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    expect(responses()).toEqual([{ method: 'POST', path: '/prompts/p-2fa', query: {}, body: { answers: ['123456'] } }]);
    expect(browser.problems).toEqual([]);
  });

  it('offers "remember in the OS keychain" only on passphrase prompts that allow it, and sends remember when ticked', async () => {
    const { page } = browser;
    const before = responses().length;
    host.openPrompt(prompt({ id: 'p-headless', kind: 'passphrase', title: 'Key passphrase', prompts: [{ prompt: "Enter passphrase for key '/k':", echo: false }] }));
    await page.goto(host.url);
    const plain = page.locator('[data-testid="prompt-dialog"][data-prompt-id="p-headless"]');
    await plain.waitFor();
    expect(await plain.getByTestId('prompt-remember').count()).toBe(0);
    await page.keyboard.type('pw1');
    await page.keyboard.press('Enter');
    await plain.waitFor({ state: 'detached' });

    host.openPrompt(prompt({ id: 'p-keychain', kind: 'passphrase', title: 'Key passphrase', prompts: [{ prompt: "Enter passphrase for key '/k':", echo: false }], can_remember: true }));
    const dialog = page.locator('[data-testid="prompt-dialog"][data-prompt-id="p-keychain"]');
    await dialog.waitFor(POLL);
    const remember = dialog.getByTestId('prompt-remember');
    expect(await remember.isChecked()).toBe(false);
    await dialog.getByTestId('prompt-input').fill('pw2');
    await remember.check();
    await dialog.getByTestId('prompt-submit').click();
    await dialog.waitFor({ state: 'detached' });
    expect(responses().slice(before).map((c) => c.body)).toEqual([{ answers: ['pw1'] }, { answers: ['pw2'], remember: true }]);
    expect(browser.problems).toEqual([]);
  });

  it('shows a host key with its fingerprint; Reject declines it', async () => {
    const { page } = browser;
    host.openPrompt(
      prompt({
        id: 'p-key',
        kind: 'host-key',
        title: 'Unknown host key for login.hpc.example.org',
        host: 'login.hpc.example.org:22',
        fingerprint: 'SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8',
      }),
    );
    const dialog = page.locator('[data-testid="prompt-dialog"][data-kind="host-key"]');
    await dialog.waitFor();
    expect(await dialog.getByTestId('prompt-fingerprint').textContent()).toBe('SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8');
    expect(await dialog.getByTestId('prompt-host').textContent()).toBe('login.hpc.example.org:22');
    expect(await dialog.textContent()).toMatch(/Compare this fingerprint with the one your cluster publishes/);
    expect(await dialog.getByTestId('prompt-accept').textContent()).toBe('Accept and remember');
    expect(await dialog.getByTestId('prompt-input').count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'fake-prompt-host-key.png') });
    await dialog.getByTestId('prompt-reject').click();
    await dialog.waitFor({ state: 'detached' });
    expect(responses().at(-1)).toEqual({ method: 'POST', path: '/prompts/p-key', query: {}, body: { answers: null } });
  });

  it('shows queued prompts one at a time, accepts a host key with "yes" and closes a prompt answered elsewhere', async () => {
    const { page } = browser;
    const t0 = Date.now();
    host.openPrompt(prompt({ id: 'q-1', kind: 'passphrase', title: 'Passphrase for ~/.ssh/id_ed25519', prompts: [{ prompt: 'Passphrase', echo: false }], created_at: new Date(t0).toISOString() }));
    host.openPrompt(prompt({ id: 'q-2', kind: 'host-key', title: 'Unknown host key', host: 'gpu.example.org:22', fingerprint: 'SHA256:abc', created_at: new Date(t0 + 1).toISOString() }));
    const dialog = page.getByTestId('prompt-dialog');
    await expect.poll(() => dialog.getAttribute('data-prompt-id'), POLL).toBe('q-1');
    expect(await dialog.getByTestId('prompt-queue').textContent()).toContain('1 more waiting');
    host.closePrompt('q-1');
    await expect.poll(() => dialog.getAttribute('data-prompt-id'), POLL).toBe('q-2');
    await dialog.getByTestId('prompt-accept').click();
    await dialog.waitFor({ state: 'detached' });
    expect(responses().at(-1)).toEqual({ method: 'POST', path: '/prompts/q-2', query: {}, body: { answers: ['yes'] } });
    expect(responses().some((c) => c.path === '/prompts/q-1')).toBe(false);
    expect(browser.problems).toEqual([]);
  });
});
