// Two-factor logins (key, then a keyboard-interactive code as Duo/TOTP ask for it) against an in-process ssh2
// server: OpenSSH's sshd cannot do keyboard-interactive without PAM in this sandbox.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Server, utils, type ParsedKey } from 'ssh2';
import { SshBroker, type SshStatus } from '../../src-main/transport/ssh';
import type { PromptRequest } from '../../src-main/transport/ssh/auth';

describe('keyboard-interactive (2FA) logins', () => {
  let dir: string;
  let server: Server;
  let port: number;
  let clientKey: string;
  let knownHosts: string;
  let logins = 0;
  const brokers: SshBroker[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ssh-kbd-'));
    const hostKey = join(dir, 'host');
    clientKey = join(dir, 'client');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', clientKey]);
    const allowed = utils.parseKey(readFileSync(`${clientKey}.pub`)) as ParsedKey;
    server = new Server({ hostKeys: [readFileSync(hostKey)] }, (conn) => {
      let keyOk = false;
      conn.on('authentication', (ctx) => {
        if (ctx.method === 'publickey' && ctx.key.data.equals(allowed.getPublicSSH())) {
          if (!ctx.signature) return ctx.accept();
          if (ctx.blob && allowed.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true) {
            keyOk = true;
            return ctx.reject(['keyboard-interactive'], true);
          }
        }
        if (ctx.method === 'keyboard-interactive' && keyOk) {
          return ctx.prompt([{ prompt: 'Passcode or option (1-3): ', echo: true }], 'Duo two-factor login', 'Enter a passcode from your Duo app', (answers) => {
            if (answers[0] === '123456') {
              logins += 1;
              ctx.accept();
            } else ctx.reject(['keyboard-interactive']);
          });
        }
        ctx.reject(keyOk ? ['keyboard-interactive'] : ['publickey']);
      });
      conn.on('ready', () => {
        conn.on('session', (accept) => {
          accept().on('exec', (acceptExec, _reject, info) => {
            const stream = acceptExec();
            stream.write(`ran: ${info.command}\n`);
            stream.exit(0);
            stream.end();
          });
        });
      });
      conn.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    const [type, key] = readFileSync(`${hostKey}.pub`, 'utf8').split(' ');
    knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, `[127.0.0.1]:${port} ${type} ${key}\n`);
  });

  afterAll(async () => {
    for (const b of brokers) await b.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function broker(onPrompt: (req: PromptRequest) => Promise<string[] | null>, onStatus?: (c: string, s: SshStatus) => void): SshBroker {
    const b = new SshBroker({
      userKnownHostsPath: knownHosts,
      appKnownHostsPath: join(dir, 'app_known_hosts'),
      sshConfigPath: join(dir, 'none'),
      agentSocket: null,
      env: { home: dir, localUser: 'me' },
      onPrompt,
      onUnknownHostKey: async () => false,
      onStatus,
      backoff: { initialMs: 60_000, maxMs: 60_000 },
    });
    brokers.push(b);
    return b;
  }

  it('asks the user for the second factor through the callback, once, and reuses the login', async () => {
    const asked: PromptRequest[] = [];
    const states: string[] = [];
    const before = logins;
    const b = broker(
      async (req) => {
        asked.push(req);
        return ['123456'];
      },
      (_c, s) => states.push(s.state),
    );
    const runner = b.runner('duo', { host: '127.0.0.1', port, user: 'alice', keyPath: clientKey });
    const [one, two] = await Promise.all([runner.run('squeue --me'), runner.run('hostname')]);
    expect(one?.stdout).toBe('ran: squeue --me\n');
    expect(two?.stdout).toBe('ran: hostname\n');
    expect((await runner.run('true')).exitCode).toBe(0);
    expect(asked).toEqual([
      { cluster: 'duo', title: 'Duo two-factor login', instructions: 'Enter a passcode from your Duo app', prompts: [{ prompt: 'Passcode or option (1-3): ', echo: true }] },
    ]);
    expect(logins - before).toBe(1);
    expect(states).toEqual(['connecting', 'waiting_for_user', 'connecting', 'connected']);
  });

  it('gives the user another try after a wrong code', async () => {
    const answers = ['000000', '123456'];
    let asked = 0;
    const b = broker(async () => {
      asked += 1;
      return [answers.shift() ?? ''];
    });
    const r = await b.runner('retry', { host: '127.0.0.1', port, user: 'alice', keyPath: clientKey }).run('id');
    expect(r.stdout).toBe('ran: id\n');
    expect(asked).toBe(2);
  });

  it('stops, without asking again, when the user cancels the prompt', async () => {
    let asked = 0;
    const statuses: SshStatus[] = [];
    const b = broker(
      async () => {
        asked += 1;
        return null;
      },
      (_c, s) => statuses.push(s),
    );
    const runner = b.runner('cancel', { host: '127.0.0.1', port, user: 'alice', keyPath: clientKey });
    await expect(runner.run('id')).rejects.toMatchObject({ code: 'auth_cancelled' });
    expect(asked).toBe(1);
    expect(statuses.at(-1)?.state).toBe('backing_off');
    // The next poll does not pester the user: it fails fast until the backoff expires.
    await expect(runner.run('id')).rejects.toMatchObject({ code: 'backing_off' });
    expect(asked).toBe(1);
  });
});
