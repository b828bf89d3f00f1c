// Issue 12 findings on the real `scripthut` command: the token must not reach a browser opener's argv (readable
// by every local user in /proc), and the data folder and everything in it must be owner-only after a run.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cli, cliJson, ensureCliBuilt, makeSandbox, REPO, serve, stopAll, stopServe, type CliSandbox, type ServeProcess } from '../helpers/cli';

const sandboxes: CliSandbox[] = [];
const serving: ServeProcess[] = [];
const pids: number[] = [];

beforeAll(() => ensureCliBuilt(), 180_000);
afterAll(async () => {
  for (const s of serving) await stopServe(s).catch(() => undefined);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  stopAll();
  for (const sb of sandboxes) fs.rmSync(sb.root, { recursive: true, force: true });
});

async function waitFor<T>(probe: () => T | null, what: string, tries = 200): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = probe();
    if (v !== null) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe.skipIf(process.platform === 'win32')('scripthut serve --open', () => {
  it('hands the browser opener a one-time link, never the token', async () => {
    const sb = makeSandbox();
    sandboxes.push(sb);
    const bin = path.join(sb.root, 'bin');
    const argvFile = path.join(sb.root, 'opener-argv');
    fs.mkdirSync(bin);
    // Stand-in for xdg-open/open: records the command line any local user could read in /proc.
    for (const name of ['xdg-open', 'open']) fs.writeFileSync(path.join(bin, name), `#!/bin/sh\nprintf '%s\\n' "$@" > '${argvFile}'\n`, { mode: 0o755 });
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--json', '--open'], { cwd: REPO, env: { ...sb.env, PATH: `${bin}:${process.env.PATH}` }, stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid) pids.push(child.pid);
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const info = await waitFor(() => {
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      return line ? (JSON.parse(line) as { token: string; port: number }) : null;
    }, 'serve to listen');
    const argv = await waitFor(() => (fs.existsSync(argvFile) ? fs.readFileSync(argvFile, 'utf8') : null), 'the opener to run');
    expect(argv).not.toContain(info.token);
    expect(argv.trim()).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${info.port}/auth/[A-Za-z0-9_-]+$`));
    const first = await fetch(argv.trim(), { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe(`/#token=${info.token}`);
    expect((await fetch(argv.trim(), { redirect: 'manual' })).status).toBe(403);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }, 60_000);
});

describe.skipIf(process.platform === 'win32')('data folder permissions', () => {
  it('is 0700 with 0600 files (db, WAL, logs, engine.json) after a run, and repairs an older 0644 file', async () => {
    const sb = makeSandbox();
    sandboxes.push(sb);
    fs.mkdirSync(sb.dataDir, { recursive: true, mode: 0o755 });
    fs.chmodSync(sb.dataDir, 0o755);
    const old = path.join(sb.dataDir, 'left-by-an-older-version.log');
    fs.writeFileSync(old, 'SECRET=1\n', { mode: 0o644 });
    fs.chmodSync(old, 0o644);
    const s = await serve(sb);
    serving.push(s);
    const wf = path.join(sb.root, 'wf.json');
    const result = path.join(sb.root, 'result.txt');
    fs.writeFileSync(wf, JSON.stringify({ title: 'perm', tasks: [{ id: 'say', name: 'say', command: `echo $SECRET_ENV; echo done > ${result}`, memory: '10M', time_limit: '0:05:00', working_dir: sb.root }] }));
    const run = await cliJson<{ id: string }>(sb, ['workflow', 'run', wf]);
    expect(run.code, run.stderr).toBe(0);
    expect((await cli(sb, ['run', 'watch', run.body.id, '--exit-status', '--interval', '1'], 120_000)).code).toBe(0);

    const loose: string[] = [];
    const walk = (p: string): void => {
      const st = fs.lstatSync(p);
      if (st.isSymbolicLink()) return;
      if (st.mode & 0o077) loose.push(`${path.relative(sb.dataDir, p) || '.'} ${(st.mode & 0o777).toString(8)}`);
      if (st.isDirectory()) for (const e of fs.readdirSync(p)) walk(path.join(p, e));
    };
    walk(sb.dataDir);
    expect(loose).toEqual([]);
    expect(fs.statSync(sb.dataDir).mode & 0o777).toBe(0o700);
    const names = fs.readdirSync(sb.dataDir);
    expect(names).toContain('scripthut.db');
    expect(names).toContain('engine.json');
    expect(fs.statSync(old).mode & 0o777).toBe(0o600);
    // The job itself keeps the user's umask (022 here): its results outside the data folder are not private.
    expect(fs.statSync(result).mode & 0o777).toBe(0o644);
  }, 180_000);
});

/** Run the CLI with something on stdin (the helper's cli() gives it none). */
function cliWithStdin(sb: CliSandbox, args: string[], stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env: sb.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe('CLI output and secrets', () => {
  let sb: CliSandbox;
  beforeAll(async () => {
    sb = makeSandbox();
    sandboxes.push(sb);
    serving.push(await serve(sb));
  }, 60_000);

  it('prints user-controlled ids with escape sequences and bidi controls made visible; --json keeps them raw', async () => {
    const evil = 'x\u001b]0;owned\u0007\u001b[2Ky\u202Etxt.exe';
    const wf = path.join(sb.root, 'evil.json');
    fs.writeFileSync(wf, JSON.stringify({ title: 'evil', tasks: [{ id: evil, name: evil, command: 'true', memory: '10M', time_limit: '0:05:00', working_dir: sb.root }] }));
    const run = await cliJson<{ id: string }>(sb, ['workflow', 'run', wf]);
    expect(run.code, run.stderr).toBe(0);
    const human = await cli(sb, ['run', 'view', run.body.id]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('x\\u{1b}]0;owned\\u{7}\\u{1b}[2Ky\\u{202e}txt.exe');
    for (const ch of ['\u001b', '\u0007', '\u202e']) expect(human.stdout).not.toContain(ch);
    const json = await cliJson<{ items: Array<{ id: string }> }>(sb, ['run', 'view', run.body.id]);
    expect(json.body.items.map((t) => t.id)).toEqual([evil]);
    const missing = await cli(sb, ['run', 'view', 'no\u001b]0;t\u0007such']);
    for (const ch of ['\u001b', '\u0007']) expect(missing.stderr).not.toContain(ch);
  }, 60_000);

  it('prompts answer reads the answer from --stdin instead of argv', async () => {
    const r = await cliWithStdin(sb, ['prompts', 'answer', 'no-such-prompt', '--stdin'], '424242\n');
    // The engine was asked (and knows no such prompt): the CLI accepted the command without the answer in argv.
    expect(r.stderr).not.toMatch(/Expected/);
    expect(r.stderr).toMatch(/no-such-prompt/);
    expect(r.stderr).not.toMatch(/warning/);
  }, 60_000);

  it('warns on stderr when a secret-looking answer is given as an argument', async () => {
    const r = await cliWithStdin(sb, ['prompts', 'answer', 'no-such-prompt', '424242'], '');
    expect(r.stderr).toMatch(/warning: an answer given as an argument stays in your shell history/);
    const hostKey = await cliWithStdin(sb, ['prompts', 'answer', 'no-such-prompt', 'yes'], '');
    expect(hostKey.stderr).not.toMatch(/warning/);
  }, 60_000);
});
