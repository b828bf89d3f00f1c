import { createHmac, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprintSha256, hostFieldMatches, hostKeyAlgorithmOrder, knownHostsLine, lookupHostKey, parseKnownHosts } from '../../src-main/transport/ssh/known-hosts';

function keyPair(type: 'ed25519' | 'ecdsa'): { blob: Buffer; line: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kh-'));
  const file = join(dir, 'k');
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', file]);
  const line = readFileSync(`${file}.pub`, 'utf8').trim();
  return { blob: Buffer.from(line.split(' ')[1] ?? '', 'base64'), line, file };
}

function hashed(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

describe('known_hosts', () => {
  const a = keyPair('ed25519');
  const b = keyPair('ed25519');
  const e = keyPair('ecdsa');
  const [aType, aKey] = a.line.split(' ');

  it('prints the same SHA256 fingerprint as ssh-keygen -lf', () => {
    const out = execFileSync('ssh-keygen', ['-lf', `${a.file}.pub`], { encoding: 'utf8' });
    expect(out).toContain(fingerprintSha256(a.blob));
    expect(fingerprintSha256(a.blob)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('matches plain, [host]:port, wildcard, negated and hashed host fields', () => {
    expect(hostFieldMatches('login.example.org,10.0.0.1', 'login.example.org', 22)).toBe(true);
    expect(hostFieldMatches('login.example.org', 'login.example.org', 2222)).toBe(false);
    expect(hostFieldMatches('[login.example.org]:2222', 'login.example.org', 2222)).toBe(true);
    expect(hostFieldMatches('*.example.org,!bad.example.org', 'good.example.org', 22)).toBe(true);
    expect(hostFieldMatches('*.example.org,!bad.example.org', 'bad.example.org', 22)).toBe(false);
    expect(hostFieldMatches(hashed('[127.0.0.1]:2200'), '127.0.0.1', 2200)).toBe(true);
    expect(hostFieldMatches(hashed('[127.0.0.1]:2200'), '127.0.0.1', 2201)).toBe(false);
  });

  it('accepts a key recorded under a hashed name (ssh-keygen -H output)', () => {
    const entries = parseKnownHosts(`# comment\n${hashed('cluster.example.org')} ${aType} ${aKey}\n`, 'kh');
    expect(lookupHostKey(entries, 'cluster.example.org', 22, a.blob).kind).toBe('match');
  });

  it('calls a different key of the same type for a known host CHANGED, and names the file and line', () => {
    const entries = parseKnownHosts(`\n[h]:2200 ${aType} ${aKey}\n`, '/x/known_hosts');
    const v = lookupHostKey(entries, 'h', 2200, b.blob);
    expect(v.kind).toBe('changed');
    expect(v.kind === 'changed' && v.entry.origin).toBe('/x/known_hosts:2');
  });

  it('treats a key of another type as unknown, but says which types are known', () => {
    const entries = parseKnownHosts(`h ${aType} ${aKey}\n`, 'kh');
    expect(lookupHostKey(entries, 'h', 22, e.blob)).toEqual({ kind: 'unknown', otherTypes: ['ssh-ed25519'] });
    expect(lookupHostKey(entries, 'other', 22, a.blob)).toEqual({ kind: 'unknown', otherTypes: [] });
  });

  it('refuses @revoked keys and ignores @cert-authority lines', () => {
    const entries = parseKnownHosts(`@revoked * ${aType} ${aKey}\n@cert-authority *.x ${aType} ${b.line.split(' ')[1]}\n`, 'kh');
    expect(lookupHostKey(entries, 'h', 22, a.blob).kind).toBe('revoked');
    expect(lookupHostKey(entries, 'y.x', 22, b.blob).kind).toBe('unknown');
  });

  it('writes lines that it reads back as a match', () => {
    const line = knownHostsLine('127.0.0.1', 2200, a.blob);
    expect(line.startsWith('[127.0.0.1]:2200 ssh-ed25519 ')).toBe(true);
    expect(lookupHostKey(parseKnownHosts(line, 'app'), '127.0.0.1', 2200, a.blob).kind).toBe('match');
  });

  it('offers the known key type first so the server presents a key we can check', () => {
    expect(hostKeyAlgorithmOrder(['ecdsa-sha2-nistp256'])[0]).toBe('ecdsa-sha2-nistp256');
    expect(hostKeyAlgorithmOrder(['ssh-rsa']).slice(0, 3)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(hostKeyAlgorithmOrder([])[0]).toBe('ssh-ed25519');
  });
});
