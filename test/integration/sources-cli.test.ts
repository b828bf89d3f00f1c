// `scripthut source …`, `workflow run --source` and `task run` end to end: a real `serve` process, real git, the
// real local backend.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliJson, ensureCliBuilt, makeSandbox, serve, stopAll, stopServe, type CliSandbox, type ServeProcess } from '../helpers/cli';

const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
const g = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', env: gitEnv });

let sb: CliSandbox;
let server: ServeProcess;
let work: string;

beforeAll(async () => {
  ensureCliBuilt();
  sb = makeSandbox();
  const remote = path.join(sb.root, 'remote.git');
  work = path.join(sb.root, 'work');
  g(sb.root, 'init', '-q', '--bare', '-b', 'main', remote);
  g(sb.root, 'init', '-q', '-b', 'main', work);
  fs.mkdirSync(path.join(work, '.hut', 'workflows'), { recursive: true });
  fs.writeFileSync(path.join(work, '.hut', 'workflows', 'hello.json'), JSON.stringify({ tasks: [{ id: 'hi', command: 'echo "hi from $(pwd)" > hi.out' }] }));
  fs.writeFileSync(path.join(work, '.hut', 'workflows', 'bad.json'), '{"tasks": [}');
  g(work, 'add', '-A');
  g(work, 'commit', '-qm', 'first');
  g(work, 'push', '-q', remote, 'main');
  sb.writeConfig(
    `backends:\n  - {name: local, type: local, clone_dir: ${JSON.stringify(path.join(sb.root, 'clones'))}}\nsources:\n  - {name: repo, type: git, url: ${JSON.stringify(remote)}}\nsettings:\n  local_poll_interval_ms: 100\n`,
  );
  server = await serve(sb);
}, 180_000);

afterAll(async () => {
  if (server) await stopServe(server).catch(() => undefined);
  stopAll();
  if (sb) fs.rmSync(sb.root, { recursive: true, force: true });
});

describe('scripthut source / workflow run --source / task run', () => {
  it('source sync and source list --json give the documented shape, with the broken file as a warning', async () => {
    const sync = await cliJson<{ sources: unknown[] }>(sb, ['source', 'sync', 'repo']);
    expect(sync.code).toBe(0);
    const { code, body } = await cliJson<{ sources: Array<Record<string, unknown>> }>(sb, ['source', 'list']);
    expect(code).toBe(0);
    expect(body.sources).toEqual([
      expect.objectContaining({ name: 'repo', type: 'git', workflows: ['.hut/workflows/hello.json'], last_commit: g(work, 'rev-parse', 'HEAD').trim(), error: null, warnings: [expect.stringMatching(/bad\.json: not a valid workflow/)] }),
    ]);
    const view = await cli(sb, ['source', 'view', 'repo']);
    expect(view.stdout).toContain('.hut/workflows/hello.json');
    expect(view.stdout).toContain('warning: .hut/workflows/bad.json');
  });

  it('workflow run --source --dry-run prints the script and submits nothing; --watch runs it in the checkout', async () => {
    const dry = await cliJson<{ tasks: Array<{ script: string }>; levels: string[][] }>(sb, ['workflow', 'run', 'hello', '--source', 'repo', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.body.tasks[0]!.script).toContain('hi.out');
    expect(dry.body.levels).toEqual([['hi']]);
    expect((await cliJson<{ runs: unknown[] }>(sb, ['run', 'list'])).body.runs).toEqual([]);

    const run = await cli(sb, ['workflow', 'run', 'hello', '--source', 'repo', '--watch']);
    expect(run.code, run.stderr).toBe(0);
    const sha = g(work, 'rev-parse', 'HEAD').trim();
    expect(fs.readFileSync(path.join(sb.root, 'clones', sha.slice(0, 12), 'hi.out'), 'utf8')).toBe(`hi from ${path.join(sb.root, 'clones', sha.slice(0, 12))}\n`);
  });

  it('refuses a bad --branch and an unknown source with clear messages', async () => {
    const bad = await cli(sb, ['workflow', 'run', 'hello', '--source', 'repo', '--branch', 'a..b']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/contains '\.\.'/);
    const missing = await cli(sb, ['workflow', 'run', 'hello', '--source', 'nope']);
    expect(missing.stderr).toMatch(/No source named 'nope'/);
    const noSource = await cli(sb, ['workflow', 'run', 'hello', '--branch', 'main']);
    expect(noSource.stderr).toMatch(/need --source/);
  });

  it('task run: --dry-run prints the task; a real one runs with --env and resources', async () => {
    const dry = await cliJson<{ task: Record<string, unknown>; backend: string | null }>(sb, ['task', 'run', 'echo hi', '--dry-run', '--cpus', '2', '--env', 'A=1,B=x=y']);
    expect(dry.body.task).toMatchObject({ command: 'echo hi', cpus: 2, env: [{ set: { A: '1', B: 'x=y' } }] });
    expect(dry.body.task.id).toMatch(/^adhoc-[0-9a-f]{8}$/);

    const out = path.join(sb.root, 'adhoc.out');
    const started = await cliJson<{ id: string; workflow_name: string }>(sb, ['task', 'run', `echo "$GREETING" > ${out}`, '--env', 'GREETING=hello', '--id', 'greet']);
    expect(started.code, started.stderr).toBe(0);
    expect(started.body.workflow_name).toBe('_adhoc/greet');
    expect((await cli(sb, ['run', 'watch', started.body.id, '--exit-status'])).code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe('hello\n');

    const script = path.join(sb.root, 'job.sh');
    fs.writeFileSync(script, `echo "from file" > ${out}.2\r\n`);
    const fromFile = await cliJson<{ id: string }>(sb, ['task', 'run', '--from-file', script]);
    expect((await cli(sb, ['run', 'watch', fromFile.body.id, '--exit-status'])).code).toBe(0);
    expect(fs.readFileSync(`${out}.2`, 'utf8')).toBe('from file\n');
    const both = await cli(sb, ['task', 'run', 'echo x', '--from-file', script]);
    expect(both.stderr).toMatch(/exactly one of/);
  });
});
