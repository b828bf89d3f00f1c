// Round-trip of `true` over the broker's shared ssh2 connection vs OpenSSH reusing a ControlMaster socket, both
// against the harness sshd on 127.0.0.1. Also: 20 commands in parallel over one connection (wall time).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SshBroker } from '../src-main/transport/ssh';
import { ensureTestUser, makeClientKey, sshdAvailable, startSshd } from '../test/harness/sshd';
import { machineLoad, writeBenchResult } from './lib/report';

const N = 200;
const USER = 'shtest';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}
const round = (x: number) => Math.round(x * 100) / 100;

async function main() {
  if (!sshdAvailable()) {
    console.log('ssh-roundtrip: SKIPPED (sshd missing or not root)');
    return;
  }
  ensureTestUser(USER);
  const dir = mkdtempSync(join(tmpdir(), 'bench-ssh-'));
  chmodSync(dir, 0o755);
  const key = makeClientKey(join(dir, 'client'));
  const sshd = await startSshd({ dir: join(dir, 'sshd'), user: USER, authorizedKeys: [key.publicKey] });
  const knownHosts = join(dir, 'known_hosts');
  const [type, pub] = sshd.hostPublicKey.split(/\s+/);
  writeFileSync(knownHosts, `[127.0.0.1]:${sshd.port} ${type} ${pub}\n`);
  const broker = new SshBroker({
    userKnownHostsPath: knownHosts,
    appKnownHostsPath: join(dir, 'app_known_hosts'),
    sshConfigPath: join(dir, 'none'),
    agentSocket: null,
    env: { home: dir, localUser: USER },
    onPrompt: async () => null,
    onUnknownHostKey: async () => false,
  });
  const control = join(dir, 'cm.sock');
  const sshArgs = ['-F', '/dev/null', '-i', key.privateKeyPath, '-p', String(sshd.port), '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'ControlMaster=auto', '-o', `ControlPath=${control}`, '-o', 'ControlPersist=60', `${USER}@127.0.0.1`];
  try {
    const runner = broker.runner('bench', { host: '127.0.0.1', port: sshd.port, user: USER, keyPath: key.privateKeyPath });
    const t0 = performance.now();
    await runner.run('true');
    const firstConnectMs = performance.now() - t0;
    for (let i = 0; i < 10; i++) await runner.run('true');
    const brokerTimes: number[] = [];
    for (let i = 0; i < N; i++) {
      const t = performance.now();
      await runner.run('true');
      brokerTimes.push(performance.now() - t);
    }
    const p0 = performance.now();
    await Promise.all(Array.from({ length: 20 }, () => runner.run('true')));
    const parallel20Ms = performance.now() - p0;

    execFileSync('ssh', [...sshArgs, 'true']); // opens the master
    for (let i = 0; i < 10; i++) spawnSync('ssh', [...sshArgs, 'true']);
    const sshTimes: number[] = [];
    for (let i = 0; i < N; i++) {
      const t = performance.now();
      const r = spawnSync('ssh', [...sshArgs, 'true']);
      if (r.status !== 0) throw new Error(`ssh failed: ${r.stderr}`);
      sshTimes.push(performance.now() - t);
    }
    const brokerMedian = median(brokerTimes);
    const sshMedian = median(sshTimes);
    writeBenchResult(
      'ssh-roundtrip',
      [
        { name: 'broker median round-trip (true)', value: round(brokerMedian), unit: 'ms', target: '<= OpenSSH ControlMaster', met: brokerMedian <= sshMedian },
        { name: 'OpenSSH ControlMaster median round-trip (true)', value: round(sshMedian), unit: 'ms' },
        { name: 'broker first command incl. connect + login', value: round(firstConnectMs), unit: 'ms' },
        { name: 'broker 20 parallel commands (8 channels)', value: round(parallel20Ms), unit: 'ms' },
        { name: 'TCP connections opened by the broker', value: broker.connectionsOpened('bench'), unit: 'count', target: '1', met: broker.connectionsOpened('bench') === 1 },
      ],
      { samples: N, host: '127.0.0.1 (loopback)', ...machineLoad() },
    );
  } finally {
    spawnSync('ssh', [...sshArgs.slice(0, -1), '-O', 'exit', `${USER}@127.0.0.1`]);
    await broker.close();
    await sshd.stop();
  }
}

await main();
