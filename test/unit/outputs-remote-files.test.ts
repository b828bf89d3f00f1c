// The shell backends' two file commands, run by a real bash on a real folder (the same text goes over SSH):
// any file name and any bytes survive, symlinks are not followed, `.git` is pruned, limits hold. The local
// backend's fs version must give the same answers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFilesCommand, parseFileListing, parseReadFiles, readFilesCommand } from '../../src-main/backends/shell/remote-files';
import { listLocalFiles, readLocalFiles } from '../../src-main/backends/local/local-files';
import { LocalRunner } from '../../src-main/transport/local-runner';
import type { FileListing, FileRead, ListFilesOptions } from '../../src-main/backends/types';

let dir: string;
const runner = new LocalRunner();
const binary = Buffer.from([0, 1, 2, 255, 254, 10, 13, 0, 65]);

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-remote-files-'));
  fs.mkdirSync(path.join(dir, 'sub', 'deeper'), { recursive: true });
  fs.mkdirSync(path.join(dir, '.git'));
  fs.writeFileSync(path.join(dir, '.git', 'HEAD'), 'ref');
  fs.writeFileSync(path.join(dir, 'plain.txt'), 'hello\n');
  fs.writeFileSync(path.join(dir, "it's a \"file\" $HOME.bin"), binary);
  fs.writeFileSync(path.join(dir, 'sub', 'ünï.md'), '# ünï\n');
  fs.writeFileSync(path.join(dir, 'sub', 'deeper', 'deep.txt'), 'deep');
  fs.writeFileSync(path.join(dir, '.run-summary.md'), 'fragment');
  fs.symlinkSync('/etc/passwd', path.join(dir, 'link-to-passwd'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function remoteList(o: ListFilesOptions, where = dir): Promise<FileListing> {
  const res = await runner.run(listFilesCommand(where, o));
  expect(res.exitCode, res.stderr).toBe(0);
  return parseFileListing(res.stdout);
}

async function remoteRead(paths: string[], max: number): Promise<FileRead[]> {
  const res = await runner.run(readFilesCommand(dir, paths, max));
  expect(res.exitCode, res.stderr).toBe(0);
  return parseReadFiles(res.stdout, paths);
}

const sorted = (l: FileListing) => l.files.map((f) => `${f.path}:${f.size}`).sort();

describe('listing a folder', () => {
  it('lists regular files with sizes, any name, no symlinks, no .git', async () => {
    const l = await remoteList({ maxDepth: 4, limit: 100 });
    expect(l.exists).toBe(true);
    expect(sorted(l)).toEqual([".run-summary.md:8", "it's a \"file\" $HOME.bin:9", 'plain.txt:6', 'sub/deeper/deep.txt:4', 'sub/ünï.md:8']);
    expect(sorted(await listLocalFiles(dir, { maxDepth: 4, limit: 100 }))).toEqual(sorted(l));
  });

  it('respects depth, and the limit, while always reporting the named top-level files', async () => {
    const shallow = await remoteList({ maxDepth: 1, limit: 100 });
    expect(sorted(shallow)).not.toContain('sub/ünï.md:8');
    const cut = await remoteList({ maxDepth: 4, limit: 1, always: ['.run-summary.md'] });
    expect(cut.files[0]).toEqual({ path: '.run-summary.md', size: 8 });
    expect(cut.files.length).toBeLessThanOrEqual(2);
    const local = await listLocalFiles(dir, { maxDepth: 4, limit: 1, always: ['.run-summary.md'] });
    expect(local.files[0]).toEqual({ path: '.run-summary.md', size: 8 });
    expect(local.files.length).toBeLessThanOrEqual(2);
  });

  it('says when the folder does not exist', async () => {
    expect(await remoteList({ maxDepth: 2, limit: 10 }, path.join(dir, 'nope'))).toEqual({ exists: false, files: [] });
    expect(await listLocalFiles(path.join(dir, 'nope'), { maxDepth: 2, limit: 10 })).toEqual({ exists: false, files: [] });
  });
});

describe('reading files', () => {
  it('returns exact bytes, and says missing / too large / symlink per file, in the order asked', async () => {
    const ask = ["it's a \"file\" $HOME.bin", 'nope.txt', 'plain.txt', 'link-to-passwd', 'sub/ünï.md'];
    const reads = await remoteRead(ask, 8);
    expect(reads.map((r) => [r.path, r.status, r.size])).toEqual([
      ["it's a \"file\" $HOME.bin", 'too_large', 9],
      ['nope.txt', 'missing', null],
      ['plain.txt', 'ok', 6],
      ['link-to-passwd', 'missing', null],
      ['sub/ünï.md', 'ok', 8],
    ]);
    expect(reads[4]?.bytes?.toString()).toBe('# ünï\n');
    const big = await remoteRead(["it's a \"file\" $HOME.bin"], 100);
    expect(big[0]?.bytes?.equals(binary)).toBe(true);
    const local = await readLocalFiles(dir, ask, 8);
    expect(local.map((r) => [r.path, r.status, r.size])).toEqual(reads.map((r) => [r.path, r.status, r.size]));
  });
});
