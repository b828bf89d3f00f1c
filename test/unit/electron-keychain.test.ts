// Remembered SSH key passphrases: the desktop keychain (Electron safeStorage, here a stand-in that really
// encrypts) over the 0600 file in the data folder, and the prompt centre refusing "remember" where no keychain is.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { openKeychain } from '../../src-main/electron/keychain';
import { standInSafeStorage } from '../helpers/stand-in-safe-storage';
import { PASSPHRASE_FILE } from '../../src-main/secrets/passphrase-store';
import { PromptCenter } from '../../src-main/engine/prompts';

let dataDir: string;
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-keychain-'));
});

describe('OS keychain for key passphrases', () => {
  it('keeps a passphrase encrypted in a 0600 file keyed by the key file path', () => {
    const { store } = openKeychain(standInSafeStorage(), dataDir, 'linux');
    expect(store).not.toBeNull();
    store!.remember('/home/me/.ssh/id_ed25519', 'correct horse');
    const file = path.join(dataDir, PASSPHRASE_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('/home/me/.ssh/id_ed25519');
    expect(text).not.toContain('correct horse');
    expect(store!.get('/home/me/.ssh/id_ed25519')).toBe('correct horse');
    expect(store!.get('/home/me/.ssh/other')).toBeNull();
    store!.forget('/home/me/.ssh/id_ed25519');
    expect(store!.get('/home/me/.ssh/id_ed25519')).toBeNull();
  });

  it('drops an entry another keychain sealed (it cannot be decrypted) instead of failing', () => {
    openKeychain(standInSafeStorage(), dataDir, 'linux').store!.remember('/k', 'secret');
    const other = openKeychain(standInSafeStorage(), dataDir, 'linux').store!;
    expect(other.get('/k')).toBeNull();
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, PASSPHRASE_FILE), 'utf8')).keys).toEqual({});
  });

  it('a damaged file costs only the remembered passphrases', () => {
    fs.writeFileSync(path.join(dataDir, PASSPHRASE_FILE), '{not json');
    const { store } = openKeychain(standInSafeStorage(), dataDir, 'linux');
    expect(store!.get('/k')).toBeNull();
    store!.remember('/k', 'again');
    expect(store!.get('/k')).toBe('again');
  });

  it('is not offered without a real keychain: encryption unavailable, or Linux with only the built-in key', () => {
    expect(openKeychain(standInSafeStorage('gnome_libsecret', false), dataDir, 'linux')).toEqual({ store: null, reason: 'the OS keychain is not available' });
    const basic = openKeychain(standInSafeStorage('basic_text'), dataDir, 'linux');
    expect(basic.store).toBeNull();
    expect(basic.reason).toMatch(/no secret service .*basic_text/);
    expect(openKeychain(standInSafeStorage('basic_text'), dataDir, 'darwin').store).not.toBeNull();
    expect(fs.existsSync(path.join(dataDir, PASSPHRASE_FILE))).toBe(false);
  });
});

describe('prompt answers with remember', () => {
  const passphrasePrompt = { backend: 'c', kind: 'passphrase' as const, title: 'Key passphrase', instructions: '', prompts: [{ prompt: 'Enter passphrase', echo: false }], fingerprint: null, host: null };

  it('carries remember to the asker when the prompt offers it', async () => {
    const center = new PromptCenter();
    const answer = center.askFull({ ...passphrasePrompt, can_remember: true });
    const [open] = center.list();
    expect(open?.can_remember).toBe(true);
    expect(center.respond(open!.id, ['pw'], true)).toBe(true);
    expect(await answer).toEqual({ answers: ['pw'], remember: true });
  });

  it('refuses remember, with the reason, when no keychain is there (headless engine); the prompt stays open', async () => {
    const center = new PromptCenter();
    const answer = center.askFull(passphrasePrompt);
    const [open] = center.list();
    expect(() => center.respond(open!.id, ['pw'], true)).toThrow(/only be remembered in the OS keychain of the desktop app.*headless/);
    expect(center.list()).toHaveLength(1);
    center.respond(open!.id, ['pw']);
    expect(await answer).toEqual({ answers: ['pw'], remember: false });
  });
});
