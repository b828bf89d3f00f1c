// The outputs variables come from one list (outputs/output-path.ts): what a real bash running the submission
// script sees must be exactly what the env view shows with the source `outputs`.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildScript } from '../../src-main/backends/script-body';
import { withOutputVars } from '../../src-main/engine/handlers';
import { OUTPUT_DIR_VAR, OUTPUT_FILE_VARS, outputVarValues } from '../../src-main/outputs/output-path';
import type { TaskDefinition } from '../../src-shared/workflow/types';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-outvars-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const task: TaskDefinition = { id: 't', name: 't', command: 'env', working_dir: root, partition: null, cpus: 1, memory: '1G', time_limit: '0:01:00', deps: [], gres: null, image: null, env: [], generates_source: null, output_file: null, error_file: null, retries: 0 };

function scriptEnv(outputDir: string): Record<string, string> {
  const script = buildScript({ runId: 'r1', taskId: 't', attempt: 1, jobName: 't', tag: 'sh-r1-t-a1', task, env: [], init: '', logs: { output: 'o', error: 'e' }, outputDir, workingDir: root }, { header: [] });
  const out = execFileSync('bash', ['-c', script], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  return Object.fromEntries(out.split('\n').filter((l) => l.startsWith('SCRIPTHUT_')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

describe('outputs variables (one source for the script and the env view)', () => {
  it.each([['plain', 'out'], ['with a space and a quote', "my out's dir"]])('a real bash sees what the env view lists (%s)', (_label, name) => {
    const dir = path.join(root, name);
    const seen = scriptEnv(dir);
    const listed = withOutputVars([], dir);
    expect(listed.map((v) => v.name)).toEqual([OUTPUT_DIR_VAR, ...OUTPUT_FILE_VARS.map((v) => v.name)]);
    expect(Object.fromEntries(listed.map((v) => [v.name, v.value]))).toEqual(seen);
    expect(listed.every((v) => v.ops[0]?.source === 'outputs')).toBe(true);
    // The script also created the folder the variable names.
    expect(fs.statSync(dir).isDirectory()).toBe(true);
  });

  it('keeps a variable the user set and adds only the missing ones; no output folder means no variables', () => {
    const mine = [{ name: 'SCRIPTHUT_TASK_SUMMARY', value: '/elsewhere.md', ops: [] }];
    const merged = withOutputVars(mine, '/o');
    expect(merged.filter((v) => v.name === 'SCRIPTHUT_TASK_SUMMARY')).toEqual(mine);
    expect(merged.map((v) => v.name)).toEqual(['SCRIPTHUT_TASK_SUMMARY', 'SCRIPTHUT_OUTPUT_DIR', 'SCRIPTHUT_RUN_SUMMARY']);
    expect(withOutputVars(mine, null)).toBe(mine);
    expect(outputVarValues('/o')).toEqual([
      { name: 'SCRIPTHUT_OUTPUT_DIR', value: '/o' },
      { name: 'SCRIPTHUT_TASK_SUMMARY', value: '/o/task-summary.md' },
      { name: 'SCRIPTHUT_RUN_SUMMARY', value: '/o/.run-summary.md' },
    ]);
  });
});
