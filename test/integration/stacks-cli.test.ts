// `scripthut stack list|check|install|delete` end to end: a real `serve` process, the real local backend, and the
// default cache_dir (`~/.cache/scripthut/stacks`, the sandbox's HOME) so `~` goes through the real shell.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliJson, ensureCliBuilt, makeSandbox, serve, stopAll, stopServe, type CliSandbox, type ServeProcess } from '../helpers/cli';

let sb: CliSandbox;
let server: ServeProcess;
const CHECK_KEYS = ['backend', 'error', 'hash', 'last_built', 'name', 'path', 'size_bytes', 'state'];

beforeAll(async () => {
  ensureCliBuilt();
  sb = makeSandbox();
  sb.writeConfig(
    [
      'backends:',
      '  - {name: local, type: local}',
      'stacks:',
      '  - name: tool',
      '    prep: "echo v1 > version"',
      '    init: export TOOL_VERSION=$(cat "$STACK_DIR/version")',
      '    memory: 100M',
      'settings:',
      '  local_poll_interval_ms: 100',
      '',
    ].join('\n'),
  );
  server = await serve(sb);
}, 180_000);

afterAll(async () => {
  if (server) await stopServe(server).catch(() => undefined);
  stopAll();
  if (sb) fs.rmSync(sb.root, { recursive: true, force: true });
});

describe('scripthut stack …', () => {
  it('stack check NAME --backend B --json prints exactly the documented keys; exit 1 while not ready', async () => {
    const { code, body } = await cliJson<Record<string, unknown>>(sb, ['stack', 'check', 'tool', '--backend', 'local']);
    expect(code).toBe(1);
    expect(Object.keys(body).sort()).toEqual(CHECK_KEYS);
    expect(body).toMatchObject({ name: 'tool', backend: 'local', state: 'missing', path: `~/.cache/scripthut/stacks/tool/${body.hash as string}`, last_built: null, size_bytes: null, error: null });
  });

  it('stack install --watch builds it as a run and ends ready (exit 0); the build is in the real HOME', async () => {
    const { code, body } = await cliJson<{ run: { workflow_name: string; status: string }; stack: Record<string, unknown> }>(sb, ['stack', 'install', 'tool', '--backend', 'local', '--watch', '--interval', '0.2'], 120_000);
    expect(code).toBe(0);
    expect(body.run).toMatchObject({ workflow_name: '_stack/tool', status: 'completed' });
    expect(body.stack).toMatchObject({ state: 'ready', error: null });
    expect(fs.readFileSync(path.join(sb.root, '.cache/scripthut/stacks/tool', body.stack.hash as string, 'version'), 'utf8')).toBe('v1\n');
    const runs = await cliJson<{ runs: Array<{ workflow_name: string }> }>(sb, ['run', 'list']);
    expect(runs.body.runs.map((r) => r.workflow_name)).toContain('_stack/tool');
  });

  it('stack check without --backend uses the only backend; without a name it checks every stack', async () => {
    const one = await cliJson<Record<string, unknown>>(sb, ['stack', 'check', 'tool']);
    expect(one.code).toBe(0);
    expect(one.body.state).toBe('ready');
    expect(one.body.size_bytes as number).toBeGreaterThan(0);
    const all = await cliJson<Array<Record<string, unknown>>>(sb, ['stack', 'check']);
    expect(all.code).toBe(0);
    expect(all.body.map((s) => `${s.name as string}@${s.backend as string}:${s.state as string}`)).toEqual(['tool@local:ready']);
    const text = await cli(sb, ['stack', 'list']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/tool\s+-\s+[0-9a-f]{12}\s+local\s+ready/);
  });

  it('a second install is a no-op run; --rebuild builds again', async () => {
    const again = await cli(sb, ['stack', 'install', 'tool', '--watch', '--interval', '0.2'], 120_000);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('tool on local: ready');
    const rebuilt = await cli(sb, ['stack', 'install', 'tool', '--rebuild', '--watch', '--interval', '0.2'], 120_000);
    expect(rebuilt.code).toBe(0);
  });

  it('unknown stack or backend: exit 2 with the reason', async () => {
    const r = await cli(sb, ['stack', 'install', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("No stack named 'nope'");
    const b = await cli(sb, ['stack', 'check', 'tool', '--backend', 'mars']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain("No backend named 'mars'");
  });

  it('stack delete removes it; check says missing', async () => {
    const { code, body } = await cliJson(sb, ['stack', 'delete', 'tool', '--backend', 'local']);
    expect(code).toBe(0);
    expect(body).toEqual({ name: 'tool', backend: 'local', deleted: true });
    expect(fs.existsSync(path.join(sb.root, '.cache/scripthut/stacks/tool'))).toBe(false);
    expect((await cliJson(sb, ['stack', 'check', 'tool'])).body.state).toBe('missing');
  });
});
