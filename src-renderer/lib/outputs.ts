// Task outputs in the window: fetch a file through the contract (base64, both in Electron and the browser),
// resolve the relative images of a markdown file against the task's outputs, and parse CSV/TSV for a table.
import type { OutputFile } from '../../src-shared/api/output-schemas';
import { bridge, saveBlob } from './engine';
import { relativeImageSources } from './markdown';

export function decodeBytes(f: OutputFile): Uint8Array {
  const bin = atob(f.content_base64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function decodeText(f: OutputFile): string {
  return new TextDecoder().decode(decodeBytes(f));
}

/** Only image types the CSP lets an <img> show as data: (SVG inside <img> runs no script). */
const IMAGE_MIME = /^image\/(png|jpeg|gif|webp|svg\+xml)$/;

export function dataUrl(f: OutputFile): string | null {
  return IMAGE_MIME.test(f.mime) ? `data:${f.mime};base64,${f.content_base64}` : null;
}

export function fetchOutput(runId: string, taskId: string, path: string): Promise<OutputFile> {
  return bridge().invoke('outputs.file', { run_id: runId, task_id: taskId, path });
}

export async function downloadOutput(runId: string, taskId: string, path: string): Promise<void> {
  const f = await fetchOutput(runId, taskId, path);
  saveBlob(new Blob([decodeBytes(f) as BlobPart], { type: f.mime }), path.slice(path.lastIndexOf('/') + 1) || 'output');
}

/**
 * `src` of an image in the markdown file `fromFile` → the output path it names (`plots/a.png` from
 * `report/summary.md` → `report/plots/a.png`), or null when it leaves the output folder.
 */
export function resolveRelative(fromFile: string, src: string): string | null {
  let clean = src.split(/[?#]/)[0] ?? '';
  try {
    clean = decodeURIComponent(clean);
  } catch {
    return null;
  }
  const parts = fromFile.includes('/') ? fromFile.slice(0, fromFile.lastIndexOf('/')).split('/') : [];
  for (const seg of clean.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (!parts.length) return null;
      parts.pop();
    } else parts.push(seg);
  }
  return parts.length ? parts.join('/') : null;
}

/** The data: URLs of a markdown file's relative images, fetched from the task's outputs (missing ones left out). */
export async function markdownImages(runId: string, taskId: string, fromFile: string, markdown: string): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  await Promise.all(
    relativeImageSources(markdown).map(async (src) => {
      const path = resolveRelative(fromFile, src);
      if (!path) return;
      const f = await fetchOutput(runId, taskId, path).catch(() => null);
      const url = f && dataUrl(f);
      if (url) map.set(src, url);
    }),
  );
  return map;
}

/** CSV (RFC 4180 quotes) or TSV text → rows; at most `maxRows`. */
export function parseDelimited(text: string, sep: ',' | '\t', maxRows = 500): { rows: string[][]; truncated: boolean } {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const src = text.replace(/\r\n?/g, '\n');
  for (let i = 0; i < src.length; i++) {
    const c = src[i] as string;
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === '' && sep === ',') quoted = true;
    else if (c === sep) {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      if (rows.length > maxRows) break;
    } else cell += c;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  const truncated = rows.length > maxRows;
  return { rows: rows.slice(0, maxRows), truncated };
}

export function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}
