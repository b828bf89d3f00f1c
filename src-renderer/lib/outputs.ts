// Task outputs in the window: fetch a file through the contract (base64, both in Electron and the browser),
// resolve the relative images of a markdown file against the task's outputs, and parse CSV/TSV for a table.
import type { OutputFile } from '../../src-shared/api/output-schemas';
import { bridge, saveBlob } from './engine';
import { relativeImageSources } from './markdown';
import { resolveRelative } from './output-format';

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
