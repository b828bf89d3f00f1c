// A private OpenSSH server on 127.0.0.1 for integration tests: own host key, own authorized_keys, no PAM.
// Started in the foreground (-D -e) so its pid is the child we spawned; stopped by that pid only.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface SshdOptions {
  /** Folder for config, keys and logs (created if missing; a temp folder when omitted). */
  dir?: string;
  /** Port to listen on; a free port is picked when omitted. */
  port?: number;
  /** Login user the tests will use (only informational: any user with a key in authorizedKeys may log in). */
  user?: string;
  /** Public key lines accepted for every user. */
  authorizedKeys: string[];
  /** Extra sshd_config lines (e.g. `SetEnv SLURM_CONF=/x/slurm.conf`). */
  extraConfig?: string[];
  /** Reuse this ed25519 host key (created there if missing) so clients keep trusting the server across restarts. */
  hostKeyPath?: string;
}

export interface SshdHandle {
  port: number;
  host: '127.0.0.1';
  user: string;
  hostPublicKey: string;
  hostKeyPath: string;
  dir: string;
  pid: number;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

const SSHD = '/usr/sbin/sshd';
const SFTP_SERVER = '/usr/lib/openssh/sftp-server';

/** OpenSSH server installed and we are root (sshd must be root to switch to the login user). */
export function sshdAvailable(): boolean {
  return existsSync(SSHD) && typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Create a login user that sshd accepts with key auth (a `*` password: `!` means locked when PAM is off). */
export function ensureTestUser(name = 'shtest'): string {
  try {
    execFileSync('id', ['-u', name], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['-m', '-s', '/bin/bash', '-p', '*', name], { stdio: 'pipe' });
  }
  return name;
}

/** A fresh ed25519 client key without passphrase in `dir`. */
export function makeClientKey(dir: string): { privateKeyPath: string; publicKey: string } {
  mkdirSync(dir, { recursive: true });
  const privateKeyPath = join(dir, 'id_ed25519');
  if (!existsSync(privateKeyPath)) {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'scripthut-test', '-f', privateKeyPath], { stdio: 'pipe' });
  }
  return { privateKeyPath, publicKey: readFileSync(`${privateKeyPath}.pub`, 'utf8').trim() };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM, wait, SIGKILL: for a pid this harness started. */
export async function killPid(pid: number, graceMs = 3000): Promise<void> {
  if (!pidAlive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const until = Date.now() + graceMs;
  while (Date.now() < until) {
    if (!pidAlive(pid)) return;
    await sleep(50);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

function ensureHostKey(path: string): string {
  if (!existsSync(path)) {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'scripthut-test-host', '-f', path], { stdio: 'pipe' });
  }
  chmodSync(path, 0o600);
  return readFileSync(`${path}.pub`, 'utf8').trim();
}

export async function startSshd(opts: SshdOptions): Promise<SshdHandle> {
  if (!sshdAvailable()) throw new Error(`sshd harness: ${SSHD} missing or not running as root; install openssh-server and run the tests as root`);
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'scripthut-sshd-'));
  mkdirSync(dir, { recursive: true });
  // sshd reads authorized_keys AS the login user: the folder (and its parents) must be traversable by others.
  chmodSync(dir, 0o755);
  for (let p = dirname(dir); p !== dirname(p); p = dirname(p)) {
    if ((statSync(p).mode & 0o001) === 0) {
      throw new Error(`sshd harness: ${p} is not traversable by other users, so sshd cannot read ${dir}/authorized_keys as the login user; use a dir under /tmp or chmod o+x ${p}`);
    }
  }
  // sshd refuses to start without its privilege-separation folder.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const hostKeyPath = opts.hostKeyPath ?? join(dir, 'ssh_host_ed25519_key');
  const hostPublicKey = ensureHostKey(hostKeyPath);
  const authorizedKeysPath = join(dir, 'authorized_keys');
  writeFileSync(authorizedKeysPath, opts.authorizedKeys.map((k) => k.trim()).join('\n') + '\n', { mode: 0o644 });
  chmodSync(authorizedKeysPath, 0o644);
  const port = opts.port ?? (await freePort());
  const pidFile = join(dir, 'sshd.pid');
  const logFile = join(dir, 'sshd.log');
  const configPath = join(dir, 'sshd_config');
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${hostKeyPath}`,
    `PidFile ${pidFile}`,
    'UsePAM no',
    'StrictModes no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'PermitRootLogin prohibit-password',
    `AuthorizedKeysFile ${authorizedKeysPath}`,
    `Subsystem sftp ${SFTP_SERVER}`,
    'LogLevel VERBOSE',
    'MaxStartups 100:30:200',
    'MaxSessions 50',
    ...(opts.extraConfig ?? []),
    '',
  ].join('\n');
  writeFileSync(configPath, config);
  execFileSync(SSHD, ['-t', '-f', configPath], { stdio: 'pipe' });

  let pid = 0;
  const launch = async (): Promise<void> => {
    const logFd = openSync(logFile, 'a');
    const child = spawn(SSHD, ['-D', '-e', '-f', configPath], { stdio: ['ignore', logFd, logFd], detached: true });
    closeSync(logFd);
    child.unref();
    if (!child.pid) throw new Error(`sshd harness: could not start ${SSHD}; see ${logFile}`);
    pid = child.pid;
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      if (await portOpen(port)) return;
      if (!pidAlive(pid)) break;
      await sleep(30);
    }
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
    await killPid(pid);
    throw new Error(`sshd harness: sshd did not listen on 127.0.0.1:${port}. Log ${logFile}:\n${log}`);
  };
  await launch();

  const halt = async (): Promise<void> => {
    await killPid(pid);
    // The listener may be gone before the pid: wait until the port is really closed.
    const until = Date.now() + 3000;
    while (Date.now() < until && (await portOpen(port))) await sleep(30);
  };

  const handle: SshdHandle = {
    port,
    host: '127.0.0.1',
    user: opts.user ?? 'root',
    hostPublicKey,
    hostKeyPath,
    dir,
    get pid() {
      return pid;
    },
    async stop() {
      await halt();
      // A folder the harness made itself is removed (a given `dir` is the caller's, e.g. reused host keys).
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await halt();
      await launch();
    },
  };
  return handle;
}
