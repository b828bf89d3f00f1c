// Stacks on the real local backend: the install is a real run (real bash job, log kept in the real SQLite store),
// check and delete are real commands, and a task's env `stacks: [name]` gets the stack's init (with STACK_DIR).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type RunningEngine } from '../../src-main/engine/start';
import { stackHash } from '../../src-main/stacks/hash';
import { item, waitFor, waitRunDone, type EngineHarness } from '../helpers/engine-harness';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-stacks-local-'));
const cacheDir = path.join(root, 'stacks');
const reqFile = path.join(root, 'requirements.txt');
const remote = path.join(root, 'remote.git');
const work = path.join(root, 'work');
const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
const g = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', env: gitEnv });

const REPO_BIN = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0a, 0xc3]);

let eng: RunningEngine;
let h: EngineHarness;
const PREP = 'mkdir -p bin\nprintf \'#!/bin/sh\\necho "tool $(cat "$STACK_DIR/version")"\\n\' > bin/tool\nchmod +x bin/tool\ncp "$REQ" version';

beforeAll(async () => {
  fs.writeFileSync(reqFile, 'v1\n');
  // A repository whose own scripthut.yaml defines a stack, used by its workflow's env.
  g(root, 'init', '-q', '--bare', '-b', 'main', remote);
  g(root, 'init', '-q', '-b', 'main', work);
  g(work, 'remote', 'add', 'origin', remote);
  fs.mkdirSync(path.join(work, '.hut/workflows'), { recursive: true });
  // Its stack hashes a binary input file (not valid UTF-8): the bytes, as the original does.
  fs.writeFileSync(path.join(work, 'data.bin'), REPO_BIN);
  fs.writeFileSync(path.join(work, 'scripthut.yaml'), `stacks:\n  - name: repo-stack\n    cache_dir: ${JSON.stringify(cacheDir)}\n    input_files: [data.bin]\n    init: ${JSON.stringify('export FROM_REPO_STACK=yes REPO_STACK_DIR="$STACK_DIR"')}\n  - name: tool\n    cache_dir: ${JSON.stringify(cacheDir)}\n    init: export TOOL_FROM=repo\n`);
  fs.writeFileSync(
    path.join(work, '.hut/workflows/uses.json'),
    JSON.stringify({ tasks: [{ id: 'u', command: 'echo "repo=$FROM_REPO_STACK tool=$TOOL_FROM rdir=$REPO_STACK_DIR"', env: [{ stacks: ['repo-stack', 'tool'] }], memory: '100M' }] }),
  );
  g(work, 'add', '-A');
  g(work, 'commit', '-qm', 'first');
  g(work, 'push', '-q', 'origin', 'HEAD');
  const configPath = path.join(root, 'scripthut.yaml');
  fs.writeFileSync(
    configPath,
    [
      'backends:',
      `  - {name: local, type: local, max_concurrent: 2, clone_dir: ${JSON.stringify(path.join(root, 'clones'))}}`,
      'sources:',
      `  - {name: repo, type: git, url: ${JSON.stringify(remote)}}`,
      'stacks:',
      '  - name: tool',
      `    cache_dir: ${JSON.stringify(cacheDir)}`,
      '    inputs: {REQ_NAME: requirements}',
      '    input_files: [requirements.txt]',
      `    prep: ${JSON.stringify(`REQ=${reqFile}\n${PREP}`)}`,
      '    init: export PATH="$STACK_DIR/bin:$PATH"',
      '    memory: 100M',
      '    time_limit: "0:05:00"',
      '  - name: slow',
      `    cache_dir: ${JSON.stringify(cacheDir)}`,
      '    backends: [local]',
      '    prep: "touch started; sleep 60"',
      '    memory: 100M',
      'settings:',
      '  local_poll_interval_ms: 100',
      '',
    ].join('\n'),
  );
  eng = await startEngine({ dataDir: path.join(root, 'data'), configPath, version: 'test' });
  h = { root, dataDir: path.join(root, 'data'), work, eng, events: [], close: async () => undefined };
}, 60_000);

afterAll(async () => {
  await eng?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const hashNow = () => stackHash({ name: 'tool', prep: `REQ=${reqFile}\n${PREP}`, inputs: { REQ_NAME: 'requirements' }, input_files: [reqFile] }, (f) => fs.readFileSync(f));

describe('stacks on the local backend', () => {
  it('lists the stack with its hash (input file resolved next to the config) and no check yet', async () => {
    const { stacks } = await eng.api.invoke('stacks.list', {});
    expect(stacks.map((s) => s.name)).toEqual(['tool', 'slow']);
    expect(stacks[0]).toMatchObject({ name: 'tool', source: null, hash: hashNow(), input_files: [reqFile], backends: ['local'] });
    expect(stacks[0]!.states).toEqual([expect.objectContaining({ backend: 'local', state: 'missing', checked_at: null, install_run_id: null })]);
  });

  it('check says missing with the documented fields', async () => {
    const s = await eng.api.invoke('stacks.check', { name: 'tool', backend: 'local' });
    expect(s).toEqual({ name: 'tool', backend: 'local', state: 'missing', hash: hashNow(), path: path.join(cacheDir, 'tool', hashNow()), last_built: null, size_bytes: null, error: null });
  });

  it('install is a one-task run in the runs list; the stack is ready afterwards, with time and size', async () => {
    const run = await eng.api.invoke('stacks.install', { name: 'tool', backend: 'local' });
    expect(run).toMatchObject({ workflow_name: '_stack/tool', task_count: 1, backend_name: 'local' });
    const listed = (await eng.api.invoke('runs.list', {})).runs.map((r) => r.id);
    expect(listed).toContain(run.id);
    const done = await waitRunDone(h, run.id);
    const t = item(done, `install-${hashNow().slice(0, 8)}`);
    expect(t).toMatchObject({ name: 'stack/tool', status: 'completed' });
    const log = await eng.api.invoke('tasks.log', { run_id: run.id, task_id: t.id, type: 'output' });
    expect(log.content).toContain('Stack tool built');
    const s = await eng.api.invoke('stacks.check', { name: 'tool', backend: 'local' });
    expect(s.state).toBe('ready');
    expect(s.size_bytes).toBeGreaterThan(0);
    expect(Date.parse(s.last_built as string)).toBeGreaterThan(Date.now() - 3600_000);
    const { stacks } = await eng.api.invoke('stacks.list', {});
    expect(stacks[0]!.states[0]).toMatchObject({ state: 'ready', install_run_id: run.id, install_run_status: 'completed', stale: false });
  });

  it("a task with env stacks: [tool] runs with the stack's init (STACK_DIR set to the build)", async () => {
    const run = await eng.api.invoke('runs.createFromWorkflow', { document: { tasks: [{ id: 'use', command: 'tool; echo "dir=$STACK_DIR"', env: [{ stacks: ['tool'] }], memory: '100M' }] }, backend: 'local' });
    const done = await waitRunDone(h, run.id);
    expect(item(done, 'use').status).toBe('completed');
    const log = await eng.api.invoke('tasks.log', { run_id: run.id, task_id: 'use', type: 'output' });
    expect(log.content).toContain('tool v1');
    expect(log.content).toContain(`dir=${path.join(cacheDir, 'tool', hashNow())}`);
  });

  it('an unknown stack fails only that task, with a clear error', async () => {
    const run = await eng.api.invoke('runs.createFromWorkflow', {
      document: { tasks: [{ id: 'bad', command: 'true', env: [{ stacks: ['nope'] }], memory: '100M' }, { id: 'fine', command: 'true', memory: '100M' }] },
      backend: 'local',
    });
    const done = await waitRunDone(h, run.id);
    expect(item(done, 'fine').status).toBe('completed');
    expect(item(done, 'bad').status).toBe('failed');
    expect(item(done, 'bad').error).toMatch(/unknown stack 'nope' \(defined stacks: tool, slow\)/);
  });

  it('a second install finds it ready and builds nothing; --rebuild builds again', async () => {
    const dir = path.join(cacheDir, 'tool', hashNow());
    fs.writeFileSync(path.join(dir, 'marker'), 'x');
    const again = await waitRunDone(h, (await eng.api.invoke('stacks.install', { name: 'tool', backend: 'local' })).id);
    expect(again.status).toBe('completed');
    expect(fs.existsSync(path.join(dir, 'marker'))).toBe(true);
    const rebuilt = await waitRunDone(h, (await eng.api.invoke('stacks.install', { name: 'tool', backend: 'local', rebuild: true })).id);
    expect(rebuilt.status).toBe('completed');
    expect(fs.existsSync(path.join(dir, 'marker'))).toBe(false);
    expect(fs.existsSync(path.join(dir, '.ready'))).toBe(true);
    // The list checks a stack whose install ended after its last check, without being asked.
    const state = (await eng.api.invoke('stacks.list', {})).stacks[0]!.states[0]!;
    expect(state).toMatchObject({ state: 'ready', install_run_status: 'completed' });
    expect(state.checked_at! >= rebuilt.finished_at!).toBe(true);
  });

  it('an install can be cancelled like any run; the half-built folder then checks as installing', async () => {
    const slow = await eng.api.invoke('stacks.install', { name: 'slow', backend: 'local' });
    await waitFor(() => fs.readdirSync(path.join(cacheDir, 'slow'), { recursive: true }).some((f) => String(f).endsWith('started')), 'the slow prep to start');
    const listed = (await eng.api.invoke('stacks.list', {})).stacks.find((s) => s.name === 'slow')!;
    expect(listed.states[0]).toMatchObject({ state: 'installing', install_run_id: slow.id });
    await expect(eng.api.invoke('stacks.install', { name: 'slow', backend: 'local' })).rejects.toThrow(/already being installed on 'local' by run/);
    await expect(eng.api.invoke('stacks.delete', { name: 'slow', backend: 'local' })).rejects.toThrow(/cancel that run before deleting/);
    await eng.api.invoke('runs.cancel', { id: slow.id });
    expect((await waitRunDone(h, slow.id)).status).toBe('cancelled');
    const s = await eng.api.invoke('stacks.check', { name: 'slow', backend: 'local' });
    expect(s).toMatchObject({ state: 'installing', error: 'Cache directory exists but .ready sentinel is missing' });
  });

  it('a changed input file changes the hash; the old check is flagged stale, not reported as ready', async () => {
    const before = hashNow();
    fs.writeFileSync(reqFile, 'v2\n');
    const { stacks } = await eng.api.invoke('stacks.list', {});
    expect(stacks[0]!.hash).toBe(hashNow());
    expect(stacks[0]!.hash).not.toBe(before);
    expect(stacks[0]!.states[0]).toMatchObject({ stale: true, state: 'missing', last_built: null });
    // The running engine hashes at submission: the next task's STACK_DIR is the new build, without a restart.
    const run = await eng.api.invoke('runs.createFromWorkflow', { document: { tasks: [{ id: 'use', command: 'echo "dir=$STACK_DIR"', env: [{ stacks: ['tool'] }], memory: '100M' }] }, backend: 'local' });
    expect(item(await waitRunDone(h, run.id), 'use').status).toBe('completed');
    const log = await eng.api.invoke('tasks.log', { run_id: run.id, task_id: 'use', type: 'output' });
    expect(log.content).toContain(`dir=${path.join(cacheDir, 'tool', hashNow())}\n`);
  });

  it('delete removes every build; check says missing again', async () => {
    const r = await eng.api.invoke('stacks.delete', { name: 'tool', backend: 'local' });
    expect(r).toEqual({ name: 'tool', backend: 'local', deleted: true });
    expect(fs.existsSync(path.join(cacheDir, 'tool'))).toBe(false);
    expect((await eng.api.invoke('stacks.check', { name: 'tool', backend: 'local' })).state).toBe('missing');
  });

  it('bad names are located errors: unknown stack, unknown backend', async () => {
    await expect(eng.api.invoke('stacks.check', { name: 'nope', backend: 'local' })).rejects.toThrow(/No stack named 'nope' .*defined: tool, slow/);
    await expect(eng.api.invoke('stacks.check', { name: 'tool', backend: 'mars' })).rejects.toThrow(/No backend named 'mars'/);
  });

  it("a repository's scripthut.yaml stacks apply to its runs (and win over the app's of the same name)", async () => {
    await waitFor(async () => (await eng.api.invoke('sources.list', {})).sources.find((x) => x.synced_at), 'the startup sync');
    const run = await eng.api.invoke('sources.run', { name: 'repo', workflow: 'uses' });
    const done = await waitRunDone(h, run.id);
    expect(item(done, 'u').status).toBe('completed');
    const log = await eng.api.invoke('tasks.log', { run_id: run.id, task_id: 'u', type: 'output' });
    const { stacks } = await eng.api.invoke('stacks.list', { source: 'repo' });
    expect(stacks.map((s) => `${s.name}:${s.source}`)).toEqual(['slow:null', 'repo-stack:repo', 'tool:repo']);
    // A repository stack with input files gets STACK_DIR like the app's; the hash is over the file's bytes.
    const repoHash = stackHash({ name: 'repo-stack', prep: '', inputs: {}, input_files: ['data.bin'] }, () => REPO_BIN);
    expect(stacks[1]!.hash).toBe(repoHash);
    expect(log.content).toContain(`repo=yes tool=repo rdir=${path.join(cacheDir, 'repo-stack', repoHash)}\n`);
  });
});
