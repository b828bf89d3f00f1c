// Shapes the usage report into what the Usage page draws: a year of days as a week-column heatmap, and
// (key, series) rows as stacked datasets. Pure, so the layout is tested without a browser.
import type { UsageReportView } from '../../src-shared/api/schemas';

export interface HeatCell {
  day: string;
  cpuHours: number;
  /** 0 = nothing, 1–4 = quartiles of the busiest day. */
  level: 0 | 1 | 2 | 3 | 4;
  week: number;
  weekday: number;
}

const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** `days` days ending on `today` (YYYY-MM-DD), one column per week starting on Monday. */
export function heatmapCells(rows: UsageReportView['rows'], today: string, days = 365): { cells: HeatCell[]; weeks: number; max: number } {
  const hours = new Map<string, number>();
  for (const r of rows) hours.set(r.key, (hours.get(r.key) ?? 0) + r.cpu_hours);
  const end = Date.parse(`${today}T00:00:00Z`);
  const start = end - (days - 1) * DAY;
  const firstWeekday = (new Date(start).getUTCDay() + 6) % 7;
  let max = 0;
  for (let t = start; t <= end; t += DAY) max = Math.max(max, hours.get(isoDay(t)) ?? 0);
  const cells: HeatCell[] = [];
  for (let i = 0, t = start; t <= end; i += 1, t += DAY) {
    const day = isoDay(t);
    const h = hours.get(day) ?? 0;
    const level = h <= 0 || max <= 0 ? 0 : (Math.min(4, Math.ceil((h / max) * 4)) as 1 | 2 | 3 | 4);
    const slot = i + firstWeekday;
    cells.push({ day, cpuHours: h, level, week: Math.floor(slot / 7), weekday: slot % 7 });
  }
  return { cells, weeks: Math.floor((days - 1 + firstWeekday) / 7) + 1, max };
}

export interface StackedSeries {
  labels: string[];
  datasets: Array<{ label: string; data: number[] }>;
}

/** Rows with `series` → one dataset per series over `labels` (missing points are 0). `value` picks the figure. */
export function stackedSeries(rows: UsageReportView['rows'], labels: string[], value: (r: UsageReportView['rows'][number]) => number | undefined): StackedSeries {
  const index = new Map(labels.map((l, i) => [l, i]));
  const bySeries = new Map<string, number[]>();
  for (const r of rows) {
    const i = index.get(r.key);
    const v = value(r);
    if (i === undefined || v === undefined) continue;
    const name = r.series ?? '';
    let data = bySeries.get(name);
    if (!data) bySeries.set(name, (data = new Array<number>(labels.length).fill(0)));
    data[i] = (data[i] ?? 0) + v;
  }
  return { labels, datasets: [...bySeries].sort(([a], [b]) => a.localeCompare(b)).map(([label, data]) => ({ label, data: data.map((x) => Math.round(x * 10_000) / 10_000) })) };
}

/** Every day from `since` to `today` (YYYY-MM-DD), for a time axis without gaps. */
export function dayLabels(since: string, today: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${since}T00:00:00Z`), end = Date.parse(`${today}T00:00:00Z`); t <= end; t += DAY) out.push(isoDay(t));
  return out;
}

export const HOUR_LABELS = Array.from({ length: 24 }, (_, i) => String(i).padStart(2, '0'));

/** Colours that read on light and dark surfaces alike (a fixed palette: series keep their colour across charts). */
export const SERIES_COLOURS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
