// The SSH broker against real OpenSSH servers on 127.0.0.1 (test/harness/sshd.ts): commands, stdin, one shared
// connection, ~/.ssh/config aliases, ProxyJump, host-key policy, reconnect, timeouts, passphrases, ssh-agent,
// certificates. Keyboard-interactive runs against an in-process ssh2 server (sshd without PAM cannot do it).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshBroker, type SshBrokerOptions, type SshStatus } from '../../src-main/transport/ssh';
import type { PromptRequest } from '../../src-main/transport/ssh/auth';
import type { UnknownHostKeyRequest } from '../../src-main/transport/ssh/host-key-check';
import { killPid, makeClientKey, startSshd, type SshdHandle } from '../harness/sshd';
import { makeSshTestBed, sshdTestsEnabled, SSH_TEST_USER as USER, type SshTestBed } from '../helpers/ssh-harness';

const { run: runsHere, available } = sshdTestsEnabled('ssh-broker integration tests');

function knownHostsLineFor(sshd: SshdHandle): string {
  const [type, key] = sshd.hostPublicKey.split(/\s+/);
  return `[127.0.0.1]:${sshd.port} ${type} ${key}`;
}

function acceptedLogins(sshd: SshdHandle): number {
  const log = join(sshd.dir, 'sshd.log');
  return existsSync(log) ? (readFileSync(log, 'utf8').match(/Accepted (publickey|keyboard-interactive)/g) ?? []).length : 0;
}

/** Kill the per-connection sshd children of a harness sshd we started (the listener alone keeps sessions alive). */
function killSessionsOf(pid: number): void {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) process.kill(Number(entry), 'SIGKILL');
    } catch {
      /* process went away */
    }
  }
}

describe.skipIf(!runsHere)('SshBroker against OpenSSH', () => {
  let bed: SshTestBed;
  let dir: string;
  let key: SshTestBed['key'];
  let encKeyPath: string;
  let agentKeyPath: string;
  let certKeyPath: string;
  let caPath: string;
  let sshd: SshdHandle;
  let jump: SshdHandle;
  let certSshd: SshdHandle;
  let userKnownHosts: string;

  function broker(extra: Partial<SshBrokerOptions> = {}): SshBroker {
    return bed.broker({ userKnownHostsPath: userKnownHosts, ...extra });
  }
  const target = () => ({ host: '127.0.0.1', port: sshd.port, user: USER, keyPath: key.privateKeyPath });

  beforeAll(async () => {
    if (!available) throw new Error('SCRIPTHUT_REQUIRE_SLURM=1 but sshd is unavailable: install openssh-server and run as root');
    bed = makeSshTestBed('ssh-broker-');
    ({ dir, key } = bed);
    encKeyPath = join(dir, 'id_encrypted');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'correct horse', '-f', encKeyPath]);
    agentKeyPath = join(dir, 'id_agent');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', agentKeyPath]);
    certKeyPath = join(dir, 'id_cert');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', certKeyPath]);
    caPath = join(dir, 'user_ca');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', caPath]);
    execFileSync('ssh-keygen', ['-q', '-s', caPath, '-I', 'scripthut-test', '-n', USER, '-V', '-5m:+1h', `${certKeyPath}.pub`]);
    const pub = (p: string) => readFileSync(`${p}.pub`, 'utf8').trim();
    sshd = await startSshd({ dir: join(dir, 'sshd'), user: USER, authorizedKeys: [key.publicKey, pub(encKeyPath), pub(agentKeyPath)] });
    jump = await startSshd({ dir: join(dir, 'jump'), user: USER, authorizedKeys: [key.publicKey] });
    // Only the CA is trusted here: the certificate key is in no authorized_keys file.
    certSshd = await startSshd({ dir: join(dir, 'certsshd'), user: USER, authorizedKeys: [key.publicKey], extraConfig: [`TrustedUserCAKeys ${caPath}.pub`] });
    userKnownHosts = join(dir, 'user_known_hosts');
    writeFileSync(userKnownHosts, [sshd, jump, certSshd].map(knownHostsLineFor).join('\n') + '\n');
  });

  afterAll(async () => {
    await bed?.closeBrokers();
    await sshd?.stop();
    await jump?.stop();
    await certSshd?.stop();
  });

  it('runs a command and returns stdout, stderr and the exit code', async () => {
    const statuses: SshStatus['state'][] = [];
    const r = await broker({ onStatus: (_c, s) => statuses.push(s.state) })
      .runner('c1', target())
      .run('echo hello; echo oops >&2; exit 3');
    expect(r).toMatchObject({ stdout: 'hello\n', stderr: 'oops\n', exitCode: 3, timedOut: false });
    expect(statuses).toEqual(['connecting', 'connected']);
  });

  it('reports a command killed by a signal as 128 + the signal number, like a shell', async () => {
    const r = await broker().runner('c1', target()).run('kill -KILL $$');
    expect(r.exitCode).toBe(137);
  });

  it('runs scheduler commands with TZ=UTC and LC_ALL=C', async () => {
    const r = await broker().runner('c1', target()).run('printenv TZ LC_ALL', { kind: 'scheduler' });
    expect(r.stdout).toBe('UTC\nC\n');
  });

  it('delivers a script on stdin verbatim: quotes, $(), backticks, backslashes, CRLF-free newlines', async () => {
    const script = `#!/bin/bash\necho "it's" '\`quoted\`' '$(not run)' "$(echo ran)"\nprintf '%s\\n' 'back\\slash'\ncat <<'EOF'\n$HOME stays\nEOF\n`;
    const runner = broker().runner('c1', target());
    const echoed = await runner.run('cat', { stdin: script });
    expect(echoed.stdout).toBe(script);
    const ran = await runner.run('bash -s', { stdin: script });
    expect(ran.stdout).toBe("it's `quoted` $(not run) ran\nback\\slash\n$HOME stays\n");
  });

  it('runs 20 parallel commands over ONE TCP connection, never more than maxChannels channels at once', async () => {
    const before = acceptedLogins(sshd);
    const b = broker({ maxChannels: 8 });
    const runner = b.runner('c20', target());
    let peak = 0;
    let sawQueue = false;
    const watch = setInterval(() => {
      const load = b.load('c20');
      peak = Math.max(peak, load.inFlight);
      if (load.queued > 0) sawQueue = true;
    }, 5);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => runner.run(`sleep 0.3; echo ${i}`)));
    clearInterval(watch);
    expect(results.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
    expect(b.connectionsOpened('c20')).toBe(1);
    expect(acceptedLogins(sshd) - before).toBe(1);
    expect(peak).toBeLessThanOrEqual(8);
    expect(sawQueue).toBe(true);
  });

  it('resolves an alias from the ssh config (HostName, User, Port, IdentityFile)', async () => {
    const config = join(dir, 'ssh_config_alias');
    writeFileSync(config, `Host mycluster\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User ${USER}\n  IdentityFile ${key.privateKeyPath}\n`);
    const r = await broker({ sshConfigPath: config }).runner('alias', { host: 'mycluster' }).run('whoami; echo "$SSH_CONNECTION"');
    const [who, conn] = r.stdout.trim().split('\n');
    expect(who).toBe(USER);
    expect(conn?.split(' ')[3]).toBe(String(sshd.port));
  });

  it('reaches the target through a ProxyJump host that is itself an alias in the config', async () => {
    const config = join(dir, 'ssh_config_jump');
    writeFileSync(
      config,
      `Host bastion\n  HostName 127.0.0.1\n  Port ${jump.port}\n  User ${USER}\n  IdentityFile ${key.privateKeyPath}\n\n` +
        `Host inside\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User ${USER}\n  IdentityFile ${key.privateKeyPath}\n  ProxyJump bastion\n`,
    );
    const jumpBefore = acceptedLogins(jump);
    const targetBefore = acceptedLogins(sshd);
    const r = await broker({ sshConfigPath: config }).runner('jumped', { host: 'inside' }).run('echo "$SSH_CONNECTION"');
    expect(r.stdout.trim().split(' ')[3]).toBe(String(sshd.port));
    expect(acceptedLogins(jump) - jumpBefore).toBe(1);
    expect(acceptedLogins(sshd) - targetBefore).toBe(1);
  });

  it('asks once about an unknown host key (SHA256 fingerprint like OpenSSH) and remembers an accepted key', async () => {
    const appKnownHosts = join(dir, 'app-tofu', 'known_hosts');
    const asked: UnknownHostKeyRequest[] = [];
    const opts = {
      userKnownHostsPath: null,
      appKnownHostsPath: appKnownHosts,
      onUnknownHostKey: async (req: UnknownHostKeyRequest) => {
        asked.push(req);
        return true;
      },
    };
    const first = broker(opts).runner('tofu', target());
    const results = await Promise.all([first.run('echo a'), first.run('echo b'), first.run('echo c')]);
    expect(results.map((r) => r.stdout)).toEqual(['a\n', 'b\n', 'c\n']);
    expect(asked).toHaveLength(1);
    const expected = execFileSync('ssh-keygen', ['-lf', `${sshd.hostKeyPath}.pub`], { encoding: 'utf8' }).split(' ')[1];
    expect(asked[0]).toMatchObject({ cluster: 'tofu', host: '127.0.0.1', port: sshd.port, keyType: 'ssh-ed25519', fingerprint: expected });
    expect(readFileSync(appKnownHosts, 'utf8')).toContain(`[127.0.0.1]:${sshd.port} ssh-ed25519 `);
    // A new app session with the same data folder trusts the key without asking.
    const again = await broker(opts).runner('tofu', target()).run('echo again');
    expect(again.stdout).toBe('again\n');
    expect(asked).toHaveLength(1);
  });

  it('does not connect when the user declines an unknown host key', async () => {
    const b = broker({ userKnownHostsPath: null, onUnknownHostKey: async () => false });
    await expect(b.runner('declined', target()).run('echo no')).rejects.toMatchObject({ code: 'host_key_rejected' });
    expect(b.connectionsOpened('declined')).toBe(0);
  });

  it('refuses a CHANGED host key loudly and never asks', async () => {
    const other = makeClientKey(join(dir, 'impostor')).publicKey.split(' ');
    const appKnownHosts = join(dir, 'app-changed', 'known_hosts');
    mkdirSync(join(dir, 'app-changed'));
    writeFileSync(appKnownHosts, `[127.0.0.1]:${sshd.port} ${other[0]} ${other[1]}\n`);
    let asked = 0;
    const statuses: SshStatus[] = [];
    const b = broker({
      userKnownHostsPath: null,
      appKnownHostsPath: appKnownHosts,
      onUnknownHostKey: async () => {
        asked += 1;
        return true;
      },
      onStatus: (_c, s) => statuses.push(s),
    });
    const err = await b.runner('changed', target()).run('echo should-not-run').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'host_key_changed' });
    expect(String((err as Error).message)).toMatch(new RegExp(`HOST KEY CHANGED for 127\\.0\\.0\\.1:${sshd.port}.*refusing to connect`));
    expect(asked).toBe(0);
    expect(statuses.at(-1)?.state).toBe('error');
    expect(readFileSync(appKnownHosts, 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('reconnects after sshd restarts mid-use and the next command succeeds', async () => {
    const b = broker();
    const runner = b.runner('restart', target());
    expect((await runner.run('echo before')).stdout).toBe('before\n');
    killSessionsOf(sshd.pid);
    await sshd.restart();
    const after = await runner.run('echo after');
    expect(after.stdout).toBe('after\n');
    expect(b.connectionsOpened('restart')).toBe(2);
    expect(b.status('restart').state).toBe('connected');
  });

  it('fails fast with "backing off until …" after a failed connection, then recovers', async () => {
    const statuses: SshStatus[] = [];
    const b = broker({ backoff: { initialMs: 400, maxMs: 1000 }, onStatus: (_c, s) => statuses.push(s) });
    const runner = b.runner('down', { ...target(), port: 1 });
    await expect(runner.run('true')).rejects.toMatchObject({ code: 'connect_failed' });
    await expect(runner.run('true')).rejects.toThrow(/backing off until \d{4}-\d\d-\d\dT/);
    expect(statuses.at(-1)).toMatchObject({ state: 'backing_off' });
    expect(statuses.at(-1)?.retryAt).toBeGreaterThan(Date.now());
    // Fixing the settings (a new target) clears the backoff.
    const fixed = b.runner('down', target());
    expect((await fixed.run('echo up')).stdout).toBe('up\n');
  });

  it('times out a command with exit 124, kills it on the server, and keeps the connection usable', async () => {
    const b = broker();
    const runner = b.runner('timeout', target());
    const r = await runner.run('sleep 31.25; echo never', { timeoutMs: 500 });
    expect(r).toMatchObject({ exitCode: 124, timedOut: true, stdout: '' });
    await new Promise((res) => setTimeout(res, 300));
    const left = await runner.run("pgrep -f 'sleep 31[.]25' || true");
    expect(left.stdout).toBe('');
    expect((await runner.run('echo still-here')).stdout).toBe('still-here\n');
    expect(b.connectionsOpened('timeout')).toBe(1);
  });

  it('asks for the passphrase of an encrypted key through the prompt callback, once per app session', async () => {
    const prompts: PromptRequest[] = [];
    const b = broker({
      onPrompt: async (req) => {
        prompts.push(req);
        return ['correct horse'];
      },
    });
    const enc = { host: '127.0.0.1', port: sshd.port, user: USER, keyPath: encKeyPath };
    const r = await b.runner('enc', enc).run('echo unlocked');
    expect(r.stdout).toBe('unlocked\n');
    expect(prompts).toHaveLength(1);
    expect(prompts[0]?.prompts[0]).toMatchObject({ echo: false });
    expect(prompts[0]?.prompts[0]?.prompt).toContain(encKeyPath);
    // A second cluster using the same key (or a reconnect) does not ask again.
    b.runner('enc2', enc);
    expect((await b.runner('enc2', enc).run('echo again')).stdout).toBe('again\n');
    expect(prompts).toHaveLength(1);
  });

  it('tells the user a wrong passphrase was wrong and asks again', async () => {
    const answers = ['wrong', 'correct horse'];
    const prompts: PromptRequest[] = [];
    const b = broker({
      onPrompt: async (req) => {
        prompts.push(req);
        return [answers.shift() ?? ''];
      },
    });
    const r = await b.runner('enc', { host: '127.0.0.1', port: sshd.port, user: USER, keyPath: encKeyPath }).run('echo ok');
    expect(r.stdout).toBe('ok\n');
    expect(prompts).toHaveLength(2);
    expect(prompts[1]?.instructions).toMatch(/Wrong passphrase/);
  });

  it('logs in with a key held by ssh-agent', async () => {
    const sock = join(dir, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 20));
      execFileSync('ssh-add', [agentKeyPath], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'pipe' });
      // No key files: only the agent can log us in.
      const b = broker({ agentSocket: sock });
      const r = await b.runner('agent', { host: '127.0.0.1', port: sshd.port, user: USER }).run('echo via-agent');
      expect(r.stdout).toBe('via-agent\n');
    } finally {
      if (agent.pid) await killPid(agent.pid);
    }
  });

  it('logs in with an OpenSSH user certificate (CertificateFile) where only the CA is trusted', async () => {
    const config = join(dir, 'ssh_config_cert');
    writeFileSync(config, `Host certhost\n  HostName 127.0.0.1\n  Port ${certSshd.port}\n  User ${USER}\n  IdentityFile ${certKeyPath}\n  CertificateFile ${certKeyPath}-cert.pub\n  IdentitiesOnly yes\n`);
    const r = await broker({ sshConfigPath: config }).runner('cert', { host: 'certhost' }).run('echo certified');
    expect(r.stdout).toBe('certified\n');
    expect(readFileSync(join(certSshd.dir, 'sshd.log'), 'utf8')).toMatch(/Accepted publickey for shtest .* ED25519-CERT/);
  });

  it('explains a refused login: who, where, which keys were tried', async () => {
    const b = broker();
    const err = await b
      .runner('denied', { host: '127.0.0.1', port: certSshd.port, user: USER, keyPath: agentKeyPath })
      .run('true')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'auth_failed' });
    expect(String((err as Error).message)).toContain(`permission denied for ${USER}@127.0.0.1:${certSshd.port}`);
    expect(String((err as Error).message)).toContain(agentKeyPath);
  });
});
