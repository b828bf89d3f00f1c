// Is the process recorded in a spool still the SAME process? A pid alone is not enough: after a reboot or a
// long pause the number may belong to someone else, so the supervisor records its start time next to its pid and
// we compare. Linux reads /proc/<pid>/stat (field 22, clock ticks since boot); other POSIX systems use
// `ps -o lstart=` — the supervisor script records the same representation (see supervisor.ts).
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';

export interface RecordedProcess {
  pid: number;
  /** Start time as recorded by the supervisor; '' when it could not read it (then only the pid is checked). */
  startTime: string;
}

/** Parses the `pid` spool file: "<pid> <start time…>". Returns null for anything malformed. */
export function parsePidFile(text: string): RecordedProcess | null {
  const match = /^\s*(\d+)[ \t]*([^\n]*)/.exec(text);
  if (!match) return null;
  const pid = Number(match[1]);
  if (!Number.isSafeInteger(pid) || pid <= 1) return null;
  return { pid, startTime: (match[2] ?? '').trim() };
}

/**
 * The launcher that reaps a job (third line of a pid file it wrote: "reaper <pid> <start time>"); null for a pid
 * file written by a per-job supervisor, which has no such line.
 */
export function parseReaperLine(text: string): RecordedProcess | null {
  const line = text.split('\n')[2] ?? '';
  const match = /^reaper (\d+) ?(\S*)\s*$/.exec(line);
  if (!match) return null;
  const pid = Number(match[1]);
  return Number.isSafeInteger(pid) && pid > 1 ? { pid, startTime: match[2] ?? '' } : null;
}

interface ProcInfo {
  state: string;
  startTime: string;
}

/** Fields after the command name of /proc/<pid>/stat; the name may itself contain spaces and parentheses. */
export function parseProcStat(text: string): ProcInfo | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const fields = text.slice(close + 1).trim().split(/\s+/);
  // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
  if (fields.length < 20) return null;
  return { state: fields[0] ?? '', startTime: fields[19] ?? '' };
}

async function procInfo(pid: number): Promise<ProcInfo | null | 'unsupported'> {
  if (process.platform !== 'linux') return 'unsupported';
  try {
    return parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') return null;
    return 'unsupported';
  }
}

function psStartTime(pid: number): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('ps', ['-o', 'lstart=', '-p', String(pid)], { env: { ...process.env, LC_ALL: 'C' }, timeout: 5000 }, (err, stdout) => {
      const text = String(stdout ?? '').trim();
      resolve(err || !text ? null : text.replace(/\s+/g, ' '));
    });
  });
}

function signalZeroAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True while a process with this pid exists (a zombie included); for children whose exit is reported anyway. */
export function isPidAlive(pid: number): boolean {
  return pid > 1 && signalZeroAlive(pid);
}

/** True when the recorded process still exists, is not a zombie, and started when the record says it did. */
export async function isSameProcessAlive(rec: RecordedProcess): Promise<boolean> {
  const info = await procInfo(rec.pid);
  if (info === null) return false;
  if (info !== 'unsupported') {
    // A zombie has finished; it only waits for a parent that may never reap it (PID 1 in some containers).
    if (info.state === 'Z' || info.state === 'X') return false;
    return rec.startTime === '' || info.startTime === rec.startTime;
  }
  if (!signalZeroAlive(rec.pid)) return false;
  if (rec.startTime === '') return true;
  const started = await psStartTime(rec.pid);
  return started === null ? false : started === rec.startTime.replace(/\s+/g, ' ');
}

/** True while any process of the group still exists (zombies included: they still hold the group id). */
export function processGroupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
