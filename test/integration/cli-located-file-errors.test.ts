// What a newcomer meets with a broken file, through the real `scripthut` command: the message names the file and
// the place in it, and a broken config also lists what would be warned about once it is fixed.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cli, cliJson, ensureCliBuilt, makeSandbox, REPO, serve, stopAll, stopServe, type CliSandbox, type ServeProcess } from '../helpers/cli';

const sandboxes: CliSandbox[] = [];
const serving: ServeProcess[] = [];

beforeAll(() => ensureCliBuilt(), 180_000);
afterAll(async () => {
  for (const s of serving) await stopServe(s).catch(() => undefined);
  stopAll();
  for (const sb of sandboxes) fs.rmSync(sb.root, { recursive: true, force: true });
});

describe('broken files are located by name and line', () => {
  it('workflow run: a JSON syntax error and a schema error name the workflow file', async () => {
    const sb = makeSandbox();
    sandboxes.push(sb);
    serving.push(await serve(sb));
    const syntax = path.join(sb.root, 'typo.json');
    fs.writeFileSync(syntax, '{"tasks": [\n {"id": "a", "command": "echo a"},\n {"id": "b" "command": "x"}\n]}\n');
    const human = await cli(sb, ['workflow', 'run', syntax, '--backend', 'local']);
    expect(human.code).toBe(2);
    expect(human.stderr).toContain(`${syntax}: The workflow is invalid`);
    expect(human.stderr).toMatch(/line 3, column 13/);

    const schema = path.join(sb.root, 'schema.json');
    fs.writeFileSync(schema, JSON.stringify([{ id: 'a', command: 5 }]));
    const json = await cliJson<{ error: { code: string; message: string; details: { errors: unknown[] } } }>(sb, ['workflow', 'run', schema, '--backend', 'local']);
    expect(json.code).toBe(2);
    expect(json.body.error.code).toBe('bad_input');
    expect(json.body.error.message).toMatch(new RegExp(`^${schema.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: The workflow is invalid`));
    expect(json.body.error.details.errors).toHaveLength(1);

    // Not every bad_input is about the file: an unknown backend keeps its own message.
    const ok = path.join(sb.root, 'ok.json');
    fs.writeFileSync(ok, JSON.stringify([{ id: 'a', command: 'true' }]));
    const wrongBackend = await cli(sb, ['workflow', 'run', ok, '--backend', 'nope']);
    expect(wrongBackend.code).toBe(2);
    expect(wrongBackend.stderr).not.toContain(`${ok}:`);
  }, 120_000);

  it('config validate: errors on their lines, then the warnings the same file has', async () => {
    const sb = makeSandbox();
    sandboxes.push(sb);
    const file = path.join(sb.root, 'scripthut.yaml');
    fs.writeFileSync(file, ['backends:', '  - name: l', '    type: local', '    max_concurrent: two', 'settings:', '  filter_usr: me', 'cache:', '  tool: rclone', ''].join('\n'));
    const human = await cli(sb, ['config', 'validate', file]);
    expect(human.code).toBe(2);
    expect(human.stderr).toMatch(/line 4: backends\[0\] \('l'\)\.max_concurrent/);
    expect(human.stderr).toContain(`warning: ${file}:6: settings: unknown key 'filter_usr'`);
    expect(human.stderr).toContain(`warning: ${file}:7: cache: is not supported yet`);
    const json = await cliJson<{ valid: boolean; warnings: string[] }>(sb, ['config', 'validate', file]);
    expect(json.code).toBe(2);
    expect(json.body.valid).toBe(false);
    expect(json.body.warnings).toHaveLength(2);
  }, 60_000);
});

describe('serve with a broken config', () => {
  it('states that the embedded default is in use, then each located error', async () => {
    const sb = makeSandbox();
    sandboxes.push(sb);
    sb.writeConfig(['backends:', '  - name: hpc', '    type: slurmm', ''].join('\n'));
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], { cwd: REPO, env: sb.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no config error printed within 60 s:\n${stdout}`)), 60_000);
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          if (/line 2: backends\[0\] \('hpc'\): unknown backend type 'slurmm'/.test(stdout)) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.on('exit', (code) => reject(new Error(`serve exited ${code}:\n${stdout}`)));
      });
    } finally {
      if (child.pid && child.exitCode === null) process.kill(child.pid, 'SIGTERM');
    }
    expect(stdout).toContain('backends: local (local)');
    expect(stdout).toMatch(/CONFIG ERROR — running on the embedded default .* until it is fixed:/);
  }, 90_000);
});
