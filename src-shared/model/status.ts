// The one list of statuses. Every view, the CLI and the store use these; a new status is added here only.

export const TASK_STATUSES = [
  'pending',
  'submitted',
  'queued',
  'running',
  'settling',
  'completed',
  'failed',
  'dep_failed',
  'cancelled',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const RUN_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const TERMINAL_TASK_STATUSES: ReadonlySet<TaskStatus> = new Set([
  'completed',
  'failed',
  'dep_failed',
  'cancelled',
]);

/** Statuses that hold a backend slot: the job exists (or may exist) on the backend. */
export const IN_FLIGHT_TASK_STATUSES: ReadonlySet<TaskStatus> = new Set([
  'submitted',
  'queued',
  'running',
  'settling',
]);

export function isTerminalTask(s: TaskStatus): boolean {
  return TERMINAL_TASK_STATUSES.has(s);
}

export function isInFlight(s: TaskStatus): boolean {
  return IN_FLIGHT_TASK_STATUSES.has(s);
}

export function isTerminalRun(s: RunStatus): boolean {
  return s === 'completed' || s === 'failed' || s === 'cancelled';
}

/**
 * One palette for every view; `tone` lets the CLI pick an ANSI colour. `text` on `background` is the badge:
 * both are checked for WCAG AA contrast (4.5:1) in test/e2e/renderer-run-lib.test.ts.
 */
export const STATUS_STYLE: Record<TaskStatus | RunStatus, { label: string; color: string; tone: 'idle' | 'busy' | 'good' | 'bad' | 'muted'; text: string; background: string }> = {
  pending: { label: 'Pending', color: '#8a94a6', tone: 'idle', text: '#535964', background: '#f0f1f3' },
  submitted: { label: 'Submitted', color: '#6f7fd8', tone: 'busy', text: '#434c82', background: '#eceefa' },
  queued: { label: 'Queued', color: '#a77be0', tone: 'busy', text: '#644a86', background: '#f4eefb' },
  running: { label: 'Running', color: '#2a78d6', tone: 'busy', text: '#194880', background: '#e3edfa' },
  settling: { label: 'Settling', color: '#18a0b8', tone: 'busy', text: '#0e606e', background: '#e1f3f6' },
  completed: { label: 'Completed', color: '#1baf7a', tone: 'good', text: '#106949', background: '#e1f5ee' },
  failed: { label: 'Failed', color: '#d64545', tone: 'bad', text: '#802929', background: '#fae7e7' },
  dep_failed: { label: 'Dependency failed', color: '#e08a3c', tone: 'bad', text: '#865324', background: '#fbf0e6' },
  cancelled: { label: 'Cancelled', color: '#6b7280', tone: 'muted', text: '#40444d', background: '#ecedee' },
};
