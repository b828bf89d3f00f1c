// Issue 12 on SSH backends: reading a remote log used to pull the whole file over the connection into one string
// (a 700 MB log failed past V8's string limit after a long transfer). Against the real harness sshd: offset reads
// are capped, a whole read of a huge log is refused clearly, and the raw download streams in bounded chunks.
import { chmodSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slurmDialect } from '../../src-main/backends/dialects/slurm';
import { MAX_READ_BYTES } from '../../src-main/backends/local/log-reader';
import { ShellBackend } from '../../src-main/backends/shell/shell-backend';
import type { LogRead, LogReadOptions } from '../../src-main/backends/types';
import { streamRemoteLog } from '../../src-main/host/raw-log';
import { startSshd, type SshdHandle } from '../harness/sshd';
import { makeSshTestBed, sshdTestsEnabled, SSH_TEST_USER, type SshTestBed } from '../helpers/ssh-harness';

const enabled = sshdTestsEnabled('remote log read tests');
const HUGE = 700 * 1024 * 1024;

describe.skipIf(!enabled.run)('log reads over SSH are bounded', () => {
  let bed: SshTestBed;
  let sshd: SshdHandle;
  let backend: ShellBackend;
  let huge: string;

  beforeAll(async () => {
    if (!enabled.available) throw new Error('SCRIPTHUT_REQUIRE_SLURM=1 but sshd is unavailable');
    bed = makeSshTestBed('shell-log-reads-');
    sshd = await startSshd({ dir: join(bed.dir, 'sshd'), user: SSH_TEST_USER, authorizedKeys: [bed.key.publicKey] });
    const [type, blob] = sshd.hostPublicKey.split(/\s+/);
    const knownHosts = join(bed.dir, 'known');
    writeFileSync(knownHosts, `[127.0.0.1]:${sshd.port} ${type} ${blob}\n`);
    const runner = bed.broker().runner('cluster', { host: '127.0.0.1', port: sshd.port, user: SSH_TEST_USER, keyPath: bed.key.privateKeyPath, knownHostsPath: knownHosts });
    backend = new ShellBackend('cluster', slurmDialect, runner, { maxConcurrent: 1, pollIntervalMs: 60_000, closeRunner: false });
    huge = join(bed.dir, 'huge.log');
    writeFileSync(huge, 'first line of a huge log\n');
    truncateSync(huge, HUGE); // sparse: the zeros take no disk
    chmodSync(huge, 0o644);
  });

  afterAll(async () => {
    await bed?.closeBrokers();
    await sshd?.stop();
  });

  it('an offset read of a 700 MB log returns one bounded chunk and where to continue', async () => {
    const r = await backend.readLog(huge, { offset: 0 });
    expect(r.missing).toBe(false);
    expect(r.content.startsWith('first line of a huge log\n')).toBe(true);
    expect(Buffer.byteLength(r.content)).toBeLessThanOrEqual(MAX_READ_BYTES);
    expect(r.nextOffset).toBeGreaterThan(0);
    expect(r.nextOffset).toBeLessThanOrEqual(MAX_READ_BYTES);
    expect(r.size).toBe(HUGE);
    const later = await backend.readLog(huge, { offset: HUGE - 10 });
    expect(later).toMatchObject({ offset: HUGE - 10, nextOffset: HUGE, content: '\0'.repeat(10) });
  }, 60_000);

  it('a whole read of it is refused with a message naming the ways that work', async () => {
    await expect(backend.readLog(huge, {})).rejects.toThrow(/700 MB, too large to read whole; read its tail or from an offset, or download it from .*log\/raw/);
    const tail = await backend.readLog(huge, { tail: 1 });
    expect(Buffer.byteLength(tail.content)).toBeLessThanOrEqual(MAX_READ_BYTES);
    expect(tail.nextOffset).toBe(HUGE);
  }, 60_000);

  it('the raw download hands out a log larger than one read in bounded chunks, byte for byte, multibyte characters intact', async () => {
    const file = join(bed.dir, 'multi.log');
    const lines: string[] = [];
    for (let i = 0; Buffer.byteLength(lines.join('')) < 3 * 64 * 1024; i++) lines.push(`zeile ${i}: grüße, 日本語, ✓\n`);
    writeFileSync(file, lines.join(''));
    chmodSync(file, 0o644);
    // Small reads so the file spans many of them; a read boundary lands inside a character more than once.
    const chunks: LogRead[] = [];
    const small = { readLog: async (p: string, o: LogReadOptions) => {
      const r = await backend.readLog(p, { ...o, maxBytes: 10_001 });
      chunks.push(r);
      return r;
    } };
    const first = await small.readLog(file, { offset: 0 });
    let got = '';
    const reads = await streamRemoteLog(small, file, first, async (t) => {
      got += t;
    });
    expect(reads).toBeGreaterThan(15);
    expect(Math.max(...chunks.map((c) => Buffer.byteLength(c.content)))).toBeLessThanOrEqual(10_001);
    expect(got).toBe(readFileSync(file, 'utf8'));
    expect(got).not.toContain('\uFFFD');
  }, 60_000);
});
