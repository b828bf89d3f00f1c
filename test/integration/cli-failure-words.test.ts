// `run view` and `run watch` word a failed exit as the UI does ("Exit code 3") instead of the engine's generic
// "Non-zero exit code"; `--json` keeps the recorded error. Real serve process, real local jobs.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliJson, ensureCliBuilt, makeSandbox, serve, stopAll, stopServe, type CliSandbox, type ServeProcess } from '../helpers/cli';

let sb: CliSandbox;
let served: ServeProcess | null = null;
beforeAll(() => {
  ensureCliBuilt();
  sb = makeSandbox();
}, 180_000);
afterAll(async () => {
  if (served) await stopServe(served).catch(() => undefined);
  stopAll();
  fs.rmSync(sb.root, { recursive: true, force: true });
});

describe('failure words in the CLI', () => {
  it('run watch and run view say exit code / signal; --json keeps the raw error', async () => {
    served = await serve(sb);
    const file = path.join(sb.root, 'fails.json');
    fs.writeFileSync(file, JSON.stringify([
      { id: 'three', command: 'exit 3', memory: '10M', working_dir: sb.root },
      { id: 'killed', command: 'kill -9 $$', memory: '10M', working_dir: sb.root },
    ]));
    const started = await cliJson<{ id: string }>(sb, ['workflow', 'run', file, '--backend', 'local']);
    expect(started.code, started.stderr).toBe(0);
    const watched = await cli(sb, ['run', 'watch', started.body.id, '--exit-status', '--interval', '1'], 120_000);
    expect(watched.code).toBe(1);
    expect(watched.stdout).toContain('three: failed (exit 3) — Exit code 3');
    // The local backend records this one specifically already; that wording is kept.
    expect(watched.stdout).toContain('killed: failed (exit 137) — Killed by signal 9 (exit code 137)');
    const view = await cli(sb, ['run', 'view', started.body.id]);
    expect(view.stdout).toMatch(/three\s+failed\s.*\s3\s.*Exit code 3/);
    expect(view.stdout).not.toContain('Non-zero exit code');
    const json = await cliJson<{ items: Array<{ id: string; error: string | null }> }>(sb, ['run', 'view', started.body.id]);
    expect(json.body.items.find((t) => t.id === 'three')?.error).toBe('Non-zero exit code');
  }, 180_000);
});
