// Which polled reads the engine's thread answers itself rather than handing them to the read worker.
//
// A hand-off is not free on a small machine: posting wakes the worker's thread, its reply wakes this one, and the
// worker counts a running run's tasks in SQL where this thread has the counts in memory (active-execution.ts).
// Measured with 50 UIs polling a running run (bench/loop-readers), the worker path cost the engine process about
// twice the CPU per read of answering here. What the worker is for is the read that could hold the loop up: a big
// page, or a text search that scans a run's tasks. So a page of a few hundred rows without a search is answered
// here; everything else still goes to the worker.
import crypto from 'node:crypto';
import type { JsonAnswer } from './dispatch';
import type { ReadCallName } from './read-calls';

/** Largest task page (runs.get) answered on the engine's thread; a UI's visible page is 50–100 rows. */
export const ON_THREAD_MAX_TASKS = 200;
/** Largest runs page (runs.list) answered on the engine's thread. */
export const ON_THREAD_MAX_RUNS = 100;

function limitOf(input: Record<string, unknown>): number | null {
  const raw = input.limit;
  if (raw === undefined || raw === null || raw === '') return null;
  const n = typeof raw === 'number' ? raw : Number(raw);
  return Number.isFinite(n) ? n : null;
}

/**
 * True when this read is small and bounded: an explicit small limit and no text search. Without a limit the
 * defaults (1,000 tasks, 50 runs) apply, and a task page that large goes to the worker.
 */
export function answeredOnThread(name: ReadCallName, input: unknown): boolean {
  if (!input || typeof input !== 'object') return false;
  const i = input as Record<string, unknown>;
  if (i.q !== undefined && i.q !== '') return false;
  const limit = limitOf(i);
  if (name === 'runs.get') return limit !== null && limit <= ON_THREAD_MAX_TASKS;
  return limit === null || limit <= ON_THREAD_MAX_RUNS;
}

/** A strong validator of exactly these bytes (not a secret: sha1 is fast, and collisions do not matter here). */
export function etagOf(body: Uint8Array): string {
  // The one-shot hash: a Hash object per answer cost as much again as hashing a page's bytes.
  return `"${crypto.hash('sha1', body, 'base64url')}"`;
}

/** An answer as the host sends it: UTF-8 JSON bytes with their ETag. */
export function jsonAnswerOf(value: unknown): JsonAnswer {
  // A promise would serialise as {}: the read handlers answered here must stay synchronous.
  if (value instanceof Promise) throw new Error('A read answered on the engine thread returned a promise.');
  return jsonAnswerOfText(JSON.stringify(value));
}

/** An answer already written as JSON text. */
export function jsonAnswerOfText(text: string): JsonAnswer {
  const body = Buffer.from(text, 'utf8');
  return Object.assign(body, { etag: etagOf(body) });
}
