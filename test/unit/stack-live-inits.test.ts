// The app's stacks are hashed when read (at each submission), and a stack's files are read again only when one
// changed mtime or size: real files in a temp folder, stamps set with utimes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StackConfig } from '../../src-shared/config';
import { configSchemas } from '../../src-shared/config';
import { stackHash } from '../../src-main/stacks/hash';
import { liveStackInits, LocalStackHashes } from '../../src-main/stacks/live-inits';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-live-inits-'));
const file = path.join(dir, 'req.txt');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const stack = configSchemas.stack.parse({ name: 'tool', cache_dir: '/opt/stacks', input_files: [file], init: 'module load tool' }) as StackConfig;
const hashOf = (bytes: string) => stackHash(stack, () => Buffer.from(bytes));
const at = new Date('2026-01-01T00:00:00Z');

describe('liveStackInits', () => {
  it('gives STACK_DIR of the files as they are when read, missing files included', () => {
    const inits = liveStackInits([stack]);
    expect(Object.keys(inits)).toEqual(['tool']);
    expect(inits.tool!.init).toBe(`export STACK_DIR=/opt/stacks/tool/${stackHash(stack, () => null)}\nmodule load tool`);
    fs.writeFileSync(file, 'numpy\n');
    expect(inits.tool!.init).toBe(`export STACK_DIR=/opt/stacks/tool/${hashOf('numpy\n')}\nmodule load tool`);
    fs.writeFileSync(file, 'numpy==2\n');
    expect(inits.tool!.init).toContain(hashOf('numpy==2\n'));
  });

  it('reads a file again only when its mtime or size changed', () => {
    const hashes = new LocalStackHashes();
    fs.writeFileSync(file, 'aaaa\n');
    fs.utimesSync(file, at, at);
    expect(hashes.hash(stack)).toBe(hashOf('aaaa\n'));
    // Same size, same mtime: the cached hash stands (the bytes are not read).
    fs.writeFileSync(file, 'bbbb\n');
    fs.utimesSync(file, at, at);
    expect(hashes.hash(stack)).toBe(hashOf('aaaa\n'));
    // A new mtime is enough to read it again.
    fs.utimesSync(file, new Date(at.getTime() + 1000), new Date(at.getTime() + 1000));
    expect(hashes.hash(stack)).toBe(hashOf('bbbb\n'));
    fs.rmSync(file);
    expect(hashes.hash(stack)).toBe(stackHash(stack, () => null));
  });
});
