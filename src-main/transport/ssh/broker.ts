// The SSH connection broker: ONE ssh2 connection per cluster, shared by every command (poll, submit, accounting,
// logs), at most `maxChannels` channels at a time with a FIFO queue behind, lazy reconnect with exponential
// backoff, host-key policy and interactive logins through callbacks, status events per cluster.
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Client, ParsedKey } from 'ssh2';
import { withSchedulerEnv, type CommandRunner, type RunOptions, type RunResult } from '../runner';
import type { PromptCallback } from './auth';
import type { PassphraseStore } from '../../secrets/passphrase-store';
import { Backoff } from './backoff';
import { ChannelLimiter } from './channel-limiter';
import { connectHop } from './connect';
import { SshError } from './errors';
import { ChannelOpenError, execOnClient } from './exec';
import { readSshConfig } from './ssh-config-file';
import { HostKeyChecker, type UnknownHostKeyCallback } from './host-key-check';
import { parseProxyJump, resolveJumpChain, resolveSshTarget, type ResolvedSshTarget, type SshConfigEnv } from './ssh-config';

export type SshState = 'ready' | 'connecting' | 'connected' | 'waiting_for_user' | 'backing_off' | 'error';

export interface SshStatus {
  state: SshState;
  /** For `backing_off`: next attempt allowed at (ms since epoch). */
  retryAt: number | null;
  /** Why we are in `error` / `backing_off`, or what we are waiting for. */
  message: string | null;
}

export interface SshTarget {
  /** Host name or ~/.ssh/config alias. */
  host: string;
  user?: string;
  port?: number;
  /** Private key tried first (before the config's IdentityFile lines). */
  keyPath?: string;
  certPath?: string;
  /** Comma-separated jump hosts; overrides the config's ProxyJump. */
  proxyJump?: string;
  /** The cluster's own known_hosts file (config `ssh.known_hosts`), trusted read-only. */
  knownHostsPath?: string;
}

export interface SshBrokerOptions {
  /** Default ~/.ssh/config; a missing file means "no config". */
  sshConfigPath?: string;
  /** Default ~/.ssh/known_hosts (read only). null = do not consult it. */
  userKnownHostsPath?: string | null;
  /** The app's own known_hosts (accepted keys are appended here). */
  appKnownHostsPath: string;
  onPrompt: PromptCallback;
  /** Key passphrases remembered in the OS keychain (desktop app); absent = never remembered nor offered. */
  passphrases?: PassphraseStore | null;
  onUnknownHostKey: UnknownHostKeyCallback;
  onStatus?: (cluster: string, status: SshStatus) => void;
  /** Concurrent channels per connection (sshd's MaxSessions defaults to 10). Default 8. */
  maxChannels?: number;
  /** Default 15 s (time spent answering prompts does not count). */
  connectTimeoutMs?: number;
  /** ssh-agent socket; default SSH_AUTH_SOCK; null = no agent. */
  agentSocket?: string | null;
  /** Local home / user for `~` and defaults (tests). */
  env?: SshConfigEnv;
  /** Reconnect backoff, default 1 s doubling to 5 min. */
  backoff?: { initialMs: number; maxMs: number };
}

interface Connection {
  /** The client that runs commands (last hop). */
  client: Client;
  /** Every client in the chain, jump hosts first. */
  chain: Client[];
  alive: boolean;
}

class ClusterState {
  target: SshTarget;
  conn: Connection | null = null;
  connecting: Promise<Connection> | null = null;
  status: SshStatus = { state: 'ready', retryAt: null, message: null };
  lastError: string | null = null;
  connectionsOpened = 0;
  readonly limiter: ChannelLimiter;
  readonly backoff: Backoff;
  constructor(
    readonly name: string,
    target: SshTarget,
    maxChannels: number,
    backoff: { initialMs: number; maxMs: number },
  ) {
    this.target = target;
    this.limiter = new ChannelLimiter(maxChannels);
    this.backoff = new Backoff(backoff.initialMs, backoff.maxMs);
  }
}

function sameTarget(a: SshTarget, b: SshTarget): boolean {
  const norm = (t: SshTarget) => JSON.stringify([t.host, t.user ?? null, t.port ?? null, t.keyPath ?? null, t.certPath ?? null, t.proxyJump ?? null, t.knownHostsPath ?? null]);
  return norm(a) === norm(b);
}

export class SshBroker {
  private readonly clusters = new Map<string, ClusterState>();
  private readonly hostKeys: HostKeyChecker;
  private readonly keyCache = new Map<string, ParsedKey>();
  private readonly env: SshConfigEnv;
  private closed = false;

  constructor(private readonly opts: SshBrokerOptions) {
    this.env = opts.env ?? { home: homedir(), localUser: userInfo().username };
    const userKnown = opts.userKnownHostsPath === undefined ? join(this.env.home, '.ssh', 'known_hosts') : opts.userKnownHostsPath;
    this.hostKeys = new HostKeyChecker(userKnown, opts.appKnownHostsPath, opts.onUnknownHostKey);
  }

  /** A runner for `cluster`. Every runner for the same cluster shares one connection. */
  runner(cluster: string, target: SshTarget): CommandRunner {
    let state = this.clusters.get(cluster);
    if (!state) {
      state = new ClusterState(cluster, target, this.opts.maxChannels ?? 8, this.opts.backoff ?? { initialMs: 1000, maxMs: 5 * 60_000 });
      this.clusters.set(cluster, state);
    } else if (!sameTarget(state.target, target)) {
      state.target = target;
      state.backoff.succeed();
      this.drop(state, 'settings changed');
    }
    const s = state;
    return {
      label: `ssh ${cluster}`,
      run: (command, runOpts) => this.run(s, command, runOpts ?? {}),
      close: async () => this.drop(s, 'closed by its user'),
    };
  }

  status(cluster: string): SshStatus {
    return this.clusters.get(cluster)?.status ?? { state: 'ready', retryAt: null, message: null };
  }

  /** TCP connections (to the final host) opened for `cluster` so far: a good citizen keeps this at 1. */
  connectionsOpened(cluster: string): number {
    return this.clusters.get(cluster)?.connectionsOpened ?? 0;
  }

  /** Commands running / waiting for a channel on `cluster`. */
  load(cluster: string): { inFlight: number; queued: number } {
    const s = this.clusters.get(cluster);
    return { inFlight: s?.limiter.inFlight ?? 0, queued: s?.limiter.queued ?? 0 };
  }

  /** The parameters a connection to `target` would use (for diagnostics and the UI). */
  resolve(target: SshTarget): { target: ResolvedSshTarget; jumps: ResolvedSshTarget[] } {
    const configText = this.readConfig();
    const base = resolveSshTarget(target.host, configText, this.env);
    const identityFiles = target.keyPath ? [target.keyPath.replace(/^~(?=\/|$)/, this.env.home), ...(base.identityFilesAreDefaults ? [] : base.identityFiles)] : base.identityFiles;
    const resolved: ResolvedSshTarget = {
      ...base,
      user: target.user ?? base.user,
      port: target.port ?? base.port,
      identityFiles: [...new Set(identityFiles)],
      identityFilesAreDefaults: target.keyPath ? false : base.identityFilesAreDefaults,
      certificateFiles: target.certPath ? [target.certPath.replace(/^~(?=\/|$)/, this.env.home), ...base.certificateFiles] : base.certificateFiles,
      proxyJump: target.proxyJump !== undefined ? parseProxyJump(target.proxyJump) : base.proxyJump,
      knownHostsFiles: target.knownHostsPath ? [target.knownHostsPath.replace(/^~(?=\/|$)/, this.env.home), ...base.knownHostsFiles] : base.knownHostsFiles,
    };
    return { target: resolved, jumps: resolveJumpChain(resolved.proxyJump, configText, this.env) };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.clusters.values()) this.drop(s, 'broker closed');
  }

  private readConfig(): string {
    return readSshConfig(this.opts.sshConfigPath ?? join(this.env.home, '.ssh', 'config'), this.env.home);
  }

  private setStatus(s: ClusterState, status: SshStatus): void {
    s.status = status;
    this.opts.onStatus?.(s.name, status);
  }

  private drop(s: ClusterState, why: string): void {
    const conn = s.conn;
    s.conn = null;
    if (conn) {
      conn.alive = false;
      for (const c of [...conn.chain].reverse()) c.end();
      if (s.status.state === 'connected') this.setStatus(s, { state: 'ready', retryAt: null, message: why });
    }
  }

  private async run(s: ClusterState, command: string, opts: RunOptions): Promise<RunResult> {
    const remote = withSchedulerEnv(command, opts.kind);
    // A channel that could not even be opened means the connection died unnoticed: the command never ran, so
    // one retry on a fresh connection is safe (it is NOT safe once a command has started).
    for (let attempt = 0; ; attempt++) {
      await this.connection(s);
      const release = await s.limiter.acquire();
      try {
        const conn = await this.connection(s);
        return await execOnClient(conn.client, remote, { stdin: opts.stdin, timeoutMs: opts.timeoutMs }, `ssh ${s.name}`);
      } catch (err) {
        if (err instanceof ChannelOpenError && attempt === 0) {
          this.drop(s, err.message);
          continue;
        }
        throw err;
      } finally {
        release();
      }
    }
  }

  private connection(s: ClusterState): Promise<Connection> {
    if (this.closed) return Promise.reject(new SshError('closed', `ssh ${s.name}: the connection broker is closed`));
    if (s.conn?.alive) return Promise.resolve(s.conn);
    if (s.connecting) return s.connecting;
    const blocked = s.backoff.blockedUntil();
    if (blocked !== null) {
      return Promise.reject(
        new SshError('backing_off', `ssh ${s.name}: not connected; backing off until ${new Date(blocked).toISOString()} after ${s.backoff.consecutiveFailures} failed attempt(s). Last error: ${s.lastError ?? 'unknown'}`, blocked),
      );
    }
    s.connecting = this.open(s).finally(() => {
      s.connecting = null;
    });
    return s.connecting;
  }

  private async open(s: ClusterState): Promise<Connection> {
    this.setStatus(s, { state: 'connecting', retryAt: null, message: null });
    const chain: Client[] = [];
    try {
      const { target, jumps } = this.resolve(s.target);
      if (target.proxyCommand && target.proxyJump.length === 0) {
        throw new SshError('config', `ssh ${s.name}: host "${target.alias}" uses ProxyCommand, which ScriptHut does not run; use ProxyJump instead (ssh -J) in your ssh config`);
      }
      const agentSocket = target.identityAgent === 'none' ? null : (target.identityAgent ?? (this.opts.agentSocket === undefined ? (process.env.SSH_AUTH_SOCK ?? null) : this.opts.agentSocket));
      let waitingDepth = 0;
      const ctx = {
        cluster: s.name,
        hostKeys: this.hostKeys,
        onPrompt: this.opts.onPrompt,
        keyCache: this.keyCache,
        passphrases: this.opts.passphrases ?? null,
        agent: agentSocket,
        connectTimeoutMs: target.connectTimeout ? target.connectTimeout * 1000 : (this.opts.connectTimeoutMs ?? 15_000),
        waitingForUser: (on: boolean) => {
          waitingDepth += on ? 1 : -1;
          this.setStatus(s, on || waitingDepth > 0 ? { state: 'waiting_for_user', retryAt: null, message: 'waiting for your answer to a login or host-key prompt' } : { state: 'connecting', retryAt: null, message: null });
        },
      };
      for (const hop of [...jumps, target]) {
        const previous = chain[chain.length - 1];
        const sock = previous ? await forward(previous, hop, s.name) : undefined;
        chain.push(await connectHop(hop, ctx, sock));
      }
      const client = chain[chain.length - 1] as Client;
      const conn: Connection = { client, chain, alive: true };
      for (const c of chain) {
        c.on('close', () => {
          if (!conn.alive) return;
          conn.alive = false;
          for (const other of chain) if (other !== c) other.end();
          if (s.conn === conn) {
            s.conn = null;
            this.setStatus(s, { state: 'error', retryAt: null, message: `connection to ${target.hostName} lost; it is reopened by the next command` });
          }
        });
      }
      s.connectionsOpened += 1;
      s.backoff.succeed();
      s.lastError = null;
      if (this.closed) {
        for (const c of chain) c.end();
        throw new SshError('closed', `ssh ${s.name}: the connection broker is closed`);
      }
      s.conn = conn;
      this.setStatus(s, { state: 'connected', retryAt: null, message: null });
      return conn;
    } catch (err) {
      for (const c of [...chain].reverse()) c.end();
      const e = err instanceof SshError ? err : new SshError('connect_failed', `ssh ${s.name}: ${(err as Error).message}`);
      if (e.code === 'closed') throw e;
      s.lastError = e.message;
      const retryAt = s.backoff.fail();
      this.setStatus(s, e.code === 'host_key_changed' ? { state: 'error', retryAt, message: e.message } : { state: 'backing_off', retryAt, message: e.message });
      throw e;
    }
  }
}

function forward(via: Client, hop: ResolvedSshTarget, cluster: string): Promise<import('node:stream').Duplex> {
  return new Promise((resolve, reject) => {
    via.forwardOut('127.0.0.1', 0, hop.hostName, hop.port, (err, stream) => {
      if (err) reject(new SshError('connect_failed', `ssh ${cluster}: the jump host could not reach ${hop.hostName}:${hop.port}: ${err.message}`));
      else resolve(stream);
    });
  });
}
