// Messages between the engine's thread and the read worker (read-replica.ts ↔ read-worker.ts).
import type { ErrorCode } from '../../src-shared/api/contract';

export interface ReadWorkerData {
  /** The engine's database file (opened read-only). */
  file: string;
  nativeBinding?: string;
  /** Keep answers until the next commit (read-cache.ts); default true. Off only to measure what it saves. */
  cache?: boolean;
  /** Nice steps below the engine's thread (Linux); default READS_NICENESS. 0 only to measure what it saves. */
  niceness?: number;
}

export interface ReadRequest {
  id: number;
  name: string;
  input: unknown;
}

/**
 * body: the answer as UTF-8 JSON, in an ArrayBuffer of its own that is transferred, not copied, so the engine's
 * thread neither decodes a string nor encodes it again: it writes these bytes to the socket as they are.
 * cached: the answer came from the worker's cache (read-cache.ts) without a query.
 * etag: a hash of the body, computed here so the engine's thread never hashes (the host's If-None-Match → 304).
 */
export type ReadReply = { id: number; body: Uint8Array; etag: string; cached?: boolean } | { id: number; error: { code: ErrorCode; message: string; details?: unknown } };

/** The worker's first message: its OS thread id on Linux (null elsewhere), so its CPU time can be told apart. */
export interface ReadWorkerHello {
  hello: { tid: number | null; niced: boolean };
}
