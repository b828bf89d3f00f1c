import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkScript, deleteScript, installCommand, parseCheck, stackDir, stackNameProblem } from '../../src-main/stacks/scripts';

// The scripts run in a real bash against a temporary HOME, so `~` handling is exercised, not just string-matched.
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-scripts-'));
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));
const bash = (script: string) => {
  const r = spawnSync('bash', ['-c', script], { env: { PATH: process.env.PATH, HOME: home }, cwd: home, encoding: 'utf8' });
  return { exitCode: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
};

describe('stack paths', () => {
  it('keeps ~ for the remote shell and joins without double slashes', () => {
    expect(stackDir('~/.cache/scripthut/stacks/', 'py', 'abc')).toBe('~/.cache/scripthut/stacks/py/abc');
    expect(checkScript('~/c/py/abc')).toContain('D="$HOME"/c/py/abc');
    expect(checkScript('~/c/py/abc')).not.toContain("'~");
  });

  it('refuses names that would make rm -rf reach outside the cache folder', () => {
    for (const bad of ['..', '../x', 'a/b', '.hidden', '-rf', '', 'a b']) expect(stackNameProblem(bad), bad).not.toBeNull();
    expect(stackNameProblem('py-3.11_ml')).toBeNull();
    expect(() => deleteScript('~/c', '../..')).toThrow(/names a folder/);
  });
});

describe('check → install → check → delete in a real bash', () => {
  const dir = stackDir('~/cache', 'tool', '0123456789ab');
  const real = path.join(home, 'cache', 'tool', '0123456789ab');

  it('is missing before anything is built', () => {
    expect(parseCheck(bash(checkScript(dir)))).toEqual({ state: 'missing', lastBuilt: null, sizeBytes: null, error: null });
  });

  it('a folder without .ready is installing, with the reference error text', () => {
    fs.mkdirSync(real, { recursive: true });
    const c = parseCheck(bash(checkScript(dir)));
    expect(c.state).toBe('installing');
    expect(c.error).toBe('Cache directory exists but .ready sentinel is missing');
  });

  it('install removes the leftover, runs prep with STACK_DIR, and marks it ready', () => {
    fs.writeFileSync(path.join(real, 'leftover'), 'x');
    const r = bash(installCommand({ name: 'tool', dir, prep: 'echo built > "$STACK_DIR/bin.txt"\nhead -c 5000 /dev/zero > data', rebuild: false }));
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(fs.existsSync(path.join(real, 'leftover'))).toBe(false);
    expect(fs.readFileSync(path.join(real, 'bin.txt'), 'utf8')).toBe('built\n');
    const c = parseCheck(bash(checkScript(dir)));
    expect(c.state).toBe('ready');
    expect(c.sizeBytes).toBeGreaterThanOrEqual(5000);
    expect(Date.parse(c.lastBuilt ?? '')).toBeGreaterThan(Date.parse('2020-01-01'));
  });

  it('a second install is a no-op unless rebuild', () => {
    fs.writeFileSync(path.join(real, 'marker'), 'keep');
    const again = bash(installCommand({ name: 'tool', dir, prep: 'exit 3', rebuild: false }));
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('already built');
    expect(fs.existsSync(path.join(real, 'marker'))).toBe(true);
  });

  it('a failing prep fails the command and leaves the stack installing (no sentinel)', () => {
    const r = bash(`${installCommand({ name: 'tool', dir, prep: 'false\necho never > after', rebuild: true })}\necho "outer=$?"`);
    expect(r.stdout).toContain('outer=1'); // set -e stays inside the subshell; the job script still records the code
    expect(fs.existsSync(path.join(real, 'after'))).toBe(false);
    expect(parseCheck(bash(checkScript(dir))).state).toBe('installing');
  });

  it('empty prep only creates the folder and the sentinel', () => {
    const r = bash(installCommand({ name: 'tool', dir, prep: '', rebuild: true }));
    expect(r.exitCode).toBe(0);
    expect(fs.readdirSync(real)).toEqual(['.ready']);
  });

  it('delete removes every hash of the stack and nothing beside it', () => {
    fs.mkdirSync(path.join(home, 'cache', 'tool', 'otherhash'), { recursive: true });
    fs.mkdirSync(path.join(home, 'cache', 'keep'), { recursive: true });
    expect(bash(deleteScript('~/cache', 'tool')).exitCode).toBe(0);
    expect(fs.readdirSync(path.join(home, 'cache'))).toEqual(['keep']);
    expect(parseCheck(bash(checkScript(dir))).state).toBe('missing');
  });
});

describe('parseCheck', () => {
  it('a failed command is missing with stderr as the error', () => {
    expect(parseCheck({ exitCode: 255, stdout: '', stderr: 'ssh: connect refused\n' })).toEqual({ state: 'missing', lastBuilt: null, sizeBytes: null, error: 'ssh: connect refused' });
  });
  it('reads READY with mtime and size, tolerating a login banner and CRLF', () => {
    expect(parseCheck({ exitCode: 0, stdout: 'Welcome to hpc\r\nREADY\r\n1700000000\r\n4096\r\n', stderr: '' })).toEqual({ state: 'ready', lastBuilt: '2023-11-14T22:13:20.000Z', sizeBytes: 4096, error: null });
  });
  it('says so when the output is not understood', () => {
    expect(parseCheck({ exitCode: 0, stdout: 'what\n', stderr: '' }).error).toMatch(/unexpected check output: what/);
  });
  it('the install command is valid bash for prep with case patterns and quotes', () => {
    const cmd = installCommand({ name: 'x', dir: '/tmp/x', prep: "case a in a) echo 'it''s' ;; esac", rebuild: false });
    expect(() => execFileSync('bash', ['-n', '-c', cmd])).not.toThrow();
  });
});
