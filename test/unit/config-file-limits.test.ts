// Issue 12: a config path that is a device (/dev/zero grew the engine to 16 GB), a FIFO (hung startup) or a
// huge file must be refused with a located message, quickly, without reading it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, MAX_CONFIG_BYTES } from '../../src-main/config/load';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-cfg-limits-'));
const env = { HOME: tmp, XDG_CONFIG_HOME: path.join(tmp, 'xdg') };
let writer: ChildProcess | null = null;

afterAll(() => {
  if (writer?.pid && writer.exitCode === null) process.kill(writer.pid, 'SIGKILL');
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(process.platform === 'win32')('config files that are not small regular files', () => {
  it('refuses a character device such as /dev/zero', () => {
    const r = loadConfig({ configPath: '/dev/zero', env });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.message).toMatch(/\/dev\/zero.*character device.*not a regular file/);
  });

  it('refuses a FIFO without waiting for a writer', () => {
    const fifo = path.join(tmp, 'scripthut.yaml');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // A writer that never writes: reading the FIFO would block until it exits.
    writer = spawn('sh', ['-c', `sleep 3 > '${fifo}'`], { stdio: 'ignore' });
    const r = loadConfig({ configPath: fifo, env });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.message).toMatch(/FIFO.*not a regular file/);
  });

  it('refuses a file over 1 MB, naming the file and the limit', () => {
    expect(MAX_CONFIG_BYTES).toBe(1024 * 1024);
    const big = path.join(tmp, 'big.yaml');
    fs.writeFileSync(big, `# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`);
    const r = loadConfig({ configPath: big, env });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.file).toBe(big);
    expect(!r.ok && r.error.message).toMatch(/big\.yaml is \d+ bytes; a config file may be at most 1 MB/);
  });

  it('still reads a config that is a symlink to a regular file', () => {
    const real = path.join(tmp, 'real.yaml');
    fs.writeFileSync(real, 'backends:\n  - { name: here, type: local }\n');
    const link = path.join(tmp, 'link.yaml');
    fs.symlinkSync(real, link);
    const r = loadConfig({ configPath: link, env });
    expect(r.ok && r.config.backends.map((b) => b.name)).toEqual(['here']);
  });
});
