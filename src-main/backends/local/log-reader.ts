// Reading job logs from the local disk: the whole file, its last N lines, or only the bytes appended since the
// last read (the log view follows a running job this way without re-reading what it already has).
import { open } from 'node:fs/promises';
import type { LogRead, LogReadOptions } from '../types';
import { ApiError } from '../../../src-shared/api/contract';

/** Upper bound of one read, so following a runaway log cannot pull gigabytes into memory at once. */
export const MAX_READ_BYTES = 8 * 1024 * 1024;
const TAIL_CHUNK = 64 * 1024;
/** A whole log larger than this is not turned into one string (a 700 MB log used to end in a 500). */
export const MAX_WHOLE_READ_BYTES = 64 * 1024 * 1024;

/**
 * Length of `buf` without a trailing, incomplete UTF-8 sequence: the rest of that character has not been
 * written yet, and decoding half of it would show a replacement character.
 */
export function completeUtf8Length(buf: Buffer): number {
  const n = buf.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = buf[n - back] ?? 0;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

export async function readLogFile(file: string, opts: LogReadOptions): Promise<LogRead> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      const at = opts.offset ?? 0;
      return { content: '', offset: at, nextOffset: at, missing: true };
    }
    throw new Error(`cannot read log '${file}': ${(e as Error).message}`);
  }
  try {
    const size = (await handle.stat()).size;
    if (opts.offset !== undefined) {
      // A file shorter than the offset was truncated or replaced (a retried attempt): start again from 0.
      const start = opts.offset <= size ? Math.max(0, opts.offset) : 0;
      const length = Math.min(size - start, MAX_READ_BYTES);
      const buf = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buf, 0, length, start);
      const usable = completeUtf8Length(buf.subarray(0, bytesRead));
      return { content: buf.subarray(0, usable).toString('utf8'), offset: start, nextOffset: start + usable, missing: false };
    }
    if (opts.tail !== undefined) {
      // Lines longer than one read (a log of NULs, a binary dump) stop at MAX_READ_BYTES from the end.
      const start = await tailStart(handle, size, Math.max(0, Math.floor(opts.tail)), Math.max(0, size - MAX_READ_BYTES));
      const buf = Buffer.alloc(size - start);
      const { bytesRead } = await handle.read(buf, 0, buf.length, start);
      return { content: buf.subarray(0, bytesRead).toString('utf8'), offset: start, nextOffset: start + bytesRead, missing: false };
    }
    if (size > MAX_WHOLE_READ_BYTES) {
      throw new ApiError('bad_input', `The log ${file} is ${Math.round(size / (1024 * 1024))} MB, too large to read whole; read its tail or from an offset, or download it from GET /api/v1/runs/<run>/tasks/<task>/log/raw.`);
    }
    const buf = Buffer.alloc(size);
    const { bytesRead } = await handle.read(buf, 0, size, 0);
    return { content: buf.subarray(0, bytesRead).toString('utf8'), offset: 0, nextOffset: bytesRead, missing: false };
  } finally {
    await handle.close();
  }
}

/** Byte offset where the last `lines` lines begin (a final newline does not start an extra, empty line). */
async function tailStart(handle: import('node:fs/promises').FileHandle, size: number, lines: number, floor = 0): Promise<number> {
  if (lines === 0) return size;
  let end = size;
  let newlines = 0;
  // The file's last byte being '\n' terminates the last line; it does not separate lines.
  let skipLast = size > 0;
  while (end > floor) {
    const start = Math.max(floor, end - TAIL_CHUNK);
    const buf = Buffer.alloc(end - start);
    await handle.read(buf, 0, buf.length, start);
    for (let i = buf.length - 1; i >= 0; i--) {
      if (buf[i] !== 0x0a) {
        skipLast = false;
        continue;
      }
      if (skipLast) {
        skipLast = false;
        continue;
      }
      newlines++;
      if (newlines === lines) return start + i + 1;
    }
    end = start;
  }
  return floor;
}
