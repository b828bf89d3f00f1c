// SourceManager against real git: a bare "remote" repository on disk, pushed to by a working copy.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigObject } from '../../src-shared/config';
import { SourceManager } from '../../src-main/sources/manager';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-sources-'));
const remote = path.join(root, 'remote.git');
const work = path.join(root, 'work');
const cacheDir = path.join(root, 'data', 'sources');
const g = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
const write = (rel: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(work, rel)), { recursive: true });
  fs.writeFileSync(path.join(work, rel), text);
};
const wf = (id: string) => JSON.stringify({ title: `WF ${id}`, tasks: [{ id, command: `echo ${id}` }] });

function manager(sources: unknown[]): SourceManager {
  const parsed = parseConfigObject({ backends: [{ name: 'local', type: 'local' }], sources });
  if (!parsed.ok) throw new Error(parsed.error.message);
  return new SourceManager({ sources: parsed.config.sources, cacheDir, backendKind: (n) => (n === 'local' ? 'local' : null) });
}

beforeAll(() => {
  g(root, 'init', '-q', '--bare', '-b', 'main', remote);
  g(root, 'init', '-q', '-b', 'main', work);
  write('.hut/workflows/build.json', wf('build'));
  write('.hut/workflows/broken.json', '{ "tasks": ');
  write('.hut/workflows/nested/deep.json', wf('deep'));
  g(work, 'add', '-A');
  g(work, 'commit', '-qm', 'first');
  g(work, 'remote', 'add', 'origin', remote);
  g(work, 'push', '-q', 'origin', 'main');
  g(work, 'checkout', '-qb', 'feature');
  write('.hut/workflows/feature-only.json', wf('feat'));
  g(work, 'add', '-A');
  g(work, 'commit', '-qm', 'feature');
  g(work, 'push', '-q', 'origin', 'feature');
  g(work, 'checkout', '-q', 'main');
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('git source', () => {
  it('syncs into a bare cache, lists workflows (`*` stays in one folder) and warns about the broken file', async () => {
    const m = manager([{ name: 'repo', type: 'git', url: remote }]);
    const [st] = await m.sync('repo');
    expect(st!.error).toBeNull();
    expect(st!.workflows.map((w) => w.file)).toEqual(['.hut/workflows/build.json']);
    expect(st!.workflows[0]!.name).toBe('repo/build');
    expect(st!.warnings).toEqual([expect.stringMatching(/^\.hut\/workflows\/broken\.json: not a valid workflow/)]);
    expect(st!.last_commit).toBe(g(work, 'rev-parse', 'main').trim());
    expect(fs.existsSync(path.join(cacheDir, 'repo', 'HEAD'))).toBe(true);
  });

  it('re-syncs before handing out a workflow, so a new push is used', async () => {
    const m = manager([{ name: 'repo', type: 'git', url: remote, workflows_glob: '.hut/workflows/**/*.json' }]);
    await m.sync();
    write('.hut/workflows/build.json', wf('build2'));
    g(work, 'commit', '-qam', 'second');
    g(work, 'push', '-q', 'origin', 'main');
    const got = await m.workflow('repo', 'build');
    expect(got.commit).toBe(g(work, 'rev-parse', 'main').trim());
    expect(JSON.parse(got.text).tasks[0].id).toBe('build2');
    expect(got).toMatchObject({ repo: remote, branch: 'main', workflow_name: 'repo/build', file: '.hut/workflows/build.json' });
    expect(m.get('repo').workflows.map((w) => w.file)).toEqual(['.hut/workflows/build.json', '.hut/workflows/nested/deep.json']);
  });

  it('reads a workflow from an overridden branch without changing the default listing', async () => {
    const m = manager([{ name: 'repo', type: 'git', url: remote }]);
    await m.sync('repo');
    const got = await m.workflow('repo', 'feature-only.json', 'feature');
    expect(got.commit).toBe(g(work, 'rev-parse', 'feature').trim());
    expect(got.branch).toBe('feature');
    expect(m.get('repo').workflows.map((w) => w.file)).not.toContain('.hut/workflows/feature-only.json');
    await expect(m.workflow('repo', 'feature-only')).rejects.toThrow(/no workflow 'feature-only'.*Workflows: \.hut\/workflows\/build\.json/);
  });

  it('refuses a bad branch name before running git, and explains a deleted branch', async () => {
    const m = manager([{ name: 'repo', type: 'git', url: remote }]);
    await expect(m.workflow('repo', 'build', '--upload-pack=evil')).rejects.toMatchObject({ code: 'bad_input', message: expect.stringMatching(/letters, digits/) });
    g(work, 'push', '-q', 'origin', 'main:gone');
    await m.workflow('repo', 'build', 'gone');
    g(work, 'push', '-q', 'origin', '--delete', 'gone');
    await expect(m.workflow('repo', 'build', 'gone')).rejects.toMatchObject({ code: 'bad_input', message: expect.stringMatching(/branch 'gone' does not exist on /) });
  });

  it('names the broken file when asked to run it', async () => {
    const m = manager([{ name: 'repo', type: 'git', url: remote }]);
    await expect(m.workflow('repo', 'broken')).rejects.toMatchObject({ code: 'bad_input', message: expect.stringMatching(/broken\.json: not a valid workflow/) });
  });

  it('an unreachable remote leaves a clear error and no half-created cache', async () => {
    const m = manager([{ name: 'nowhere', type: 'git', url: path.join(root, 'missing.git') }]);
    const [st] = await m.sync('nowhere');
    expect(st!.error).toMatch(/missing\.git/);
    expect(st!.last_commit).toBeNull();
    expect(fs.readdirSync(cacheDir).filter((f) => f.startsWith('nowhere'))).toEqual([]);
    await expect(m.workflow('nowhere', 'build')).rejects.toMatchObject({ code: 'bad_input', message: expect.stringMatching(/could not be synced, so no run was started/) });
  });

  it('keeps the last listing when the remote goes away (offline browsing)', async () => {
    const copy = path.join(root, 'copy.git');
    fs.cpSync(remote, copy, { recursive: true });
    const m = manager([{ name: 'copy', type: 'git', url: copy }]);
    await m.sync('copy');
    fs.rmSync(copy, { recursive: true, force: true });
    const [st] = await m.sync('copy');
    expect(st!.error).not.toBeNull();
    expect(st!.workflows.map((w) => w.file)).toEqual(['.hut/workflows/build.json']);
  });
});

describe('path source on the local backend', () => {
  it('lists a folder with its glob and reads the workflow from it', async () => {
    const m = manager([{ name: 'folder', type: 'path', path: work, backend: 'local', workflows_glob: '.hut/workflows/**/*.json' }]);
    const [st] = await m.sync('folder');
    expect(st!.error).toBeNull();
    expect(st!.workflows.map((w) => w.file)).toEqual(['.hut/workflows/build.json', '.hut/workflows/nested/deep.json']);
    expect(st!.warnings).toHaveLength(1);
    const got = await m.workflow('folder', 'deep');
    expect(got).toMatchObject({ type: 'path', root: work, commit: null, workflow_name: 'folder/deep' });
    await expect(m.workflow('folder', 'deep', 'main')).rejects.toThrow(/only applies to git sources/);
  });

  it('says which backend cannot be read', async () => {
    const m = manager([{ name: 'far', type: 'path', path: '/x', backend: 'hpc' }]);
    const [st] = await m.sync('far');
    expect(st!.error).toMatch(/no backend named 'hpc'/);
  });
});
