// The job script's own lines (header, stamps, host, exit code) with a real bash: the same text as the `date` and
// `hostname` commands would print, without starting a process for them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildScript } from '../../src-main/backends/script-body';
import type { ScriptContext } from '../../src-main/backends/types';
import type { TaskDefinition } from '../../src-shared/workflow/types';

const dir = mkdtempSync(path.join(os.tmpdir(), 'scripthut-script-body-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(command: string): string {
  const task: TaskDefinition = { id: 't1', name: 'T one', command, working_dir: dir, partition: null, cpus: 1, memory: '1G', time_limit: '0:10:00', deps: [], gres: null, image: null, env: [], generates_source: null, output_file: null, error_file: null, retries: 0 };
  const ctx: ScriptContext = { runId: 'r1', taskId: 't1', attempt: 2, jobName: 'T one', tag: 'sh-r1-t1-a2', task, env: [], init: '', logs: { output: '', error: '' }, outputDir: path.join(dir, 'out'), workingDir: dir };
  return buildScript(ctx, { header: [], loginShell: false });
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

describe('job script body', () => {
  it('prints the header, the UTC stamps, the host and the exit code, and exits with the command status', () => {
    const file = path.join(dir, 'job.sh');
    writeFileSync(file, script('echo hello\nexit 5'));
    // A time zone far from UTC: the stamps must still be UTC.
    const r = spawnSync('bash', [file], { encoding: 'utf8', env: { ...process.env, TZ: 'Asia/Tokyo', HOSTNAME: 'not-this-host' } });
    expect(r.status).toBe(5);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 3)).toEqual(['=== ScriptHut Task: T one ===', 'Task ID: t1', 'Run: r1 (attempt 2)']);
    const started = lines.find((l) => l.startsWith('Started: '))?.slice(9) ?? '';
    expect(started).toMatch(ISO);
    expect(Math.abs(Date.parse(started) - Date.now())).toBeLessThan(120_000);
    // What `hostname` prints, never an inherited $HOSTNAME.
    expect(lines).toContain(`Host: ${spawnSync('hostname', { encoding: 'utf8' }).stdout.trim()}`);
    expect(lines).toContain('hello');
    // `exit 5` leaves before the footer; a command that ends normally gets it.
    writeFileSync(file, script('false'));
    const f = spawnSync('bash', [file], { encoding: 'utf8', env: { ...process.env, TZ: 'Asia/Tokyo' } });
    expect(f.status).toBe(1);
    const tail = f.stdout.trimEnd().split('\n').slice(-2);
    expect(tail[0]?.slice(0, 10)).toBe('Finished: ');
    expect(tail[0]?.slice(10)).toMatch(ISO);
    expect(tail[1]).toBe('Exit code: 1');
  });

  it('starts no process of its own for a builtin-only command (the output folder already exists)', () => {
    const file = path.join(dir, 'quiet.sh');
    writeFileSync(file, script('echo only-builtins'));
    spawnSync('mkdir', ['-p', path.join(dir, 'out')]);
    // With PATH emptied, any external command (date, hostname, mkdir) would fail with "command not found".
    const r = spawnSync('/bin/bash', [file], { encoding: 'utf8', env: { PATH: '/nonexistent' } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('only-builtins');
  });
});
