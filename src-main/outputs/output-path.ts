// Which relative paths name a file inside a task's output folder, what kind of file each is, and how it is served.
// Pure: the same rules guard the host route, the contract call, the CLI and the copy into the data folder.

export const OUTPUT_LIMITS = {
  /** Files listed per task; more are counted as skipped. */
  maxFiles: 200,
  /** Largest file fetched (copied, previewed, downloaded). */
  maxFileBytes: 5 * 1024 * 1024,
  /** How deep the listing goes below the output folder. */
  maxDepth: 4,
} as const;

/** The fragment a task writes to $SCRIPTHUT_RUN_SUMMARY, kept in its own output folder (one listing finds it). */
export const RUN_SUMMARY_FILE = '.run-summary.md';
export const TASK_SUMMARY_FILE = 'task-summary.md';

/**
 * The variables a task with an output folder gets: the folder itself, then the files in it. The one list both the
 * script writer (script-body.ts) and the env view (which shows them with the source `outputs`) read.
 */
export const OUTPUT_DIR_VAR = 'SCRIPTHUT_OUTPUT_DIR';
export const OUTPUT_FILE_VARS: ReadonlyArray<{ name: string; file: string }> = [
  { name: 'SCRIPTHUT_TASK_SUMMARY', file: TASK_SUMMARY_FILE },
  { name: 'SCRIPTHUT_RUN_SUMMARY', file: RUN_SUMMARY_FILE },
];

/** Each outputs variable with the value a task sees for this output folder. */
export function outputVarValues(outputDir: string): Array<{ name: string; value: string }> {
  return [{ name: OUTPUT_DIR_VAR, value: outputDir }, ...OUTPUT_FILE_VARS.map((v) => ({ name: v.name, value: `${outputDir}/${v.file}` }))];
}

export type OutputKind = 'markdown' | 'image' | 'csv' | 'tsv' | 'text' | 'other';

export class OutputPathError extends Error {}

/**
 * The normalised relative path (`a/./b` → `a/b`), or an OutputPathError saying why it is outside the folder:
 * absolute, `..`, NUL or line breaks (names of files the app lists never hold those).
 */
export function checkOutputPath(rel: string): string {
  const shown = JSON.stringify(rel.length > 200 ? `${rel.slice(0, 200)}…` : rel);
  if (rel.length === 0) throw new OutputPathError('The output path is empty; give a path relative to the task\'s output folder.');
  if (rel.includes('\0')) throw new OutputPathError(`The output path ${shown} contains a NUL byte.`);
  if (/[\r\n]/.test(rel)) throw new OutputPathError(`The output path ${shown} contains a line break.`);
  if (rel.startsWith('/') || /^[A-Za-z]:[\\/]/.test(rel) || rel.startsWith('\\')) {
    throw new OutputPathError(`The output path ${shown} is absolute; give a path relative to the task's output folder.`);
  }
  const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) throw new OutputPathError(`The output path ${shown} leaves the task's output folder ('..' is not allowed).`);
  if (parts.some((p) => p.includes('\\'))) throw new OutputPathError(`The output path ${shown} contains a backslash.`);
  if (parts.length === 0) throw new OutputPathError(`The output path ${shown} names the output folder itself, not a file in it.`);
  return parts.join('/');
}

const EXT_KIND: Record<string, OutputKind> = {
  md: 'markdown',
  markdown: 'markdown',
  png: 'image',
  jpg: 'image',
  jpeg: 'image',
  gif: 'image',
  webp: 'image',
  svg: 'image',
  csv: 'csv',
  tsv: 'tsv',
  txt: 'text',
  log: 'text',
  json: 'text',
  yaml: 'text',
  yml: 'text',
  out: 'text',
  err: 'text',
};

const MIME: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  md: 'text/markdown; charset=utf-8',
  markdown: 'text/markdown; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  tsv: 'text/tab-separated-values; charset=utf-8',
  json: 'application/json',
  txt: 'text/plain; charset=utf-8',
  log: 'text/plain; charset=utf-8',
  yaml: 'text/plain; charset=utf-8',
  yml: 'text/plain; charset=utf-8',
  out: 'text/plain; charset=utf-8',
  err: 'text/plain; charset=utf-8',
  pdf: 'application/pdf',
};

function extOf(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot + 1).toLowerCase();
}

export function outputKind(path: string): OutputKind {
  return EXT_KIND[extOf(path)] ?? 'other';
}

export function outputMime(path: string): string {
  return MIME[extOf(path)] ?? 'application/octet-stream';
}

/** Markdown and images are copied into the data folder so they stay viewable after the cluster purges scratch. */
export function isKeptOffline(kind: OutputKind): boolean {
  return kind === 'markdown' || kind === 'image';
}

/** task-summary.md first, then by path (byte order, like `LC_ALL=C sort`). */
export function compareOutputPaths(a: string, b: string): number {
  if (a === b) return 0;
  if (a === TASK_SUMMARY_FILE) return -1;
  if (b === TASK_SUMMARY_FILE) return 1;
  return a < b ? -1 : 1;
}
