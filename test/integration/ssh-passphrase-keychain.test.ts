// Opt-in keychain for SSH key passphrases, against the real harness sshd: a passphrase answered with "remember"
// opens the key in the next app session without asking; a remembered one that no longer works is forgotten and
// the user is asked; without a keychain the prompt never offers it. The last case goes through the engine's
// SSH wiring (PromptCenter → prompts.respond with remember → the keychain file).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigObject } from '../../src-shared/config/errors';
import type { SlurmBackendConfig } from '../../src-shared/config/schema';
import { slurmDialect } from '../../src-main/backends/dialects/slurm';
import { openKeychain } from '../../src-main/electron/keychain';
import { PromptCenter } from '../../src-main/engine/prompts';
import { makeShellBackendFactory } from '../../src-main/engine/ssh-wiring';
import { PASSPHRASE_FILE, type PassphraseStore } from '../../src-main/secrets/passphrase-store';
import { Store } from '../../src-main/store/store';
import type { PromptRequest } from '../../src-main/transport/ssh';
import { startSshd, type SshdHandle } from '../harness/sshd';
import { makeSshTestBed, sshdTestsEnabled, SSH_TEST_USER as USER, type SshTestBed } from '../helpers/ssh-harness';
import { standInSafeStorage } from '../helpers/stand-in-safe-storage';

const enabled = sshdTestsEnabled('ssh passphrase keychain tests');
const PASS = 'correct horse';

describe.skipIf(!enabled.run)('remembered key passphrases', () => {
  let bed: SshTestBed;
  let sshd: SshdHandle;
  let encKey: string;
  let knownHosts: string;
  let keychainDir: string;
  let safeStorage: ReturnType<typeof standInSafeStorage>;
  const keychain = (): PassphraseStore => openKeychain(safeStorage, keychainDir, 'linux').store as PassphraseStore;
  const target = () => ({ host: '127.0.0.1', port: sshd.port, user: USER, keyPath: encKey, knownHostsPath: knownHosts });

  beforeAll(async () => {
    if (!enabled.available) throw new Error('SCRIPTHUT_REQUIRE_SLURM=1 but sshd is unavailable');
    bed = makeSshTestBed('ssh-keychain-');
    encKey = join(bed.dir, 'id_encrypted');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', PASS, '-f', encKey]);
    sshd = await startSshd({ dir: join(bed.dir, 'sshd'), user: USER, authorizedKeys: [readFileSync(`${encKey}.pub`, 'utf8').trim()] });
    const [type, blob] = sshd.hostPublicKey.split(/\s+/);
    knownHosts = join(bed.dir, 'known');
    writeFileSync(knownHosts, `[127.0.0.1]:${sshd.port} ${type} ${blob}\n`);
    keychainDir = join(bed.dir, 'data');
    safeStorage = standInSafeStorage();
  });

  afterAll(async () => {
    await bed?.closeBrokers();
    await sshd?.stop();
  });

  it('offers to remember; a remembered passphrase opens the key in the next session without asking', async () => {
    const asked: PromptRequest[] = [];
    const first = bed.broker({ passphrases: keychain(), onPrompt: async (req) => (asked.push(req), { answers: [PASS], remember: true }) });
    expect((await first.runner('c', target()).run('echo one')).stdout).toBe('one\n');
    expect(asked).toHaveLength(1);
    expect(asked[0]?.canRemember).toBe(true);
    expect(readFileSync(join(keychainDir, PASSPHRASE_FILE), 'utf8')).not.toContain(PASS);
    expect(keychain().get(encKey)).toBe(PASS);

    // A new app session: nothing decrypted in memory, the keychain answers.
    const second = bed.broker({ passphrases: keychain() });
    expect((await second.runner('c', target()).run('echo two')).stdout).toBe('two\n');
  });

  it('a remembered passphrase that no longer opens the key is forgotten and the user is asked', async () => {
    keychain().remember(encKey, 'an old passphrase');
    const asked: PromptRequest[] = [];
    const b = bed.broker({ passphrases: keychain(), onPrompt: async (req) => (asked.push(req), [PASS]) });
    expect((await b.runner('c', target()).run('echo ok')).stdout).toBe('ok\n');
    expect(asked).toHaveLength(1);
    expect(asked[0]?.instructions).toMatch(/remembered in the keychain no longer opens this key; it was forgotten/);
    // Answered without "remember": nothing is stored again.
    expect(keychain().get(encKey)).toBeNull();
  });

  it('a wrong answer with "remember" is not stored; only the passphrase that opens the key is', async () => {
    const answers = ['wrong', PASS];
    const b = bed.broker({ passphrases: keychain(), onPrompt: async () => ({ answers: [answers.shift() ?? ''], remember: true }) });
    expect((await b.runner('c', target()).run('echo ok')).stdout).toBe('ok\n');
    expect(keychain().get(encKey)).toBe(PASS);
    keychain().forget(encKey);
  });

  it('without a keychain (headless) the prompt does not offer it', async () => {
    const asked: PromptRequest[] = [];
    const b = bed.broker({ onPrompt: async (req) => (asked.push(req), [PASS]) });
    expect((await b.runner('c', target()).run('echo ok')).stdout).toBe('ok\n');
    expect(asked[0]?.canRemember).toBe(false);
  });

  it('through the engine wiring: the prompt says can_remember, prompts.respond with remember fills the keychain', async () => {
    const prompts = new PromptCenter();
    const store = new Store(join(bed.dir, 'engine.db'));
    const closers: Array<() => Promise<void>> = [];
    const passphrases = keychain();
    const make = makeShellBackendFactory({
      dataDir: join(bed.dir, 'engine-data'),
      prompts,
      store,
      registerCounts: () => undefined,
      settings: null,
      passphrases,
      sshOptions: { userKnownHostsPath: null, sshConfigPath: join(bed.dir, 'no-such-config'), agentSocket: null, env: { home: bed.home, localUser: USER } },
      onClose: (fn) => closers.push(fn),
    });
    const parsed = parseConfigObject({ backends: [{ name: 'cluster', type: 'slurm', ssh: { host: '127.0.0.1', port: sshd.port, user: USER, key_path: encKey, known_hosts: knownHosts } }] });
    if (!parsed.ok) throw new Error(parsed.error.message);
    const backend = make!(parsed.config.backends[0] as SlurmBackendConfig, slurmDialect);
    try {
      const answered = (async () => {
        for (let i = 0; i < 200 && prompts.list().length === 0; i++) await new Promise((r) => setTimeout(r, 25));
        const [open] = prompts.list();
        expect(open).toMatchObject({ kind: 'passphrase', can_remember: true });
        prompts.respond(open!.id, [PASS], true);
      })();
      const read = await backend.readLog(join(bed.dir, 'no-such.log'), {});
      await answered;
      expect(read.missing).toBe(true);
      expect(passphrases.get(encKey)).toBe(PASS);
    } finally {
      for (const fn of closers) await fn();
      store.close();
    }
  });
});
