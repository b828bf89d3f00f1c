// `scripthut db backups` / `db restore` work on the data folder without an engine, and refuse while one holds it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src-main/cli/main';
import { acquireDataDirLock } from '../../src-main/engine/lock';
import { backupIfDue } from '../../src-main/store/backup';
import { Store } from '../../src-main/store/store';

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((c) => ((stdout += String(c)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((c) => ((stderr += String(c)), true));
  try {
    const code = await runCli(args, { appRoot: process.cwd(), version: 'test' });
    return { code, stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}

describe('scripthut db', () => {
  it('lists backups and restores one, keeping the damaged file', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-clidb-'));
    dirs.push(dataDir);
    const file = path.join(dataDir, 'scripthut.db');
    const s = new Store(file);
    s.appendCommand({ backend: 'b', at: 'x', command: 'echo kept', kind: 'other', exitCode: 0, durationMs: 1, stdout: '', stderr: '', error: null });
    await backupIfDue(s.db, dataDir, new Date('2026-02-03T00:00:00Z'));
    s.close();

    const list = await cli(['db', 'backups', '--json', '--data-dir', dataDir]);
    expect(list.code).toBe(0);
    const { backups } = JSON.parse(list.stdout) as { backups: Array<{ file: string; day: string }> };
    expect(backups.map((b) => b.day)).toEqual(['2026-02-03']);

    fs.writeFileSync(file, '');
    const held = acquireDataDirLock(dataDir);
    const refused = await cli(['db', 'restore', backups[0]!.file, '--json', '--data-dir', dataDir]);
    held.release();
    expect(refused.code).not.toBe(0);
    expect(JSON.parse(refused.stdout).error.code).toBe('conflict');

    const ok = await cli(['db', 'restore', backups[0]!.file, '--data-dir', dataDir]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/previous file was kept/);
    const again = new Store(file);
    expect(again.listCommands('b', 10).map((r) => r.command)).toEqual(['echo kept']);
    again.close();
  });
});
