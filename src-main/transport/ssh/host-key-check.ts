// Host-key policy: trust what the user's ~/.ssh/known_hosts (read-only) or the app's own known_hosts says; ask
// about unknown keys once and remember the answer in the app's file; refuse changed or revoked keys outright.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SshError } from './errors';
import { fingerprintSha256, hostLookupName, keyTypeOfBlob, knownHostsLine, knownKeyTypes, lookupHostKey, parseKnownHosts, type KnownHostEntry } from './known-hosts';

export interface UnknownHostKeyRequest {
  cluster: string;
  host: string;
  port: number;
  keyType: string;
  /** `SHA256:…` as OpenSSH prints it. */
  fingerprint: string;
  /** Key types already known for this host (a hint that something changed), usually empty. */
  otherKnownTypes: string[];
}

export type UnknownHostKeyCallback = (req: UnknownHostKeyRequest) => Promise<boolean>;

export class HostKeyChecker {
  private readonly pending = new Map<string, Promise<boolean>>();
  constructor(
    private readonly userKnownHostsPath: string | null,
    private readonly appKnownHostsPath: string,
    private readonly onUnknownHostKey: UnknownHostKeyCallback,
  ) {}

  /** `extraFiles`: per-host read-only files (UserKnownHostsFile, the cluster's `ssh.known_hosts`). */
  private entries(extraFiles: readonly string[] = []): KnownHostEntry[] {
    const out: KnownHostEntry[] = [];
    for (const file of [...extraFiles, this.userKnownHostsPath, this.appKnownHostsPath]) {
      if (file && existsSync(file)) out.push(...parseKnownHosts(readFileSync(file, 'utf8'), file));
    }
    return out;
  }

  knownTypes(host: string, port: number, extraFiles: readonly string[] = []): string[] {
    return knownKeyTypes(this.entries(extraFiles), host, port);
  }

  /** Resolves when the key may be used; throws SshError otherwise. `waiting` brackets the question to the user. */
  async check(cluster: string, host: string, port: number, blob: Buffer, waiting: (on: boolean) => void, extraFiles: readonly string[] = []): Promise<void> {
    const where = hostLookupName(host, port);
    const fingerprint = fingerprintSha256(blob);
    const verdict = lookupHostKey(this.entries(extraFiles), host, port, blob);
    if (verdict.kind === 'match') return;
    if (verdict.kind === 'revoked') {
      throw new SshError('host_key_changed', `ssh ${cluster}: the host key of ${host}:${port} (${fingerprint}) is marked @revoked in ${verdict.entry.origin}; refusing to connect.`);
    }
    if (verdict.kind === 'changed') {
      throw new SshError(
        'host_key_changed',
        `ssh ${cluster}: HOST KEY CHANGED for ${host}:${port} — the server now presents ${keyTypeOfBlob(blob)} ${fingerprint}, ` +
          `which differs from the key recorded in ${verdict.entry.origin}. Someone could be intercepting the connection ` +
          `(or the server was reinstalled); refusing to connect. If the change is expected, confirm the new fingerprint with ` +
          `the cluster admins and remove the old line (ssh-keygen -R '${where}' -f <that file>).`,
      );
    }
    const key = `${where} ${fingerprint}`;
    let answer = this.pending.get(key);
    if (!answer) {
      waiting(true);
      answer = this.onUnknownHostKey({ cluster, host, port, keyType: keyTypeOfBlob(blob), fingerprint, otherKnownTypes: verdict.otherTypes }).finally(() => {
        waiting(false);
        this.pending.delete(key);
      });
      this.pending.set(key, answer);
      const accepted = await answer;
      if (accepted) this.remember(host, port, blob);
    }
    if (!(await answer)) {
      throw new SshError('host_key_rejected', `ssh ${cluster}: the host key of ${host}:${port} (${fingerprint}) was not accepted; connect again and accept it to continue.`);
    }
  }

  private remember(host: string, port: number, blob: Buffer): void {
    mkdirSync(dirname(this.appKnownHostsPath), { recursive: true });
    appendFileSync(this.appKnownHostsPath, `${knownHostsLine(host, port, blob)}\n`, { mode: 0o600 });
  }
}
