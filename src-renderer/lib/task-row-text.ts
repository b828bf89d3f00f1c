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
  return {
    badgeTitle: t.pending_reason ?? t.scheduler_state ?? STATUS_STYLE[t.status]?.label ?? t.status,
    nameTitle: t.id === t.name ? t.id : `${t.name} (${t.id})`,
    submitted: formatLocal(t.submitted_at),
    submittedTitle: formatLocalFull(t.submitted_at),
    started: formatLocal(t.started_at),
    startedTitle: formatLocalFull(t.started_at),
    finished: formatLocal(t.finished_at),
    finishedTitle: formatLocalFull(t.finished_at),
    duration: !t.started_at ? '—' : t.finished_at ? durationBetween(t.started_at, t.finished_at) : null,
    cpu: cpuText(t.cpu_efficiency),
    mem: mem ? (mem.percent === null ? mem.text : `${mem.text.split(' / ')[0]} · ${mem.percent}%`) : '—',
    memTitle: mem ? `Peak ${mem.text}${mem.percent === null ? '' : ` (${mem.percent}% of the request)`}` : `Requested ${t.memory || '—'}`,
    error: why?.short ?? t.error ?? '',
    errorTitle: why?.long ?? t.error ?? '',
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
