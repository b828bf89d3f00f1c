// A cluster's own known_hosts file (config `ssh.known_hosts`) and UserKnownHostsFile from ~/.ssh/config are
// trusted, read-only, against a real OpenSSH server: no host-key prompt for a key listed there, and nothing is
// written to them.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshd, type SshdHandle } from '../harness/sshd';
import { makeSshTestBed, sshdTestsEnabled, SSH_TEST_USER as USER, type SshTestBed } from '../helpers/ssh-harness';

const enabled = sshdTestsEnabled('ssh known_hosts integration tests');

describe.skipIf(!enabled.run)('known_hosts files named by the config', () => {
  let bed: SshTestBed;
  let dir: string;
  let key: SshTestBed['key'];
  let sshd: SshdHandle;
  let clusterKnownHosts: string;
  const questions: string[] = [];
  const broker: SshTestBed['broker'] = (extra) => bed.broker(extra);

  beforeAll(async () => {
    if (!enabled.available) throw new Error('SCRIPTHUT_REQUIRE_SLURM=1 but sshd is unavailable');
    bed = makeSshTestBed('ssh-known-files-', {
      onUnknownHostKey: async (req) => {
        questions.push(`${req.host}:${req.port}`);
        return false;
      },
    });
    ({ dir, key } = bed);
    sshd = await startSshd({ dir: join(dir, 'sshd'), user: USER, authorizedKeys: [key.publicKey] });
    const [type, blob] = sshd.hostPublicKey.split(/\s+/);
    clusterKnownHosts = join(dir, 'cluster_known_hosts');
    writeFileSync(clusterKnownHosts, `[127.0.0.1]:${sshd.port} ${type} ${blob}\n`);
  });

  afterAll(async () => {
    await bed?.closeBrokers();
    await sshd?.stop();
  });

  it('trusts the cluster known_hosts file (ssh.known_hosts) without asking, and leaves it unchanged', async () => {
    questions.length = 0;
    const before = readFileSync(clusterKnownHosts, 'utf8');
    const r = await broker()
      .runner('c1', { host: '127.0.0.1', port: sshd.port, user: USER, keyPath: key.privateKeyPath, knownHostsPath: clusterKnownHosts })
      .run('echo ok');
    expect(r.stdout).toBe('ok\n');
    expect(questions).toEqual([]);
    expect(readFileSync(clusterKnownHosts, 'utf8')).toBe(before);
  });

  it('trusts UserKnownHostsFile from ~/.ssh/config (with ~ expanded) without asking', async () => {
    questions.length = 0;
    const inHome = join(bed.home, '.ssh', 'site_known_hosts');
    writeFileSync(inHome, readFileSync(clusterKnownHosts, 'utf8'));
    const config = join(dir, 'ssh_config');
    writeFileSync(config, `Host cluster\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User ${USER}\n  UserKnownHostsFile /nonexistent/known_hosts ~/.ssh/site_known_hosts\n`);
    const r = await broker({ sshConfigPath: config }).runner('c2', { host: 'cluster', keyPath: key.privateKeyPath }).run('echo ok');
    expect(r.stdout).toBe('ok\n');
    expect(questions).toEqual([]);
  });

  it('still asks when no configured file lists the host (the files are consulted, not a bypass)', async () => {
    questions.length = 0;
    const empty = join(dir, 'empty_known_hosts');
    writeFileSync(empty, '');
    await expect(
      broker().runner('c3', { host: '127.0.0.1', port: sshd.port, user: USER, keyPath: key.privateKeyPath, knownHostsPath: empty }).run('echo ok'),
    ).rejects.toThrow(/not accepted/);
    expect(questions).toEqual([`127.0.0.1:${sshd.port}`]);
  });
});
