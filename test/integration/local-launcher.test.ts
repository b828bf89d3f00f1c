// The local backend's long-lived bash launcher, with real bash: starts asked for in the same tick go out as one
// write and still get one answer each, in order (each its own pid), and every job's end report comes back — from
// per-job supervisors, and from the launcher reaping jobs itself (also after the engine stopped listening).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JobLauncher, type ExitReport, type JobStart } from '../../src-main/backends/local/launcher';
import { SPOOL_FILES } from '../../src-main/backends/local/spool';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-launcher-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const job = (d: string): JobStart => ({ output: path.join(d, 'out'), error: path.join(d, 'err'), loginShell: false, umask: '0022' });

/** A spool folder with a real job script. */
function jobDir(name: string, script: string): string {
  const d = path.join(root, name);
  fs.mkdirSync(d);
  fs.writeFileSync(path.join(d, SPOOL_FILES.script), script);
  return d;
}

describe('JobLauncher', () => {
  it('starts a wave of supervisors from one write and hears each one end', async () => {
    const reports: ExitReport[] = [];
    let allEnded: () => void = () => {};
    const ended = new Promise<void>((r) => (allEnded = r));
    const names = ['j1', 'j2', 'j3', 'j4', 'j5'];
    const launcher = new JobLauncher((r) => {
      reports.push(r);
      if (reports.length === names.length) allEnded();
    }, 'supervisor');
    try {
      const dirs = names.map((n, i) => {
        const d = path.join(root, n);
        fs.mkdirSync(d);
        // A stand-in supervisor: records its own pid (BASHPID: it runs as a subshell of the launcher) and reports.
        fs.writeFileSync(path.join(d, SPOOL_FILES.supervisor), `echo "$BASHPID" > mypid\necho "done ${n} ${i} 0 s f"\n`);
        return d;
      });
      const pids = await Promise.all(dirs.map((d) => launcher.start(d, job(d))));
      expect(launcher.startsJobsAs).toBe('supervisor');
      await ended;
      // Each answer went to its own start: the pid each supervisor wrote is the one its start resolved with.
      expect(pids).toEqual(dirs.map((d) => Number(fs.readFileSync(path.join(d, 'mypid'), 'utf8').trim())));
      expect(new Set(pids).size).toBe(names.length);
      expect(reports.map((r) => [r.jobId, r.rc]).sort()).toEqual(names.map((n, i) => [n, i]));
      // A folder that cannot be entered fails its own start only.
      const [bad, good] = await Promise.allSettled([launcher.start(path.join(root, 'missing'), job(root)), launcher.start(dirs[0] as string, job(root))]);
      expect(bad.status).toBe('rejected');
      expect(good.status).toBe('fulfilled');
    } finally {
      launcher.close();
    }
  });

  it('as a reaper: one child per job, its own pid and group, its exit status (signals too) in rc and in the report', async () => {
    const reports = new Map<string, ExitReport>();
    const launcher = new JobLauncher((r) => reports.set(r.jobId, r));
    try {
      const specs = Array.from({ length: 12 }, (_, i) => ({ name: `r${i}`, rc: i % 5, sleep: i % 3 === 0 }));
      const dirs = specs.map((s) => jobDir(s.name, `${s.sleep ? 'sleep 0.05; ' : ''}echo "$$ $(ps -o pgid= -p $$)"; exit ${s.rc}\n`));
      const killed = jobDir('killed', 'echo $$ > self; sleep 300\n');
      const pids = await Promise.all([...dirs, killed].map((d) => launcher.start(d, job(d))));
      expect(launcher.startsJobsAs).toBe('reaper');
      const selfPid = Number(await waitFor(() => fs.existsSync(path.join(killed, 'self')) && fs.readFileSync(path.join(killed, 'self'), 'utf8').trim()));
      expect(selfPid).toBe(pids[pids.length - 1]);
      process.kill(-selfPid, 'SIGKILL');
      await waitFor(() => reports.size === specs.length + 1);
      specs.forEach((s, i) => {
        const d = dirs[i] as string;
        expect(reports.get(s.name)).toMatchObject({ rc: s.rc, cancelled: false });
        expect(fs.readFileSync(path.join(d, SPOOL_FILES.rc), 'utf8')).toMatch(new RegExp(`^${s.rc}\n\\d{4}-`));
        // $$ in the job is the pid the launcher reported, and it leads its own process group.
        const [self, pgid] = fs.readFileSync(path.join(d, 'out'), 'utf8').trim().split(/\s+/).map(Number);
        expect(self).toBe(pids[i]);
        expect(pgid).toBe(pids[i]);
        expect(fs.readFileSync(path.join(d, SPOOL_FILES.pid), 'utf8')).toMatch(new RegExp(`^${pids[i]} \\d+\n\\S+\nreaper \\d+ \\d+\n$`));
      });
      expect(reports.get('killed')).toMatchObject({ rc: 137 });
      // The pid file is the lock: a second start of the same folder runs nothing.
      expect(await launcher.start(dirs[0] as string, job(dirs[0] as string))).toBe(0);
    } finally {
      launcher.close();
    }
  });

  it('as a reaper: a folder cancelled before its start records 143 without running; jobs still running when the engine stops listening get their rc', async () => {
    const reports: ExitReport[] = [];
    const launcher = new JobLauncher((r) => reports.push(r));
    const cancelled = jobDir('c1', 'echo ran > ran\n');
    fs.writeFileSync(path.join(cancelled, SPOOL_FILES.cancelled), '');
    expect(await launcher.start(cancelled, job(cancelled))).toBe(0);
    await waitFor(() => reports.length === 1);
    expect(reports[0]).toMatchObject({ jobId: 'c1', rc: 143, cancelled: true });
    expect(fs.existsSync(path.join(cancelled, 'ran'))).toBe(false);

    const late = jobDir('late', `while [ ! -e ${path.join(root, 'go')} ]; do sleep 0.05; done; exit 6\n`);
    await launcher.start(late, job(late));
    const reaper = Number(fs.readFileSync(path.join(late, SPOOL_FILES.pid), 'utf8').split('\n')[2]?.split(' ')[1]);
    launcher.close();
    fs.writeFileSync(path.join(root, 'go'), '');
    // (An empty rc file is "not yet" to every reader.)
    await waitFor(() => fs.existsSync(path.join(late, SPOOL_FILES.rc)) && /^6\n/.test(fs.readFileSync(path.join(late, SPOOL_FILES.rc), 'utf8')));
    // Its input closed and its last job reaped, the launcher exits.
    await waitFor(() => !fs.existsSync(`/proc/${reaper}`) || /\) Z/.test(fs.readFileSync(`/proc/${reaper}/stat`, 'utf8')));
  });
});

async function waitFor<T>(probe: () => T | false | undefined | null, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
