// The text of a task row, worked out once per row object. Rows are replaced (not mutated) when a task changes
// (a page read again or a task event), so a row object stands for one (id, update) and its formatted times,
// memory and failure text can be kept with it: a recycled row slot that takes a row it showed before, or a page
// that lands again, formats nothing. Only the duration of a running task depends on the clock; it is left to
// the caller, which re-renders just those cells once a second.
import type { TaskView } from '../../src-shared/api/schemas';
import { STATUS_STYLE } from '../../src-shared/model/status';
import { cpuText, memoryUse } from './efficiency';
import { failureReason } from './failure';
import { durationBetween, formatLocal, formatLocalFull, timeZoneMode } from './time';

export interface TaskRowText {
  badgeTitle: string;
  nameTitle: string;
  submitted: string;
  submittedTitle: string;
  started: string;
  startedTitle: string;
  finished: string;
  finishedTitle: string;
  /** Null while the task runs (its duration follows the clock) or never started ('—' is then shown). */
  duration: string | null;
  cpu: string;
  mem: string;
  memTitle: string;
  error: string;
  errorTitle: string;
  /** Which cells' text may not fit its column and must be clipped with an ellipsis (see mayOverflow). */
  clip: { job: boolean; submitted: boolean; started: boolean; finished: boolean; duration: boolean; mem: boolean; error: boolean };
}

/**
 * The most characters of each fixed-width column's text that fit: content width over ~7.5 px a character at
 * 13 px, above a digit's width (7.2 px), for texts that are mostly digits, colons and spaces ("09:47:33 AM",
 * "512 MB · 25%"); a wide letter or two spills into the next cell's 12 px padding at worst. Only cells with longer text are clipped: a clipping cell is a clip node in
 * Chromium's paint property tree, and with every cell of ~50 rows clipping, re-layerizing the table on each
 * window step cost more than the step's own DOM work.
 */
export const COLUMN_CHARS = { job: 10, time: 11, duration: 7, mem: 12 } as const;

/** Whether text of this length may run past a column that fits `chars` characters. */
export function mayOverflow(text: string | null | undefined, chars: number): boolean {
  return !!text && text.length > chars;
}

interface Entry {
  text: TaskRowText;
  /** Times are shown relative to today and in the chosen zone: an entry made under others is stale. */
  stamp: string;
}

const cache = new WeakMap<TaskView, Entry>();

function stampNow(): string {
  const d = new Date();
  return `${timeZoneMode()}|${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

function compute(t: TaskView): TaskRowText {
  const mem = memoryUse(t.max_rss, t.memory);
  const why = failureReason(t);
  const submitted = formatLocal(t.submitted_at);
  const started = formatLocal(t.started_at);
  const finished = formatLocal(t.finished_at);
  const duration = !t.started_at ? '—' : t.finished_at ? durationBetween(t.started_at, t.finished_at) : null;
  const memText = mem ? (mem.percent === null ? mem.text : `${mem.text.split(' / ')[0]} · ${mem.percent}%`) : '—';
  const error = why?.short ?? t.error ?? '';
  return {
    badgeTitle: t.pending_reason ?? t.scheduler_state ?? STATUS_STYLE[t.status]?.label ?? t.status,
    nameTitle: t.id === t.name ? t.id : `${t.name} (${t.id})`,
    submitted,
    submittedTitle: formatLocalFull(t.submitted_at),
    started,
    startedTitle: formatLocalFull(t.started_at),
    finished,
    finishedTitle: formatLocalFull(t.finished_at),
    duration,
    cpu: cpuText(t.cpu_efficiency),
    mem: memText,
    memTitle: mem ? `Peak ${mem.text}${mem.percent === null ? '' : ` (${mem.percent}% of the request)`}` : `Requested ${t.memory || '—'}`,
    error,
    errorTitle: why?.long ?? t.error ?? '',
    clip: {
      job: mayOverflow(t.job_id, COLUMN_CHARS.job),
      submitted: mayOverflow(submitted, COLUMN_CHARS.time),
      started: mayOverflow(started, COLUMN_CHARS.time),
      finished: mayOverflow(finished, COLUMN_CHARS.time),
      // A running task's duration follows the clock and is not known here: clipped to be safe.
      duration: duration === null || mayOverflow(duration, COLUMN_CHARS.duration),
      mem: mayOverflow(memText, COLUMN_CHARS.mem),
      error: error !== '',
    },
  };
}

/** The row's text, from the cache when this row object was formatted before under today's date and zone. */
export function taskRowText(t: TaskView, stamp: string = stampNow()): TaskRowText {
  const hit = cache.get(t);
  if (hit && hit.stamp === stamp) return hit.text;
  const text = compute(t);
  cache.set(t, { text, stamp });
  return text;
}

/** The stamp to pass for a batch of rows (one clock read instead of one per row). */
export function rowTextStamp(): string {
  return stampNow();
}
