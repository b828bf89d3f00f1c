// Messages between the engine's thread and the read worker (read-replica.ts ↔ read-worker.ts).
import type { ErrorCode } from '../../src-shared/api/contract';

export interface ReadWorkerData {
  /** The engine's database file (opened read-only). */
  file: string;
  nativeBinding?: string;
}

export interface ReadRequest {
  id: number;
  name: string;
  input: unknown;
}

export type ReadReply = { id: number; json: string } | { id: number; error: { code: ErrorCode; message: string; details?: unknown } };
