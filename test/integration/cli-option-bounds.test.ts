// Whole-number options where 0 means nothing useful are refused with the option's name, before any engine is
// asked: `run watch --interval 0` polled the engine in a tight loop, `--limit 0` silently showed one row.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureCliBuilt, makeSandbox, stopAll, type CliSandbox } from '../helpers/cli';

let sb: CliSandbox;
beforeAll(() => {
  ensureCliBuilt();
  sb = makeSandbox();
  // No engine may be started by these commands: the option check comes first.
  sb.env.SCRIPTHUT_AUTOSTART = 'never';
}, 180_000);
afterAll(() => {
  stopAll();
  fs.rmSync(sb.root, { recursive: true, force: true });
});

describe('options that must be at least 1', () => {
  it.each([
    [['run', 'watch', 'r1', '--interval', '0'], '--interval must be at least 1, got 0'],
    [['run', 'list', '--limit', '0'], '--limit must be at least 1, got 0'],
    [['run', 'view', 'r1', '--limit', '0'], '--limit must be at least 1, got 0'],
    [['backend', 'commands', 'local', '--limit', '0'], '--limit must be at least 1, got 0'],
    [['workflow', 'run', 'package.json', '--max-concurrent', '0'], '--max-concurrent must be at least 1, got 0'],
  ])('%j is refused as bad usage', async (args, message) => {
    const r = await cli(sb, args);
    expect(r.stderr).toContain(message);
    expect(r.code).toBe(2);
    expect(fs.existsSync(`${sb.dataDir}/engine.json`)).toBe(false);
  }, 60_000);

  it('a positive value still passes the check (run list reads the history without an engine)', async () => {
    const r = await cli(sb, ['run', 'list', '--limit', '1']);
    expect(r.stderr).not.toMatch(/must be at least/);
    expect(r.code).toBe(0);
  }, 60_000);
});
