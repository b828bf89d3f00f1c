// known_hosts parsing and host-key lookup, OpenSSH-compatible (plain, wildcard, negated, `[host]:port` and hashed
// `|1|salt|hash` entries; @revoked honoured; @cert-authority lines are skipped: ssh2 cannot check host certificates).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface KnownHostEntry {
  marker: 'revoked' | 'cert-authority' | null;
  /** The host field as written (comma-separated patterns, or one hashed entry). */
  hosts: string;
  keyType: string;
  key: Buffer;
  /** Where the line came from, for error messages: `file:line`. */
  origin: string;
}

export type HostKeyVerdict =
  | { kind: 'match'; entry: KnownHostEntry }
  /** A key of the same type is known for this host and it is different: refuse. */
  | { kind: 'changed'; entry: KnownHostEntry }
  | { kind: 'revoked'; entry: KnownHostEntry }
  /** Nothing known with this key's type; `otherTypes` lists key types that ARE known for the host. */
  | { kind: 'unknown'; otherTypes: string[] };

export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'] = null;
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift();
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else return;
    }
    const [hosts, keyType, keyB64] = fields;
    if (!hosts || !keyType || !keyB64) return;
    const key = Buffer.from(keyB64, 'base64');
    if (key.length === 0) return;
    entries.push({ marker, hosts, keyType, key, origin: `${file}:${i + 1}` });
  });
  return entries;
}

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise. */
export function hostLookupName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

function hashedMatches(field: string, name: string): boolean {
  const parts = field.split('|');
  // |1|salt|hash → ['', '1', salt, hash]
  if (parts.length !== 4 || parts[1] !== '1') return false;
  const salt = Buffer.from(parts[2] ?? '', 'base64');
  const want = Buffer.from(parts[3] ?? '', 'base64');
  const got = createHmac('sha1', salt).update(name).digest();
  return want.length === got.length && timingSafeEqual(want, got);
}

/** Whether a known_hosts host field matches `host`:`port` (a negated pattern that matches wins, as in OpenSSH). */
export function hostFieldMatches(field: string, host: string, port: number): boolean {
  const name = hostLookupName(host, port);
  if (field.startsWith('|')) return hashedMatches(field, name);
  let matched = false;
  for (const raw of field.split(',')) {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    if (globToRegExp(pattern).test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** The key type written at the start of an SSH public-key blob (`ssh-ed25519`, `ssh-rsa`, …). */
export function keyTypeOfBlob(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

/** `SHA256:…` exactly as `ssh-keygen -lf` and the OpenSSH prompt print it. */
export function fingerprintSha256(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

export function lookupHostKey(entries: KnownHostEntry[], host: string, port: number, blob: Buffer): HostKeyVerdict {
  const type = keyTypeOfBlob(blob);
  const forHost = entries.filter((e) => e.marker !== 'cert-authority' && hostFieldMatches(e.hosts, host, port));
  const revoked = entries.find((e) => e.marker === 'revoked' && e.key.equals(blob));
  if (revoked) return { kind: 'revoked', entry: revoked };
  const plain = forHost.filter((e) => e.marker === null);
  const same = plain.find((e) => e.key.equals(blob));
  if (same) return { kind: 'match', entry: same };
  const changed = plain.find((e) => e.keyType === type);
  if (changed) return { kind: 'changed', entry: changed };
  return { kind: 'unknown', otherTypes: [...new Set(plain.map((e) => e.keyType))] };
}

/** A line for the app's known_hosts file. */
export function knownHostsLine(host: string, port: number, blob: Buffer): string {
  return `${hostLookupName(host, port)} ${keyTypeOfBlob(blob)} ${blob.toString('base64')}`;
}

const HOST_KEY_ALGORITHMS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

/**
 * Host-key algorithms to offer, those matching keys already known for the host first: like OpenSSH, so a server
 * with several host keys presents the one we can check rather than one we would have to ask about.
 */
export function hostKeyAlgorithmOrder(knownTypes: string[]): string[] {
  const preferred = HOST_KEY_ALGORITHMS.filter((algo) => knownTypes.some((t) => t === algo || (t === 'ssh-rsa' && algo.startsWith('rsa-sha2'))));
  return [...preferred, ...HOST_KEY_ALGORITHMS.filter((a) => !preferred.includes(a))];
}

/** Key types known for the host (to order the algorithm offer). */
export function knownKeyTypes(entries: KnownHostEntry[], host: string, port: number): string[] {
  return [...new Set(entries.filter((e) => e.marker === null && hostFieldMatches(e.hosts, host, port)).map((e) => e.keyType))];
}
