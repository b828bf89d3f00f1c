// A local job whose supervisor cannot write the exit code because the disk is full is reported as such, not as
// an unexplained "lost" job. Uses a real 2 MiB tmpfs as the data folder (needs root to mount; skipped otherwise).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src-main/backends/local';
import type { ScriptContext, SubmitRequest } from '../../src-main/backends/types';
import type { TaskDefinition } from '../../src-shared/workflow/types';

function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  const d = mkdtempSync(path.join(os.tmpdir(), 'sh-mnt-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', d], { stdio: 'ignore' });
    execFileSync('umount', [d]);
    return true;
  } catch {
    return false;
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
}
const mountable = canMount();
if (!mountable) console.warn('disk-full test SKIPPED: needs root to mount a tmpfs');

describe.skipIf(!mountable)('local backend on a full disk', () => {
  let root: string;
  let dataDir: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'sh-diskfull-'));
    dataDir = path.join(root, 'data');
    mkdirSync(dataDir);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dataDir]);
  });
  afterAll(() => {
    try {
      execFileSync('umount', [dataDir]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('says the exit code could not be recorded because the disk is full', async () => {
    const b = new LocalBackend({ name: 'local', dataDir });
    const id = 'filler';
    // The job fills the disk and exits 0; the supervisor then cannot write its rc file.
    const command = `head -c 8M /dev/zero > ${path.join(dataDir, 'fill')} 2>/dev/null; exit 0`;
    const t: TaskDefinition = { id, name: id, command, working_dir: root, partition: null, cpus: 1, memory: '1G', time_limit: '0:10:00', deps: [], gres: null, image: null, env: [], generates_source: null, output_file: null, error_file: null, retries: 0 };
    const logs = b.defaultLogPaths('run1', id, 1);
    const ctx: ScriptContext = { runId: 'run1', taskId: id, attempt: 1, jobName: id, tag: 'sh-run1-filler-1', task: t, env: [], init: '', logs, outputDir: b.outputDir('run1', id), workingDir: root };
    const req: SubmitRequest = { runId: 'run1', taskId: id, attempt: 1, tag: ctx.tag, jobName: id, task: t, script: b.buildScript(ctx), logs };
    const { jobId } = await b.submit(req);
    let verdict;
    for (let i = 0; i < 400 && !verdict; i++) {
      verdict = (await b.accounting([{ jobId, submittedAt: '' }])).get(jobId);
      if (!verdict) await new Promise((r) => setTimeout(r, 50));
    }
    // The engine that launched it hears the real exit code from its launcher, disk full or not.
    expect(verdict).toMatchObject({ outcome: 'completed', exitCode: 0 });
    await b.close();
    // An engine started later has only the spool, where the rc file is missing: it says why instead of "lost".
    const after = new LocalBackend({ name: 'local', dataDir });
    try {
      const adopted = (await after.accounting([{ jobId, submittedAt: '' }])).get(jobId);
      expect(adopted).toMatchObject({ outcome: 'failed', exitCode: null, reason: expect.stringMatching(/disk .* is full \(ENOSPC\)/) });
    } finally {
      await after.close();
    }
  });
});
