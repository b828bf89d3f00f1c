// The two file commands of shell backends (outputs, path sources): list a folder and fetch files, each in ONE
// remote command. Builders and parsers are pure; names travel NUL-separated and bytes as base64, so any file
// name and any content survive the trip.
import { shPath, shq } from '../../transport/quote';
import type { FileListing, FileRead, ListFilesOptions } from '../types';

const NO_DIR = '__SCRIPTHUT_NO_DIR__';
const FILE_MARK = '__SCRIPTHUT_FILE__';

function int(n: number, what: string): string {
  if (!Number.isInteger(n) || n < 0) throw new Error(`${what} must be a whole number, got ${n}`);
  return String(n);
}

/** `find -printf '%s %P\0'` under the folder (no symlinks followed, `.git` pruned), at most `limit` entries. */
export function listFilesCommand(dir: string, o: ListFilesOptions): string {
  const always = (o.always ?? []).map((a) => `if [ -f "$D"/${shq(a)} ] && [ ! -L "$D"/${shq(a)} ]; then printf '%s %s\\0' "$(stat -c %s -- "$D"/${shq(a)})" ${shq(a)}; fi`);
  return [
    `D=${shPath(dir)}`,
    `if [ ! -d "$D" ]; then echo ${NO_DIR}; exit 0; fi`,
    ...always,
    `find "$D" -mindepth 1 -maxdepth ${int(o.maxDepth, 'maxDepth')} -name .git -prune -o -type f -printf '%s %P\\0' 2>/dev/null | head -z -n ${int(o.limit, 'limit')}`,
  ].join('\n');
}

export function parseFileListing(stdout: string): FileListing {
  if (stdout.trim() === NO_DIR) return { exists: false, files: [] };
  const seen = new Set<string>();
  const files: FileListing['files'] = [];
  for (const rec of stdout.split('\0')) {
    const m = /^(\d+) ([\s\S]+)$/.exec(rec);
    if (!m) continue;
    const path = m[2] as string;
    if (seen.has(path)) continue;
    seen.add(path);
    files.push({ path, size: Number(m[1]) });
  }
  // `head` cut the find part at `limit`; the `always` entries came first and repeats of them were dropped above.
  return { exists: true, files };
}

/** One header line per file, then its base64 on one line (`-w0`). Larger than maxBytes → header only. */
export function readFilesCommand(dir: string, paths: readonly string[], maxBytes: number): string {
  const words = paths.map((p) => shq(p)).join(' ');
  return [
    `D=${shPath(dir)}`,
    `for f in ${words}; do`,
    `  p="$D/$f"`,
    `  if [ ! -f "$p" ] || [ -L "$p" ]; then echo '${FILE_MARK} missing'; continue; fi`,
    `  s=$(stat -c %s -- "$p") || { echo '${FILE_MARK} missing'; continue; }`,
    `  if [ "$s" -gt ${int(maxBytes, 'maxBytes')} ]; then echo "${FILE_MARK} too_large $s"; continue; fi`,
    `  echo "${FILE_MARK} ok $s"; base64 -w0 -- "$p"; echo`,
    'done',
  ].join('\n');
}

export function parseReadFiles(stdout: string, paths: readonly string[]): FileRead[] {
  const lines = stdout.split('\n');
  const out: FileRead[] = [];
  let i = 0;
  for (const path of paths) {
    while (i < lines.length && !(lines[i] as string).startsWith(FILE_MARK)) i++;
    const head = lines[i++];
    if (head === undefined) {
      out.push({ path, status: 'missing', size: null, bytes: null });
      continue;
    }
    const [, status, size] = head.split(' ');
    if (status === 'ok') {
      const bytes = Buffer.from((lines[i++] ?? '').trim(), 'base64');
      out.push({ path, status: 'ok', size: bytes.length, bytes });
    } else {
      out.push({ path, status: status === 'too_large' ? 'too_large' : 'missing', size: size ? Number(size) : null, bytes: null });
    }
  }
  return out;
}
