// Runs from a git source on the real local backend: real git, a real checkout per commit, real bash jobs,
// the source recorded on the run in the real SQLite store.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type RunningEngine } from '../../src-main/engine/start';
import { item, waitFor, waitRunDone, type EngineHarness } from '../helpers/engine-harness';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-src-engine-'));
const remote = path.join(root, 'remote.git');
const work = path.join(root, 'work');
const cloneDir = path.join(root, 'clones');
const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
const g = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', env: gitEnv });
const write = (rel: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(work, rel)), { recursive: true });
  fs.writeFileSync(path.join(work, rel), text);
};
const push = (msg: string) => {
  g(work, 'add', '-A');
  g(work, 'commit', '-qm', msg);
  g(work, 'push', '-q', 'origin', 'HEAD');
};

let eng: RunningEngine;
let h: EngineHarness;

beforeAll(async () => {
  g(root, 'init', '-q', '--bare', '-b', 'main', remote);
  g(root, 'init', '-q', '-b', 'main', work);
  g(work, 'remote', 'add', 'origin', remote);
  write('data/input.txt', 'from-the-repo\n');
  write(
    '.hut/workflows/pipeline.json',
    JSON.stringify({
      title: 'Pipeline',
      env: [{ set: { DOC_VAR: 'doc' } }],
      tasks: [
        { id: 'prep', command: 'cat input.txt > prep.out; echo "$REPO_VAR/$DOC_VAR" >> prep.out; pwd >> prep.out', working_dir: 'data', memory: '100M' },
        { id: 'after', command: 'test -f data/prep.out && test -f ready.flag', deps: ['prep'], memory: '100M' },
      ],
    }),
  );
  write('scripthut.yaml', 'env:\n  - set: {REPO_VAR: repo, DOC_VAR: overlay}\n');
  push('first');
  const dataDir = path.join(root, 'data');
  const configPath = path.join(root, 'scripthut.yaml');
  fs.writeFileSync(
    configPath,
    [
      'backends:',
      `  - {name: local, type: local, max_concurrent: 2, clone_dir: ${JSON.stringify(cloneDir)}}`,
      'sources:',
      `  - {name: repo, type: git, url: ${JSON.stringify(remote)}, postclone: "touch ready.flag"}`,
      'settings:',
      '  local_poll_interval_ms: 100',
      '',
    ].join('\n'),
  );
  eng = await startEngine({ dataDir, configPath, version: 'test' });
  h = { root, dataDir, work, eng, events: [], close: async () => undefined };
}, 60_000);

afterAll(async () => {
  await eng?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('a run from a git source on the local backend', () => {
  it('lists the source after the startup sync', async () => {
    const s = await waitFor(async () => (await eng.api.invoke('sources.list', {})).sources.find((x) => x.synced_at), 'the startup sync');
    expect(s).toMatchObject({ name: 'repo', type: 'git', workflows: ['.hut/workflows/pipeline.json'], error: null, last_commit: g(work, 'rev-parse', 'HEAD').trim() });
  });

  it('checks the commit out once under clone_dir/<sha12>, runs postclone, resolves working dirs and records the source', async () => {
    const sha = g(work, 'rev-parse', 'HEAD').trim();
    const run = await eng.api.invoke('sources.run', { name: 'repo', workflow: 'pipeline' });
    expect(run.source).toEqual({ name: 'repo', repo: remote, branch: 'main', commit: sha });
    expect(run.workflow_name).toBe('repo/pipeline');
    const done = await waitRunDone(h, run.id);
    expect(done.status).toBe('completed');
    const checkout = path.join(cloneDir, sha.slice(0, 12));
    // The overlay's env comes first, so the document's own DOC_VAR wins over it.
    expect(fs.readFileSync(path.join(checkout, 'data', 'prep.out'), 'utf8')).toBe(`from-the-repo\nrepo/doc\n${path.join(checkout, 'data')}\n`);
    expect(item(done, 'after').status).toBe('completed');
    // The record survives a re-read from the store.
    expect((await eng.api.invoke('runs.get', { id: run.id })).source?.commit).toBe(sha);
    // Same commit again: the checkout is reused (the file the first run wrote is still there).
    const again = await eng.api.invoke('sources.run', { name: 'repo', workflow: 'pipeline' });
    expect((await waitRunDone(h, again.id)).status).toBe('completed');
    expect(fs.readdirSync(cloneDir)).toEqual([sha.slice(0, 12)]);
  });

  it('dry run: the scripts, env with provenance and DAG of the fresh commit, nothing submitted', async () => {
    write('.hut/workflows/pipeline.json', JSON.stringify({ tasks: [{ id: 'x', command: 'echo new-x' }, { id: 'y', command: 'echo y', deps: ['x'] }] }));
    push('second');
    const before = (await eng.api.invoke('runs.list', {})).runs.length;
    const dry = await eng.api.invoke('sources.dryRun', { name: 'repo', workflow: '.hut/workflows/pipeline.json' });
    expect(dry.source?.commit).toBe(g(work, 'rev-parse', 'HEAD').trim());
    expect(dry.levels).toEqual([['x'], ['y']]);
    expect(dry.tasks[0]!.script).toContain('echo new-x');
    expect(dry.tasks[0]!.working_dir).toBe(path.join(cloneDir, dry.source!.commit!.slice(0, 12)));
    const repoVar = dry.tasks[0]!.env.find((v) => v.name === 'REPO_VAR');
    expect(repoVar).toMatchObject({ value: 'repo', ops: [expect.objectContaining({ op: 'set' })] });
    expect(dry.tasks[0]!.env.find((v) => v.name === 'SCRIPTHUT_RUN_ID')?.value).toBe('preview');
    expect((await eng.api.invoke('runs.list', {})).runs.length).toBe(before);
    expect(fs.existsSync(path.join(cloneDir, dry.source!.commit!.slice(0, 12)))).toBe(false);
  });

  it('a broken repo overlay fails the run with a located error and starts nothing; a dry run only warns', async () => {
    write('scripthut.yaml', 'env:\n  - set: {A: 1}\nbackends:\n  - {name: evil, type: local}\n');
    push('bad overlay');
    const before = (await eng.api.invoke('runs.list', {})).runs.length;
    await expect(eng.api.invoke('sources.run', { name: 'repo', workflow: 'pipeline' })).rejects.toMatchObject({ code: 'bad_input', message: expect.stringMatching(/repo: scripthut\.yaml:3: section 'backends' is not allowed/) });
    expect((await eng.api.invoke('runs.list', {})).runs.length).toBe(before);
    const dry = await eng.api.invoke('sources.dryRun', { name: 'repo', workflow: 'pipeline' });
    expect(dry.warnings.join('\n')).toMatch(/scripthut\.yaml:3: .*a run would fail/);
  });

  it('an unknown source or workflow is a clear not_found', async () => {
    await expect(eng.api.invoke('sources.run', { name: 'nope', workflow: 'pipeline' })).rejects.toMatchObject({ code: 'not_found', message: expect.stringMatching(/No source named 'nope'.*configured: repo/) });
    await expect(eng.api.invoke('sources.run', { name: 'repo', workflow: 'missing' })).rejects.toMatchObject({ code: 'not_found' });
  });
});
