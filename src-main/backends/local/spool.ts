// The spool is the local backend's only memory: one folder per job under <dataDir>/local-jobs/<backend>/.
// Everything the engine needs after a crash (which tags were submitted, whether the job runs, how it ended) is
// read back from these files, never from the engine's memory.
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Files inside a job's spool folder. */
export const SPOOL_FILES = {
  script: 'script.sh',
  supervisor: 'supervise.sh',
  meta: 'meta.json',
  pid: 'pid',
  rc: 'rc',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  cancelled: 'cancelled',
  /** Made (atomically, with mkdir) by the supervisor as its first act: at most one supervisor per job, ever. */
  launched: 'launched',
} as const;

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

/** Parses the rc file; null when missing or not yet a number. */
export function parseExitCode(text: string | null): number | null {
  if (text === null) return null;
  const t = text.trim();
  if (!/^-?\d+$/.test(t)) return null;
  return Number(t);
}

export async function readMeta(dir: string): Promise<JobMeta | null> {
  const text = await readTextOrNull(path.join(dir, SPOOL_FILES.meta));
  if (text === null) return null;
  try {
    return JSON.parse(text) as JobMeta;
  } catch {
    return null;
  }
}

export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
}
