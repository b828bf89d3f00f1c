// Task outputs: when a task finishes, its output folder is listed (one command), markdown and images are copied
// into <data>/outputs/<run>/<task-file-name>/ (so they outlive the cluster's scratch purge), and the listing is
// recorded. It also serves the files back (data folder first, else the backend) and assembles the run summary.
// Outputs are decorative: a failure here is recorded on the task's collection, never on the task.
import { lstat, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ApiError } from '../../src-shared/api/contract';
import { taskFileName } from '../../src-shared/workflow/task-file-name';
import type { Backend } from '../backends/types';
import { expandHome, safeSegment } from '../backends/local/spool';
import type { Store } from '../store/store';
import { fetchBatches, planCollection } from './collection-plan';
import { checkOutputPath, OUTPUT_LIMITS, OutputPathError, outputMime, RUN_SUMMARY_FILE, TASK_SUMMARY_FILE } from './output-path';
import { OutputStore, type CollectionRecord } from './output-store';

export interface CollectorDeps {
  store: Pick<Store, 'db' | 'getRun' | 'getTask' | 'getAttempt'>;
  backends: Map<string, Backend>;
  dataDir: string;
  now: () => string;
  /** Where failures to collect are reported (they are also recorded on the task). */
  log?: (message: string) => void;
}

export interface OutputBytes {
  path: string;
  size: number;
  mime: string;
  bytes: Buffer;
}

/** Tasks whose outputs are recorded in one transaction, at most. */
const COLLECT_BATCH = 500;

export function outputsRoot(dataDir: string, runId: string): string {
  return path.join(dataDir, 'outputs', safeSegment(runId));
}

/** The task's folder in the data folder; for the local backend it is also where the task writes. */
export function keptOutputDir(dataDir: string, runId: string, taskId: string): string {
  return path.join(outputsRoot(dataDir, runId), taskFileName(taskId));
}

export class OutputCollector {
  readonly rows: OutputStore;
  private queue: Promise<void> = Promise.resolve();
  private pending = new Set<string>();
  private draining = false;
  private stopped = false;

  constructor(private readonly d: CollectorDeps) {
    this.rows = new OutputStore(d.store.db);
  }

  /**
   * Collect a finished task in the background (repeats of a queued one are dropped). Tasks that finish while a
   * batch is being collected are collected together, and a batch's rows are written in one transaction: a turn
   * of many short jobs pays one commit for their outputs, not one each.
   */
  enqueue(runId: string, taskId: string): void {
    const key = `${runId}\u0000${taskId}`;
    if (this.stopped || this.pending.has(key)) return;
    this.pending.add(key);
    if (this.draining) return;
    this.draining = true;
    this.queue = this.queue.then(() => this.drain()).catch((err: unknown) => this.d.log?.(`collecting outputs: ${(err as Error).message}`));
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.size && !this.stopped) {
        const keys = [...this.pending].slice(0, COLLECT_BATCH);
        for (const k of keys) this.pending.delete(k);
        const made: Array<{ record: CollectionRecord; after?: () => Promise<void> }> = [];
        for (const key of keys) {
          const [runId, taskId] = key.split('\u0000') as [string, string];
          try {
            made.push(await this.gather(runId, taskId));
          } catch (err) {
            this.d.log?.(`collecting outputs of ${runId}/${taskId}: ${(err as Error).message}`);
          }
        }
        let saved: boolean[] = [];
        try {
          saved = this.rows.recordAll(made.map((m) => m.record));
        } catch (err) {
          this.d.log?.(`recording the outputs of ${made.length} task(s): ${(err as Error).message}`);
        }
        for (let i = 0; i < made.length; i++) if (!saved[i]) await made[i]?.after?.().catch(() => undefined);
      }
    } finally {
      this.draining = false;
    }
  }

  /** Resolves when everything queued so far is collected. */
  idle(): Promise<void> {
    return this.queue;
  }

  stop(): void {
    this.stopped = true;
  }

  /** Finished (or cancelled after submission) tasks of the last day never collected (the engine stopped in between). */
  catchUp(sinceIso: string): void {
    const rows = this.d.store.db
      .prepare(
        `SELECT t.run_id, t.task_id FROM tasks t LEFT JOIN task_output_collections c ON c.run_id = t.run_id AND c.task_id = t.task_id
         WHERE t.status IN ('completed', 'failed', 'cancelled') AND t.submitted_at IS NOT NULL AND t.finished_at >= ?
           AND (c.run_id IS NULL OR c.attempt < t.attempt) LIMIT 500`,
      )
      .all(sinceIso) as Array<{ run_id: string; task_id: string }>;
    for (const r of rows) this.enqueue(r.run_id, r.task_id);
  }

  async removeRun(runId: string): Promise<void> {
    await rm(outputsRoot(this.d.dataDir, runId), { recursive: true, force: true });
  }

  private backendOf(runId: string, taskId: string): { backend: Backend | null; name: string; attempt: number } {
    const run = this.d.store.getRun(runId);
    const task = this.d.store.getTask(runId, taskId);
    const attempt = task?.attempt ?? 1;
    const name = this.d.store.getAttempt(runId, taskId, attempt)?.backend_name ?? run?.backend_name ?? '';
    return { backend: this.d.backends.get(name) ?? null, name, attempt };
  }

  /** Collect one task now and record it (its own transaction). */
  async collect(runId: string, taskId: string): Promise<CollectionRecord | null> {
    const { record, after } = await this.gather(runId, taskId);
    const saved = this.save(record);
    if (!saved) await after?.();
    return saved;
  }

  /**
   * List (and copy) a task's outputs; writes no row. `after` undoes the copies when the record cannot be saved
   * (the run was deleted while the files were copied: its folder is already gone, so must these copies be).
   */
  private async gather(runId: string, taskId: string): Promise<{ record: CollectionRecord; after?: () => Promise<void> }> {
    const { backend, name, attempt } = this.backendOf(runId, taskId);
    const base: CollectionRecord = { runId, taskId, attempt, collectedAt: this.d.now(), hasRunSummary: false, notes: [], error: null, outputs: [] };
    if (!backend) return { record: { ...base, error: `Backend '${name}' is not configured any more; outputs were not collected.` } };
    const dir = backend.outputDir(runId, taskId);
    if (!dir || !backend.listFiles || !backend.readFiles) {
      return { record: { ...base, error: `Task outputs are not supported on the ${backend.kind} backend '${backend.name}': it has no shared folder, so $SCRIPTHUT_OUTPUT_DIR is not set there.` } };
    }
    let listing;
    try {
      listing = await backend.listFiles(dir, { maxDepth: OUTPUT_LIMITS.maxDepth, limit: OUTPUT_LIMITS.maxFiles + 1, always: [RUN_SUMMARY_FILE] });
    } catch (err) {
      return { record: { ...base, error: `Could not list ${dir} on '${backend.name}': ${(err as Error).message}` } };
    }
    const plan = planCollection(listing.files);
    const dest = keptOutputDir(this.d.dataDir, runId, taskId);
    const inPlace = backend.kind === 'local' && path.resolve(expandHome(dir)) === path.resolve(dest);
    const notes = [...plan.notes];
    const stored = new Set<string>();
    if (inPlace) {
      for (const o of plan.outputs) if (!o.skipped) stored.add(o.path);
      if (plan.runSummary) stored.add(RUN_SUMMARY_FILE);
    } else {
      // A rerun's collection replaces the previous one as a whole.
      await rm(dest, { recursive: true, force: true });
      const wanted = [...plan.outputs.filter((o) => o.keep), ...(plan.runSummary ? [plan.runSummary] : [])];
      for (const batch of fetchBatches(wanted)) {
        let reads;
        try {
          reads = await backend.readFiles(dir, batch.map((f) => f.path), OUTPUT_LIMITS.maxFileBytes);
        } catch (err) {
          notes.push(`Could not copy ${batch.length} file(s) from '${backend.name}': ${(err as Error).message}`);
          continue;
        }
        for (const r of reads) {
          if (r.status !== 'ok' || !r.bytes) {
            notes.push(`${r.path}: ${r.status === 'too_large' ? 'grew past the size limit' : 'disappeared'} before it could be copied.`);
            continue;
          }
          const file = path.join(dest, checkOutputPath(r.path));
          await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
          await writeFile(file, r.bytes, { mode: 0o600 });
          stored.add(r.path);
        }
      }
    }
    const record: CollectionRecord = {
      ...base,
      hasRunSummary: stored.has(RUN_SUMMARY_FILE),
      notes: listing.exists ? notes : [],
      outputs: plan.outputs.map((o) => ({ path: o.path, size: o.size, kind: o.kind, stored: stored.has(o.path), skipped: o.skipped })),
    };
    return inPlace ? { record } : { record, after: () => rm(dest, { recursive: true, force: true }) };
  }

  /** The kept copy of a task's $SCRIPTHUT_TASK_SUMMARY, or null (not collected, or not written). */
  async keptTaskSummary(runId: string, taskId: string): Promise<string | null> {
    if (!this.rows.output(runId, taskId, TASK_SUMMARY_FILE)?.stored) return null;
    return (await this.readKept(runId, taskId, TASK_SUMMARY_FILE))?.toString('utf8') ?? null;
  }

  private save(c: CollectionRecord): CollectionRecord | null {
    return this.rows.record(c) ? c : null;
  }

  /** The bytes of one listed output: the data folder's copy when there is one, else fetched from the backend. */
  async read(runId: string, taskId: string, relPath: string): Promise<OutputBytes> {
    let rel: string;
    try {
      rel = checkOutputPath(relPath);
    } catch (err) {
      if (err instanceof OutputPathError) throw new ApiError('bad_input', err.message);
      throw err;
    }
    if (!this.d.store.getRun(runId)) throw new ApiError('not_found', `No run with id '${runId}'.`);
    if (!this.d.store.getTask(runId, taskId)) throw new ApiError('not_found', `Run '${runId}' has no task '${taskId}'.`);
    const row = this.rows.output(runId, taskId, rel);
    if (!row) {
      const collected = this.rows.collections(runId, taskId).length > 0;
      throw new ApiError('not_found', collected ? `Task '${taskId}' has no output '${rel}' (see \`scripthut run outputs ${runId} ${taskId}\`).` : `The outputs of task '${taskId}' have not been collected (it has not finished yet).`);
    }
    if (row.skipped) throw new ApiError('bad_input', `Output '${rel}' of task '${taskId}' is ${row.skipped}; copy it from the backend's output folder instead.`);
    if (row.stored) {
      const bytes = await this.readKept(runId, taskId, rel);
      if (bytes) return { path: rel, size: bytes.length, mime: outputMime(rel), bytes };
    }
    const { backend, name } = this.backendOf(runId, taskId);
    const dir = backend?.outputDir(runId, taskId);
    if (!backend?.readFiles || !dir) throw new ApiError('unavailable', `Output '${rel}' was not copied and backend '${name}' cannot serve it.`);
    let r;
    try {
      [r] = await backend.readFiles(dir, [rel], OUTPUT_LIMITS.maxFileBytes);
    } catch (err) {
      throw new ApiError('unavailable', `Could not fetch '${rel}' from '${backend.name}': ${(err as Error).message}`);
    }
    if (r?.status === 'too_large') throw new ApiError('bad_input', `Output '${rel}' is larger than ${OUTPUT_LIMITS.maxFileBytes / (1024 * 1024)} MiB now; copy it from ${dir} on '${backend.name}'.`);
    if (!r?.bytes) throw new ApiError('not_found', `Output '${rel}' is no longer in ${dir} on '${backend.name}' (purged or removed); only markdown and images are kept by the app.`);
    return { path: rel, size: r.bytes.length, mime: outputMime(rel), bytes: r.bytes };
  }

  private async readKept(runId: string, taskId: string, rel: string): Promise<Buffer | null> {
    const file = path.join(keptOutputDir(this.d.dataDir, runId, taskId), rel);
    const st = await lstat(file).catch(() => null);
    if (!st?.isFile()) return null;
    return readFile(file);
  }

  /** The run summary: each task's $SCRIPTHUT_RUN_SUMMARY fragment under a heading, in task order. */
  async runSummary(runId: string): Promise<{ sections: Array<{ task_id: string; name: string; markdown: string }>; markdown: string | null }> {
    if (!this.d.store.getRun(runId)) throw new ApiError('not_found', `No run with id '${runId}'.`);
    const sections: Array<{ task_id: string; name: string; markdown: string }> = [];
    for (const c of this.rows.collections(runId)) {
      if (!c.has_run_summary) continue;
      const bytes = await this.readKept(runId, c.task_id, RUN_SUMMARY_FILE);
      if (bytes) sections.push({ task_id: c.task_id, name: c.name ?? c.task_id, markdown: bytes.toString('utf8') });
    }
    const markdown = sections.length ? sections.map((s) => `## ${s.name}\n\n${s.markdown.trimEnd()}\n`).join('\n') : null;
    return { sections, markdown };
  }
}
