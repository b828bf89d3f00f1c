// The set-up every test against the harness sshd repeats: a test user, a temp folder the login user can traverse,
// a fake home, a client key, and brokers that refuse any prompt the test did not expect (closed in afterAll).
import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SshBroker, type SshBrokerOptions } from '../../src-main/transport/ssh';
import { ensureTestUser, makeClientKey, sshdAvailable } from '../harness/sshd';

export const SSH_TEST_USER = 'shtest';

/** Whether the sshd tests run here; warns once when they are skipped (SCRIPTHUT_REQUIRE_SLURM=1 makes it an error). */
export function sshdTestsEnabled(what: string): { run: boolean; required: boolean; available: boolean } {
  const required = process.env.SCRIPTHUT_REQUIRE_SLURM === '1';
  const available = sshdAvailable();
  if (!available && !required) console.warn(`${what} SKIPPED: /usr/sbin/sshd missing or not root (apt-get install openssh-server)`);
  return { run: available || required, required, available };
}

export interface SshTestBed {
  dir: string;
  home: string;
  key: { privateKeyPath: string; publicKey: string };
  /** A broker with no ~/.ssh/config, no agent, and prompts that fail the test unless overridden. */
  broker(extra?: Partial<SshBrokerOptions>): SshBroker;
  closeBrokers(): Promise<void>;
}

/** Call in beforeAll (after checking sshdTestsEnabled). */
export function makeSshTestBed(prefix: string, defaults: Partial<SshBrokerOptions> = {}): SshTestBed {
  ensureTestUser(SSH_TEST_USER);
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // sshd reads authorized_keys as the login user: the folder must be traversable by it.
  chmodSync(dir, 0o755);
  const home = join(dir, 'home');
  mkdirSync(join(home, '.ssh'), { recursive: true });
  const key = makeClientKey(join(dir, 'client'));
  const brokers: SshBroker[] = [];
  return {
    dir,
    home,
    key,
    broker(extra = {}) {
      const b = new SshBroker({
        userKnownHostsPath: null,
        appKnownHostsPath: join(mkdtempSync(join(dir, 'app-')), 'known_hosts'),
        sshConfigPath: join(dir, 'no-such-config'),
        agentSocket: null,
        env: { home, localUser: SSH_TEST_USER },
        onPrompt: async () => {
          throw new Error('no prompt expected');
        },
        onUnknownHostKey: async () => {
          throw new Error('no host-key question expected');
        },
        ...defaults,
        ...extra,
      });
      brokers.push(b);
      return b;
    },
    async closeBrokers() {
      for (const b of brokers.splice(0)) await b.close();
    },
  };
}
