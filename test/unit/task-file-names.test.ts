// Log and output names per task: two ids that sanitise alike must not share files, on either backend, and ids
// that could not become a file name are refused at validation with a located message.
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { slurmDialect } from '../../src-main/backends/dialects/slurm';
import { LocalBackend } from '../../src-main/backends/local/local-backend';
import { ShellBackend } from '../../src-main/backends/shell/shell-backend';
import type { CommandRunner } from '../../src-main/transport/runner';
import { parseWorkflow } from '../../src-shared/workflow/parse';
import { taskFileName } from '../../src-shared/workflow/task-file-name';

const noRunner: CommandRunner = {
  label: 'none',
  run: () => Promise.reject(new Error('no commands expected')),
  close: async () => {},
};

describe('task file names', () => {
  const local = new LocalBackend({ name: 'local', dataDir: path.join(os.tmpdir(), 'sh-names') });
  const shell = new ShellBackend('hpc', slurmDialect, noRunner, { maxConcurrent: 1, pollIntervalMs: 30_000 });

  it.each([['local', local], ['shell', shell]] as const)('%s: x\\y and x_y get different logs and output folders', (_n, b) => {
    expect(b.defaultLogPaths('r1', 'x\\y', 1).output).not.toBe(b.defaultLogPaths('r1', 'x_y', 1).output);
    expect(b.outputDir('r1', 'x\\y')).not.toBe(b.outputDir('r1', 'x_y'));
    expect(b.outputDir('r1', 'x y')).not.toBe(b.outputDir('r1', 'x_y'));
    // The name part must be a plain file name: no separators or shell-special characters from the raw id.
    expect(path.basename(b.outputDir('r1', 'x\\y y') ?? '')).toMatch(/^[A-Za-z0-9_.+-]+$/);
  });

  it('keeps safe ids readable and gives every other id a safe, short name', () => {
    expect(taskFileName('align_1.v2')).toBe('align_1.v2');
    for (const id of ['x\\y', 'ü'.repeat(100), '..', '$(rm -rf ~)', '-n']) {
      const name = taskFileName(id);
      expect(name).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/);
      expect(Buffer.byteLength(name)).toBeLessThan(100);
    }
    expect(taskFileName('x\\y')).not.toBe(taskFileName('x|y'));
  });

  it('refuses a task id over 200 bytes in UTF-8 at validation, naming the task', () => {
    const id = 'ü'.repeat(150); // 150 characters, 300 bytes
    const r = parseWorkflow([{ id, command: 'true' }]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]?.message).toMatch(/^tasks\[0\] .*'id' must be at most 200 bytes in UTF-8, got 300 bytes/);
  });
});
