// Local side of the file access the shell backends do over SSH (outputs, path sources): list a folder without
// following symlinks, read files with a size cap. Same shapes, so callers never branch on the backend kind.
import { lstatSync, readdirSync, type Dirent, type Stats } from 'node:fs';
import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FileListing, FileRead, ListFilesOptions } from '../types';
import { expandHome } from './spool';

/**
 * Synchronous on purpose: the listing is capped (depth, file count) and local, and as promises each lstat and
 * readdir was a thread-pool round trip — for thousands of short tasks, most with an empty folder, those round
 * trips cost the engine more than the listing itself.
 */
export async function listLocalFiles(dir: string, o: ListFilesOptions): Promise<FileListing> {
  const root = path.resolve(expandHome(dir));
  if (!lstatOrNull(root)?.isDirectory()) return { exists: false, files: [] };
  const files: FileListing['files'] = [];
  const seen = new Set<string>();
  for (const a of o.always ?? []) {
    const s = lstatOrNull(path.join(root, a));
    if (s?.isFile()) {
      files.push({ path: a, size: s.size });
      seen.add(a);
    }
  }
  let listed = 0;
  const walk = (rel: string, depth: number): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (listed >= o.limit) return;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (e.name !== '.git' && depth < o.maxDepth) walk(r, depth + 1);
      } else if (e.isFile()) {
        listed++;
        if (seen.has(r)) continue;
        const s = lstatOrNull(path.join(root, r));
        if (s) files.push({ path: r, size: s.size });
      }
    }
  };
  walk('', 1);
  return { exists: true, files };
}

function lstatOrNull(p: string): Stats | null {
  try {
    return lstatSync(p, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}

export async function readLocalFiles(dir: string, paths: string[], maxBytes: number): Promise<FileRead[]> {
  const root = path.resolve(expandHome(dir));
  const out: FileRead[] = [];
  for (const rel of paths) {
    const full = path.resolve(root, rel);
    const s = full.startsWith(root + path.sep) ? await lstat(full).catch(() => null) : null;
    if (!s?.isFile()) out.push({ path: rel, status: 'missing', size: null, bytes: null });
    else if (s.size > maxBytes) out.push({ path: rel, status: 'too_large', size: s.size, bytes: null });
    else {
      const bytes = await readFile(full).catch(() => null);
      out.push(bytes ? { path: rel, status: 'ok', size: bytes.length, bytes } : { path: rel, status: 'missing', size: null, bytes: null });
    }
  }
  return out;
}
