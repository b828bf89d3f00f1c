// The spool is the local backend's only memory: one folder per job under <dataDir>/local-jobs/<backend>/.
// Everything the engine needs after a crash (which tags were submitted, whether the job runs, how it ended) is
// read back from these files, never from the engine's memory. Four files per job: two written by the engine
// (script, supervisor with the job's facts in a comment line), two by the supervisor (pid with its start stamp,
// rc with its end stamp) — every file is a few syscalls, and thousands of short jobs pay them all. Folders
// written by earlier versions (meta.json, launched, started_at, finished_at) are still read.
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Files inside a job's spool folder. */
export const SPOOL_FILES = {
  script: 'script.sh',
  /** The job's supervisor; its META_PREFIX line holds the job's facts (JobMeta as JSON). */
  supervisor: 'supervise.sh',
  /**
   * "<pid> <process start time>" then the start stamp. Created exclusively (O_EXCL) by the supervisor: it is also
   * the lock that lets at most one supervisor per job ever run its script.
   */
  pid: 'pid',
  /** The exit code, then the end stamp: the supervisor's last write. */
  rc: 'rc',
  cancelled: 'cancelled',
  /** Earlier versions: JobMeta in its own file. */
  meta: 'meta.json',
  /** Earlier versions: the stamps in files of their own, and a lock file made before the pid was known. */
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  launched: 'launched',
} as const;

/** The supervisor's comment line that carries the job's facts (one line: JSON never holds a raw newline). */
export const META_PREFIX = '# scripthut-meta: ';

export interface JobMeta {
  tag: string;
  runId: string;
  taskId: string;
  attempt: number;
  jobName: string;
  backend: string;
  submitted_at: string;
  logs: { output: string; error: string };
}

/** `~` and `~/x` → the user's home; everything else unchanged. */
export function expandHome(p: string): string {
  if (p === '~') return os.homedir();
  if (p.startsWith('~/')) return path.join(os.homedir(), p.slice(2));
  return p;
}

/** FNV-1a 32-bit, hex: a short, stable suffix that keeps two tags apart after sanitising. */
function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * The job id (and spool folder name) of an idempotency tag. Deterministic, so `findByTags` finds the folder
 * again after a crash. Tags that are already safe folder names are used as they are; anything else is
 * sanitised and gets a hash suffix so distinct tags never share a folder.
 */
export function jobIdForTag(tag: string): string {
  if (/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,100}$/.test(tag) && !tag.endsWith('.tmp')) return tag;
  const safe = tag.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^[.-]+/, '').slice(0, 80);
  return `${safe || 'job'}-${shortHash(tag)}`;
}

/** True for strings `jobIdForTag` can produce; anything else (`..`, `a/b`) is refused before touching disk. */
export function isValidJobId(jobId: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,120}$/.test(jobId) && !jobId.endsWith('.tmp');
}

/** A path segment built from a run or task id: no separators, never `.`/`..`. */
export function safeSegment(text: string): string {
  const s = text.replace(/[/\\\0]/g, '_');
  return s === '' || s === '.' || s === '..' ? `_${s}` : s;
}

/** Write through a temporary name and rename, so readers never see half a file. */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  await writeFile(tmp, content);
  await rename(tmp, file);
}

export async function readTextOrNull(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

export async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/** Parses the rc file's first line; null when missing or not yet a number. */
export function parseExitCode(text: string | null): number | null {
  if (text === null) return null;
  const t = (text.split('\n', 1)[0] ?? '').trim();
  if (!/^-?\d+$/.test(t)) return null;
  return Number(t);
}

/** The stamp on the second line of a pid or rc file (null when absent: an older folder, or not written yet). */
export function secondLine(text: string | null): string | null {
  if (text === null) return null;
  return text.split('\n')[1]?.trim() || null;
}

/** The META_PREFIX line of a supervisor script, as the line to embed. */
export function metaLine(meta: JobMeta): string {
  return META_PREFIX + JSON.stringify(meta);
}

function parseMetaJson(text: string): JobMeta | null {
  try {
    const m = JSON.parse(text) as unknown;
    return m && typeof m === 'object' ? (m as JobMeta) : null;
  } catch {
    return null;
  }
}

/**
 * The facts in a supervisor's text. The meta line must end with a newline: the engine writes it as the file's
 * last line, so a line without one is a write that did not finish (no facts yet).
 */
export function metaFromSupervisor(sup: string): JobMeta | null {
  const start = sup.indexOf(`\n${META_PREFIX}`);
  if (start < 0) return null;
  const end = sup.indexOf('\n', start + 1);
  if (end < 0) return null;
  return parseMetaJson(sup.slice(start + 1 + META_PREFIX.length, end));
}

/** A job's facts: from its supervisor's meta line, or from meta.json in a folder written by an earlier version. */
export async function readMeta(dir: string): Promise<JobMeta | null> {
  const legacy = await readTextOrNull(path.join(dir, SPOOL_FILES.meta));
  if (legacy !== null) return parseMetaJson(legacy);
  const sup = await readTextOrNull(path.join(dir, SPOOL_FILES.supervisor));
  return sup === null ? null : metaFromSupervisor(sup);
}

/** readMeta for the submit path, which is synchronous (see LocalBackend.submit). */
export function readMetaSync(dir: string): JobMeta | null {
  const read = (file: string): string | null => {
    try {
      return readFileSync(path.join(dir, file), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  };
  const legacy = read(SPOOL_FILES.meta);
  if (legacy !== null) return parseMetaJson(legacy);
  const sup = read(SPOOL_FILES.supervisor);
  return sup === null ? null : metaFromSupervisor(sup);
}

export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
}
