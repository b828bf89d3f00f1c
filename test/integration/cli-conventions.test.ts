// CLI conventions against the real `scripthut` command: global option placement, help and suggestions, colour,
// JSON errors, completion, config validate, history read with no engine running, and engine autostart.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cli, cliJson, ensureCliBuilt, makeSandbox, serve, stopAll, stopServe, type CliSandbox } from '../helpers/cli';

const sandboxes: CliSandbox[] = [];
const autostarted: number[] = [];
function sandbox(): CliSandbox {
  const sb = makeSandbox();
  sandboxes.push(sb);
  return sb;
}

beforeAll(() => ensureCliBuilt(), 180_000);
afterAll(() => {
  for (const pid of autostarted) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  stopAll();
  for (const sb of sandboxes) fs.rmSync(sb.root, { recursive: true, force: true });
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('argument conventions', () => {
  it('accepts global options before or after the command, and --version', async () => {
    const sb = sandbox();
    const before = await cli(sb, ['--json', 'run', 'list']);
    const after = await cli(sb, ['run', 'list', '--json']);
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout)).toEqual({ runs: [] });
    expect(after.stdout).toBe(before.stdout);
    const other = path.join(sb.root, 'other-data');
    expect((await cli(sb, ['--data-dir', other, 'run', 'list', '--json'])).code).toBe(0);
    const version = await cli(sb, ['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('shows group help, suggests the nearest command or option, exit 2', async () => {
    const sb = sandbox();
    const group = await cli(sb, ['run', '--help']);
    expect(group.code).toBe(0);
    expect(group.stdout).toContain('scripthut run view <id>');
    const typo = await cli(sb, ['run', 'lsit']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('Did you mean: scripthut run list?');
    const top = await cli(sb, ['stauts']);
    expect(top.code).toBe(2);
    expect(top.stderr).toContain('Did you mean: scripthut status?');
    const opt = await cli(sb, ['run', 'list', '--limt', '2']);
    expect(opt.code).toBe(2);
    expect(opt.stderr).toContain('Did you mean: --limit?');
  });

  it('prints errors as one JSON document under --json, with the same exit code', async () => {
    const sb = sandbox();
    const plain = await cli(sb, ['run', 'lsit']);
    const json = await cliJson<{ error: { code: string; message: string } }>(sb, ['run', 'lsit']);
    expect(json.code).toBe(plain.code);
    expect(json.body.error.code).toBe('usage');
    expect(json.body.error.message).toContain('run list');
    const missing = await cliJson<{ error: { code: string } }>(sb, ['run', 'view', 'no-such-run']);
    expect(missing.code).toBe(2);
    expect(missing.body.error.code).toBe('not_found');
  });

  it('prints shell completion scripts that the shells accept', async () => {
    const sb = sandbox();
    const bash = await cli(sb, ['completion', 'bash']);
    expect(bash.code).toBe(0);
    expect(spawnSync('bash', ['-n'], { input: bash.stdout }).status).toBe(0);
    // Drive the bash function: `scripthut run l<TAB>` completes to `list` and `logs`.
    const probe = `${bash.stdout}\nCOMP_WORDS=(scripthut run l); COMP_CWORD=2; _scripthut; echo "\${COMPREPLY[*]}"`;
    expect(spawnSync('bash', ['-c', probe], { encoding: 'utf8' }).stdout.trim().split(' ').sort()).toEqual(['list', 'logs']);
    const zsh = await cli(sb, ['completion', 'zsh']);
    expect(zsh.stdout).toMatch(/^#compdef scripthut/);
    const fish = await cli(sb, ['completion', 'fish']);
    expect(fish.stdout).toContain("complete -c scripthut -n '__fish_seen_subcommand_from run; and __fish_seen_subcommand_from logs' -l tail");
    expect((await cli(sb, ['completion', 'tcsh'])).code).toBe(2);
  });
});

describe('a closed pipe', () => {
  it('ends the command quietly (no EPIPE stack) when the reader has gone, as `| head -1` does', () => {
    // The reader closes its end at once; node starts after that, so the first write meets a closed pipe.
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" completion bash | (exec 0<&-; sleep 1); echo "writer exit \${PIPESTATUS[0]}" >&2`], { env: sandbox().env, encoding: 'utf8' });
    expect(r.stderr).not.toContain('EPIPE');
    expect(r.stderr).toContain('writer exit 0');
  });
});

describe('autostart while another engine is still starting', () => {
  it('waits for that engine and attaches to it, instead of failing with a stack trace', { timeout: 120_000 }, async () => {
    const ownerSb = sandbox();
    const owner = await serve(ownerSb);
    try {
      // Folder B is locked by a live engine (the owner's pid) that has not written engine.json yet: it is starting.
      const sb = sandbox();
      fs.mkdirSync(sb.dataDir, { recursive: true, mode: 0o700 });
      fs.writeFileSync(path.join(sb.dataDir, 'engine.lock'), JSON.stringify({ pid: owner.pid, start_time: null, hostname: os.hostname(), started_at: new Date().toISOString() }));
      const status = cliJson<{ pid: number }>(sb, ['status'], 90_000);
      // Once the command's own `serve` has been refused the folder, the owner finishes starting.
      const bootLog = path.join(sb.dataDir, 'autostart.log');
      for (let i = 0; i < 600 && !(fs.existsSync(bootLog) && fs.readFileSync(bootLog, 'utf8').includes('already in use')); i++) await new Promise((r) => setTimeout(r, 100));
      fs.copyFileSync(path.join(ownerSb.dataDir, 'engine.json'), path.join(sb.dataDir, 'engine.json'));
      const r = await status;
      expect(r.stderr).toContain('Another engine is starting');
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.body.pid).toBe(owner.pid);
    } finally {
      await stopServe(owner);
    }
  });
});

describe('scripthut config validate', () => {
  it('says a good file is valid and locates the errors of a bad one (exit 2), with no engine', async () => {
    const sb = sandbox();
    const good = path.join(sb.root, 'good.yaml');
    fs.writeFileSync(good, 'backends:\n  - name: laptop\n    type: local\n');
    const ok = await cli(sb, ['config', 'validate', good]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('is valid');
    const bad = path.join(sb.root, 'bad.yaml');
    fs.writeFileSync(bad, 'backends:\n  - name: hpc\n    type: slurm\n    ssh:\n      port: 99999999\n');
    const r = await cli(sb, ['config', 'validate', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(bad);
    expect(r.stderr).toMatch(/line \d+/);
    const j = await cliJson<{ valid: boolean; error: { issues: unknown[] } }>(sb, ['config', 'validate', bad]);
    expect(j.code).toBe(2);
    expect(j.body.valid).toBe(false);
    expect(j.body.error.issues.length).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(sb.dataDir, 'engine.json'))).toBe(false);
  });
});

describe('history without an engine, autostart, log file', () => {
  it('reads runs and finished logs after the engine stopped; starts one for a command that needs it', { timeout: 180_000 }, async () => {
    const sb = sandbox();
    const engine = await serve(sb);
    const wf = path.join(sb.root, 'wf.json');
    fs.writeFileSync(wf, JSON.stringify({ title: 'hist', tasks: [{ id: 'a', name: 'a', command: 'echo hello-from-a', memory: '10M', time_limit: '0:05:00', working_dir: sb.root }] }));
    const started = await cliJson<{ id: string }>(sb, ['workflow', 'run', wf]);
    expect(started.code, started.stderr).toBe(0);
    expect((await cli(sb, ['run', 'watch', started.body.id, '--exit-status', '--interval', '1'], 120_000)).code).toBe(0);
    const status = await cli(sb, ['status']);
    expect(status.stdout).toContain(`Log file: ${path.join(sb.dataDir, 'logs', 'scripthut.log')}`);
    await stopServe(engine);
    expect(fs.existsSync(path.join(sb.dataDir, 'engine.json'))).toBe(false);
    expect(fs.readFileSync(path.join(sb.dataDir, 'logs', 'scripthut.log'), 'utf8')).toContain('engine starting');

    const env = { ...sb.env, SCRIPTHUT_AUTOSTART: 'never' };
    const offline = { ...sb, env };
    const list = await cliJson<{ runs: Array<{ id: string; status: string }> }>(offline, ['run', 'list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.body.runs).toEqual([expect.objectContaining({ id: started.body.id, status: 'completed' })]);
    const view = await cliJson<{ items: Array<{ id: string; status: string }> }>(offline, ['run', 'view', started.body.id]);
    expect(view.body.items).toEqual([expect.objectContaining({ id: 'a', status: 'completed' })]);
    // Human output names the zone: 24-hour local time with its offset (here India, +05:30); --json stays ISO UTC.
    const india = { ...offline, env: { ...env, TZ: 'Asia/Kolkata' } };
    const listText = await cli(india, ['run', 'list']);
    expect(listText.stdout).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+05:30/);
    expect(listText.stdout).not.toMatch(/\b(AM|PM)\b/);
    // A filter that matches nothing says so; "No runs yet" is only for an empty history.
    const none = await cli(offline, ['run', 'list', '--status', 'failed']);
    expect(none.stdout.trim()).toBe('No runs match --status failed.');
    const viewText = await cli(india, ['run', 'view', started.body.id]);
    expect(viewText.stdout).toMatch(/created \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+05:30/);
    expect((await cliJson<{ runs: Array<{ created_at: string }> }>(india, ['run', 'list'])).body.runs[0]!.created_at).toMatch(/Z$/);
    const logs = await cli(offline, ['run', 'logs', started.body.id, 'a']);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toContain('hello-from-a');
    // A command that needs an engine is refused when autostart is off …
    const refused = await cliJson<{ error: { code: string } }>(offline, ['backend', 'list']);
    expect(refused.code).toBe(1);
    expect(refused.body.error.code).toBe('engine_not_running');
    expect(fs.existsSync(path.join(sb.dataDir, 'engine.json'))).toBe(false);

    // … and starts one otherwise, saying so on stderr.
    const auto = await cliJson<{ backends: Array<{ name: string }> }>(sb, ['backend', 'list']);
    const info = JSON.parse(fs.readFileSync(path.join(sb.dataDir, 'engine.json'), 'utf8')) as { pid: number };
    autostarted.push(info.pid);
    expect(auto.code, auto.stderr).toBe(0);
    expect(auto.stderr).toContain('starting one in the background');
    expect(auto.body.backends.map((b) => b.name)).toContain('local');
    expect(alive(info.pid)).toBe(true);
    process.kill(info.pid, 'SIGTERM');
  });
});
