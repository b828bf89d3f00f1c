// The local backend's long-lived bash launcher, with real bash: starts asked for in the same tick go out as one
// write and still get one answer each, in order (each its own pid), and every supervisor's end report comes back.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JobLauncher, type ExitReport } from '../../src-main/backends/local/launcher';
import { SPOOL_FILES } from '../../src-main/backends/local/spool';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-launcher-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('JobLauncher', () => {
  it('starts a wave of supervisors from one write and hears each one end', async () => {
    const reports: ExitReport[] = [];
    let allEnded: () => void = () => {};
    const ended = new Promise<void>((r) => (allEnded = r));
    const names = ['j1', 'j2', 'j3', 'j4', 'j5'];
    const launcher = new JobLauncher((r) => {
      reports.push(r);
      if (reports.length === names.length) allEnded();
    });
    try {
      const dirs = names.map((n, i) => {
        const d = path.join(root, n);
        fs.mkdirSync(d);
        // A stand-in supervisor: records its own pid (BASHPID: it runs as a subshell of the launcher) and reports.
        fs.writeFileSync(path.join(d, SPOOL_FILES.supervisor), `echo "$BASHPID" > mypid\necho "done ${n} ${i} 0 s f"\n`);
        return d;
      });
      const pids = await Promise.all(dirs.map((d) => launcher.start(d)));
      await ended;
      // Each answer went to its own start: the pid each supervisor wrote is the one its start resolved with.
      expect(pids).toEqual(dirs.map((d) => Number(fs.readFileSync(path.join(d, 'mypid'), 'utf8').trim())));
      expect(new Set(pids).size).toBe(names.length);
      expect(reports.map((r) => [r.jobId, r.rc]).sort()).toEqual(names.map((n, i) => [n, i]));
      // A folder that cannot be entered fails its own start only.
      const [bad, good] = await Promise.allSettled([launcher.start(path.join(root, 'missing')), launcher.start(dirs[0] as string)]);
      expect(bad.status).toBe('rejected');
      expect(good.status).toBe('fulfilled');
    } finally {
      launcher.close();
    }
  });
});
