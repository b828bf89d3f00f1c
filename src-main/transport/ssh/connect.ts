// Open one authenticated ssh2 connection to one host (directly, or over a stream forwarded by a jump host),
// with host-key checking, the login sequence and a connect timeout that stops while a person is being asked.
import type { Client as Ssh2Client, ParsedKey } from 'ssh2';
import { Client } from './ssh2-module';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { buildAuthHandler, type PromptCallback } from './auth';
import { enableCertificateAuth } from './certificate-auth';
import { SshError } from './errors';
import type { HostKeyChecker } from './host-key-check';
import { hostKeyAlgorithmOrder } from './known-hosts';
import type { ResolvedSshTarget } from './ssh-config';
import type { PassphraseStore } from '../../secrets/passphrase-store';

export interface HopContext {
  cluster: string;
  hostKeys: HostKeyChecker;
  onPrompt: PromptCallback;
  keyCache: Map<string, ParsedKey>;
  passphrases?: PassphraseStore | null;
  agent: string | null;
  connectTimeoutMs: number;
  waitingForUser: (waiting: boolean) => void;
}

/** A pausable deadline: paused while someone is answering a prompt, so slow humans are not timed out. */
class Deadline {
  private timer: NodeJS.Timeout | null = null;
  private paused = 0;
  constructor(
    private readonly ms: number,
    private readonly onExpire: () => void,
  ) {
    this.arm();
  }
  private arm() {
    this.timer = setTimeout(this.onExpire, this.ms);
  }
  pause() {
    if (this.paused++ === 0 && this.timer) clearTimeout(this.timer);
  }
  resume() {
    if (--this.paused === 0) this.arm();
  }
  clear() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.paused = -1_000_000;
  }
}

/** A TCP connection with Nagle off: SSH sends many small packets, and Nagle + delayed ACKs add ~40 ms to each. */
function openTcp(hop: ResolvedSshTarget, ctx: HopContext): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: hop.hostName, port: hop.port });
    sock.setNoDelay(true);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new SshError('connect_failed', `ssh ${ctx.cluster}: timed out after ${ctx.connectTimeoutMs} ms connecting to ${hop.hostName}:${hop.port}; check the host name, port and network (VPN?)`));
    }, ctx.connectTimeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.removeAllListeners('error');
      resolve(sock);
    });
    sock.once('error', (err) => {
      clearTimeout(timer);
      reject(new SshError('connect_failed', `ssh ${ctx.cluster}: cannot connect to ${hop.hostName}:${hop.port}: ${err.message}`));
    });
  });
}

export async function connectHop(hop: ResolvedSshTarget, ctx: HopContext, via?: Duplex): Promise<Ssh2Client> {
  return login(hop, ctx, via ?? (await openTcp(hop, ctx)));
}

function login(hop: ResolvedSshTarget, ctx: HopContext, sock: Duplex): Promise<Ssh2Client> {
  const where = `${hop.user}@${hop.hostName}:${hop.port}`;
  const keyHost = hop.hostKeyAlias ?? hop.hostName;
  return new Promise((resolve, reject) => {
    const client = new Client();
    let settled = false;
    let failure: SshError | null = null;
    const fail = (err: SshError) => {
      if (settled) return;
      settled = true;
      deadline.clear();
      client.removeAllListeners('ready');
      client.on('error', () => {});
      client.end();
      sock.destroy();
      reject(err);
    };
    const deadline = new Deadline(ctx.connectTimeoutMs, () =>
      fail(new SshError('connect_failed', `ssh ${ctx.cluster}: timed out after ${ctx.connectTimeoutMs} ms connecting to ${where}; check the host name, port and network (VPN?)`)),
    );
    const waiting = (on: boolean) => {
      if (on) deadline.pause();
      else deadline.resume();
      ctx.waitingForUser(on);
    };
    const auth = buildAuthHandler({
      cluster: ctx.cluster,
      where,
      username: hop.user,
      identityFiles: hop.identityFiles,
      certificateFiles: hop.certificateFiles,
      agent: hop.identitiesOnly ? null : ctx.agent,
      onPrompt: ctx.onPrompt,
      keyCache: ctx.keyCache,
      passphrases: ctx.passphrases ?? null,
      waitingForUser: waiting,
    });
    client.once('ready', () => {
      if (settled) return;
      settled = true;
      deadline.clear();
      client.on('error', () => {
        /* later errors surface through 'close' in the broker */
      });
      resolve(client);
    });
    client.on('error', (err: Error & { level?: string }) => {
      if (failure) return fail(failure);
      const cancelled = auth.cancelled();
      if (cancelled) return fail(cancelled);
      if (err.level === 'client-authentication') {
        const tried = [...new Set(auth.tried)];
        return fail(
          new SshError(
            'auth_failed',
            `ssh ${ctx.cluster}: permission denied for ${where} (tried: ${tried.length ? tried.join(', ') : 'nothing usable'}). ` +
              `Check the user name, that one of these keys is in ~/.ssh/authorized_keys on the server, or load your key into ssh-agent.`,
          ),
        );
      }
      fail(new SshError('connect_failed', `ssh ${ctx.cluster}: cannot connect to ${where}: ${err.message}`));
    });
    client.on('close', () => fail(failure ?? new SshError('connect_failed', `ssh ${ctx.cluster}: ${where} closed the connection during login`)));
    try {
      client.connect({
        host: hop.hostName,
        port: hop.port,
        username: hop.user,
        sock: sock as never,
        readyTimeout: 0,
        keepaliveInterval: (hop.serverAliveInterval > 0 ? hop.serverAliveInterval : 30) * 1000,
        keepaliveCountMax: hop.serverAliveCountMax,
        algorithms: { serverHostKey: hostKeyAlgorithmOrder(ctx.hostKeys.knownTypes(keyHost, hop.port, hop.knownHostsFiles)) as never },
        hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
          ctx.hostKeys.check(ctx.cluster, keyHost, hop.port, key, waiting, hop.knownHostsFiles).then(
            () => verify(true),
            (err: unknown) => {
              failure = err instanceof SshError ? err : new SshError('connect_failed', String(err));
              verify(false);
            },
          );
        },
        authHandler: auth.handler,
      });
      enableCertificateAuth(client);
    } catch (err) {
      fail(new SshError('config', `ssh ${ctx.cluster}: cannot start a connection to ${where}: ${(err as Error).message}`));
    }
  });
}
