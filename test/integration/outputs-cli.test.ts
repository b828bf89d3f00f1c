// `scripthut run outputs|summary|output` against a real `scripthut serve` (local backend): the documented
// `--json` shape, the summary markdown, exact bytes on stdout for `run output ID TASK PATH > file`, and a clear
// refusal (non-zero exit, message on stderr) for a path outside the task's output folder.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cli, cliJson, ensureCliBuilt, makeSandbox, REPO, serve, stopAll, stopServe, type CliSandbox, type ServeProcess } from '../helpers/cli';

const BYTES = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255, 10, 13, 0x80, 0x7f]);
let sb: CliSandbox;
let server: ServeProcess;
let runId: string;

function rawStdout(args: string[]): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env: sb.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr }));
  });
}

beforeAll(async () => {
  ensureCliBuilt();
  sb = makeSandbox();
  server = await serve(sb);
  const wf = path.join(sb.root, 'wf.json');
  fs.writeFileSync(
    wf,
    JSON.stringify({
      tasks: [
        {
          id: 'train',
          working_dir: sb.root,
          command: `printf '${[...BYTES].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('')}' > "$SCRIPTHUT_OUTPUT_DIR/weights.bin"; echo "# done" > "$SCRIPTHUT_TASK_SUMMARY"; echo "- train ok" > "$SCRIPTHUT_RUN_SUMMARY"`,
        },
        { id: 'report', working_dir: sb.root, deps: ['train'], command: 'echo "- report ok" > "$SCRIPTHUT_RUN_SUMMARY"' },
      ],
    }),
  );
  const r = await cliJson<{ id: string }>(sb, ['workflow', 'run', wf]);
  expect(r.code, r.stderr).toBe(0);
  runId = r.body.id;
  expect((await cli(sb, ['run', 'watch', runId, '--exit-status', '--interval', '1'], 120_000)).code).toBe(0);
  const end = Date.now() + 30_000;
  while (Date.now() < end) {
    const l = await cliJson<{ collections: unknown[] }>(sb, ['run', 'outputs', runId]);
    if (l.body.collections.length === 2) break;
    await new Promise((res) => setTimeout(res, 300));
  }
}, 180_000);

afterAll(async () => {
  if (server) await stopServe(server).catch(() => undefined);
  stopAll();
  if (sb) fs.rmSync(sb.root, { recursive: true, force: true });
});

describe('run outputs / summary / output', () => {
  it('`run outputs ID --json` gives {"outputs":[{task_id, path, size, kind}]} for every task, or one task', async () => {
    const all = await cliJson<{ outputs: Array<Record<string, unknown>> }>(sb, ['run', 'outputs', runId]);
    expect(all.code, all.stderr).toBe(0);
    expect(all.body.outputs.map((o) => ({ task_id: o.task_id, path: o.path, size: o.size, kind: o.kind }))).toEqual([
      { task_id: 'train', path: 'task-summary.md', size: 7, kind: 'markdown' },
      { task_id: 'train', path: 'weights.bin', size: BYTES.length, kind: 'other' },
    ]);
    const one = await cliJson<{ outputs: unknown[] }>(sb, ['run', 'outputs', runId, 'report']);
    expect(one.body.outputs).toEqual([]);
    const text = await cli(sb, ['run', 'outputs', runId]);
    expect(text.stdout).toMatch(/train\s+weights\.bin\s+10 B\s+other/);
  });

  it('`run summary ID` prints the fragments in task order', async () => {
    const r = await cli(sb, ['run', 'summary', runId]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('## train\n\n- train ok\n\n## report\n\n- report ok\n');
  });

  it('`run output ID TASK PATH` writes the exact bytes to stdout', async () => {
    const r = await rawStdout(['run', 'output', runId, 'train', 'weights.bin']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.equals(BYTES)).toBe(true);
  });

  it('refuses a path outside the task output folder, saying why', async () => {
    const r = await rawStdout(['run', 'output', runId, 'train', '../../scripthut.db']);
    expect(r.code).not.toBe(0);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toMatch(/leaves the task's output folder/);
  });
});
