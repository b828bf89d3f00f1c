import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Backoff } from '../../src-main/transport/ssh/backoff';
import { ChannelLimiter } from '../../src-main/transport/ssh/channel-limiter';
import { SshBroker } from '../../src-main/transport/ssh/broker';
import { readSshConfig } from '../../src-main/transport/ssh/ssh-config-file';

describe('ChannelLimiter', () => {
  it('lets at most max run and serves waiters first come, first served', async () => {
    const limiter = new ChannelLimiter(2);
    const order: number[] = [];
    const releases: Array<() => void> = [];
    const take = (i: number) =>
      limiter.acquire().then((r) => {
        order.push(i);
        releases.push(r);
      });
    const all = [1, 2, 3, 4, 5].map(take);
    await new Promise((r) => setTimeout(r, 0));
    expect(order).toEqual([1, 2]);
    expect(limiter.queued).toBe(3);
    releases[0]?.();
    releases[0]?.(); // releasing twice must not free two slots
    await new Promise((r) => setTimeout(r, 0));
    expect(order).toEqual([1, 2, 3]);
    expect(limiter.inFlight).toBe(2);
    releases[1]?.();
    releases[2]?.();
    await new Promise((r) => setTimeout(r, 0));
    expect(order).toEqual([1, 2, 3, 4, 5]);
    releases.slice(3).forEach((r) => r());
    await Promise.all(all);
    expect(limiter.inFlight).toBe(0);
  });
});

describe('Backoff', () => {
  it('doubles from 1 s up to the 5 min cap and resets on success', () => {
    const b = new Backoff(1000, 300_000);
    const t0 = 1_000_000;
    expect(b.blockedUntil(t0)).toBeNull();
    const delays = Array.from({ length: 11 }, () => b.fail(t0) - t0);
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 300000, 300000]);
    expect(b.blockedUntil(t0 + 1)).toBe(t0 + 300_000);
    b.succeed();
    expect(b.blockedUntil(t0 + 1)).toBeNull();
    expect(b.fail(t0) - t0).toBe(1000);
  });
});

describe('ssh config on disk and per-cluster overrides', () => {
  const home = mkdtempSync(join(tmpdir(), 'sshcfg-'));
  mkdirSync(join(home, '.ssh', 'config.d'), { recursive: true });
  writeFileSync(join(home, '.ssh', 'config'), 'Include config.d/*.conf\nHost *\n  User fallback\n');
  writeFileSync(join(home, '.ssh', 'config.d', 'hpc.conf'), 'Host hpc\n  HostName login.hpc.org\n  User alice\n  IdentityFile ~/.ssh/hpc\n  ProxyJump gw\n');
  writeFileSync(join(home, '.ssh', 'config.d', 'ignored.txt'), 'Host hpc\n  User wrong\n');

  it('follows Include lines relative to ~/.ssh with wildcards', () => {
    const text = readSshConfig(join(home, '.ssh', 'config'), home);
    expect(text).toContain('HostName login.hpc.org');
    expect(text).not.toContain('wrong');
  });

  it('puts the cluster key first and lets cluster settings override the config', () => {
    const b = new SshBroker({ appKnownHostsPath: join(home, 'kh'), env: { home, localUser: 'me' }, onPrompt: async () => null, onUnknownHostKey: async () => false });
    const { target, jumps } = b.resolve({ host: 'hpc', keyPath: '~/.ssh/cluster_key', port: 2200, proxyJump: 'bob@bastion:2222' });
    expect(target).toMatchObject({ hostName: 'login.hpc.org', user: 'alice', port: 2200, identityFiles: [join(home, '.ssh/cluster_key'), join(home, '.ssh/hpc')], proxyJump: ['bob@bastion:2222'] });
    expect(jumps.map((j) => `${j.user}@${j.hostName}:${j.port}`)).toEqual(['bob@bastion:2222']);
    expect(b.resolve({ host: 'hpc' }).jumps.map((j) => `${j.user}@${j.hostName}`)).toEqual(['fallback@gw']);
  });
});
