// An honest account of a run's progress: failed and cancelled tasks are finished but not completed, so the bar
// shows them as their own segments and the text names them.
import type { RunSummary } from '../../src-shared/api/schemas';

export interface ProgressParts {
  total: number;
  completed: number;
  failed: number;
  cancelled: number;
  running: number;
  waiting: number;
}

export function progressParts(r: Pick<RunSummary, 'status_counts' | 'task_count' | 'completed_count'>): ProgressParts {
  const c = r.status_counts ?? {};
  const n = (k: string): number => c[k] ?? 0;
  // The engine's completed_count counts every finished task (failed ones too): use it only without counts.
  const completed = Object.keys(c).length ? n('completed') : r.completed_count;
  const failed = n('failed') + n('dep_failed');
  const cancelled = n('cancelled');
  const running = n('running') + n('settling') + n('submitted') + n('queued');
  const total = Math.max(r.task_count, completed + failed + cancelled + running);
  return { total, completed, failed, cancelled, running, waiting: Math.max(0, total - completed - failed - cancelled - running) };
}

// One number formatter, made once: Number#toLocaleString sets up locale formatting on every call, and every row
// of the runs list formats two to four counts as it scrolls into the window.
let counts: Intl.NumberFormat | null = null;
/** A count in the user's locale, as toLocaleString() gives it. */
export function formatCount(n: number): string {
  return (counts ??= new Intl.NumberFormat()).format(n);
}

/** "6 of 9 completed · 3 failed · 1 cancelled" */
export function progressSummary(p: ProgressParts): string {
  const parts = [`${formatCount(p.completed)} of ${formatCount(p.total)} completed`];
  if (p.failed) parts.push(`${formatCount(p.failed)} failed`);
  if (p.cancelled) parts.push(`${formatCount(p.cancelled)} cancelled`);
  if (p.running) parts.push(`${formatCount(p.running)} active`);
  return parts.join(' · ');
}

/** Percent widths of the bar's segments, in drawing order. */
export function progressSegments(p: ProgressParts): Array<{ kind: 'completed' | 'failed' | 'cancelled' | 'running'; pct: number; count: number }> {
  if (!p.total) return [];
  const seg = (kind: 'completed' | 'failed' | 'cancelled' | 'running', count: number) => ({ kind, count, pct: (100 * count) / p.total });
  return [seg('completed', p.completed), seg('failed', p.failed), seg('cancelled', p.cancelled), seg('running', p.running)].filter((s) => s.count > 0);
}
