// What a scheduler's queue says about one job right now: a hint, never the final word (see verdict.ts).

/** Absent from the poll's map = not in the queue. */
export type QueueState = 'pending' | 'running' | 'suspended' | 'completing' | 'left' | 'unknown';

export interface QueueObservation {
  state: QueueState;
  /** Scheduler's own word (PENDING, RUNNING, OUT_OF_MEMORY…). */
  rawState: string;
  pendingReason?: string | null;
  startedAt?: string | null;
}
