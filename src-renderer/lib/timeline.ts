// The Gantt tab's maths, as the original drew it: the axis starts at the run's creation and ends now while the
// run is going (its finish otherwise); each bar starts at the task's submission, waits until it starts, then
// runs until it finishes (or now). Positions are percentages of the axis so the view never measures pixels.
import type { TaskView } from '../../src-shared/api/schemas';

/** Tick intervals in seconds; the first giving at most 10 ticks is used. */
export const TICK_STEPS = [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 28800, 86400] as const;

export interface TimeAxis {
  /** Epoch ms of the left edge (run created) and the right edge. */
  start: number;
  end: number;
  ticks: Array<{ at: number; left: number; label: string }>;
}

export function tickStep(spanSeconds: number): number {
  for (const s of TICK_STEPS) if (spanSeconds / s <= 10) return s;
  // Longer than 10 days: whole days, still at most 10 ticks.
  return 86400 * Math.ceil(spanSeconds / 86400 / 10);
}

/** `+Ns`, `+Nm`, `+Hh`, `+HhMMm` (the original's labels), and `+NmSSs` where 10 s ticks pass a minute. */
export function tickLabel(seconds: number): string {
  if (seconds < 60) return `+${seconds}s`;
  if (seconds < 3600) return seconds % 60 ? `+${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s` : `+${seconds / 60}m`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return m ? `+${h}h${String(m).padStart(2, '0')}m` : `+${h}h`;
}

export function timeAxis(createdAt: string, finishedAt: string | null, running: boolean, now: number): TimeAxis {
  const start = Date.parse(createdAt);
  const last = running || !finishedAt ? now : Date.parse(finishedAt);
  // At least one second, so a run that has just started still has an axis to draw on.
  const end = Math.max(last, start + 1000);
  const span = Math.ceil((end - start) / 1000);
  const step = tickStep(span);
  const ticks: TimeAxis['ticks'] = [];
  // The span is rounded up for the step; a tick past the end (a run of 7.3 s has no +8s) would be drawn beyond the
  // track, over the margin or off the chart.
  for (let s = 0; s * 1000 <= end - start; s += step) ticks.push({ at: start + s * 1000, left: ((s * 1000) / (end - start)) * 100, label: tickLabel(s) });
  return { start, end, ticks };
}

export interface Bar {
  /** Percent of the axis; null when the task has no such phase yet. */
  wait: { left: number; width: number } | null;
  run: { left: number; width: number } | null;
  waitMs: number | null;
  runMs: number | null;
}

const clamp = (x: number): number => Math.min(100, Math.max(0, x));

function span(axis: TimeAxis, from: number, to: number): { left: number; width: number } {
  const total = axis.end - axis.start;
  const left = clamp(((from - axis.start) / total) * 100);
  const right = clamp(((to - axis.start) / total) * 100);
  return { left, width: Math.max(right - left, 0) };
}

export function barOf(t: Pick<TaskView, 'submitted_at' | 'started_at' | 'finished_at'>, axis: TimeAxis, now: number): Bar {
  const sta = t.started_at ? Date.parse(t.started_at) : null;
  // A fast job can be seen started before its submission was recorded: it did not wait at all.
  const submitted = t.submitted_at ? Date.parse(t.submitted_at) : null;
  const sub = submitted !== null && sta !== null ? Math.min(submitted, sta) : submitted;
  const fin = t.finished_at ? Date.parse(t.finished_at) : null;
  // A task that ended without starting (cancelled in the queue) waited until it ended.
  const waitEnd = sta ?? fin ?? now;
  const runEnd = fin ?? now;
  return {
    wait: sub !== null ? span(axis, sub, waitEnd) : null,
    run: sta !== null ? span(axis, sta, runEnd) : null,
    waitMs: sub !== null ? Math.max(0, waitEnd - sub) : null,
    runMs: sta !== null ? Math.max(0, runEnd - sta) : null,
  };
}
