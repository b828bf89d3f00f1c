// From a raw listing of a task's output folder to what is recorded and what is copied. Pure, so the limits and the
// "what was skipped" notes are table-tested without a cluster.
import { compareOutputPaths, isKeptOffline, OUTPUT_LIMITS, outputKind, RUN_SUMMARY_FILE, type OutputKind } from './output-path';

export interface ListedFile {
  path: string;
  size: number;
}

export interface PlannedOutput {
  path: string;
  size: number;
  kind: OutputKind;
  /** Copied into the data folder (markdown, images) — readable after the cluster forgets it. */
  keep: boolean;
  /** Why this file cannot be fetched at all (too large), else null. */
  skipped: string | null;
}

export interface CollectionPlan {
  outputs: PlannedOutput[];
  /** The $SCRIPTHUT_RUN_SUMMARY fragment, when the task wrote one small enough to fetch. */
  runSummary: ListedFile | null;
  /** Human notes on what was left out (shown in the Outputs tab and by `run outputs`). */
  notes: string[];
}

const MiB = 1024 * 1024;
const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`;

/** `listed` may hold one entry more than the limit: that is how a cut listing is recognised. */
export function planCollection(listed: readonly ListedFile[], limits = OUTPUT_LIMITS): CollectionPlan {
  const notes: string[] = [];
  let runSummary: ListedFile | null = null;
  const files: ListedFile[] = [];
  for (const f of listed) {
    // Names with a line break or a backslash could not be asked for again; say so instead of listing them.
    if (/[\r\n\\]/.test(f.path) || f.path.split('/').includes('..')) {
      notes.push(`Skipped a file whose name cannot be served: ${JSON.stringify(f.path).slice(0, 120)}`);
      continue;
    }
    if (f.path === RUN_SUMMARY_FILE) {
      if (f.size > limits.maxFileBytes) notes.push(`The run summary fragment is ${mib(f.size)}, more than ${mib(limits.maxFileBytes)}; it was not collected.`);
      else runSummary = f;
      continue;
    }
    files.push(f);
  }
  files.sort((a, b) => compareOutputPaths(a.path, b.path));
  if (files.length > limits.maxFiles) {
    notes.push(`The output folder holds more than ${limits.maxFiles} files; only the first ${limits.maxFiles} are listed.`);
    files.length = limits.maxFiles;
  }
  const outputs = files.map((f): PlannedOutput => {
    const kind = outputKind(f.path);
    const tooLarge = f.size > limits.maxFileBytes;
    return { path: f.path, size: f.size, kind, keep: !tooLarge && isKeptOffline(kind), skipped: tooLarge ? `larger than ${mib(limits.maxFileBytes)} (${mib(f.size)}); not fetched` : null };
  });
  const big = outputs.filter((o) => o.skipped);
  if (big.length) notes.push(`${big.length} file${big.length === 1 ? '' : 's'} larger than ${mib(limits.maxFileBytes)} not fetched: ${big.slice(0, 5).map((o) => o.path).join(', ')}${big.length > 5 ? ', …' : ''}`);
  return { outputs, runSummary, notes };
}

/** Split files into fetch batches of at most `maxBatchBytes` each (one remote command per batch). */
export function fetchBatches<T extends { size: number }>(files: readonly T[], maxBatchBytes = 16 * MiB): T[][] {
  const batches: T[][] = [];
  let cur: T[] = [];
  let bytes = 0;
  for (const f of files) {
    if (cur.length && bytes + f.size > maxBatchBytes) {
      batches.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(f);
    bytes += f.size;
  }
  if (cur.length) batches.push(cur);
  return batches;
}
