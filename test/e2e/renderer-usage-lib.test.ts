// The Usage page's pure shaping: a year of days as Monday-first week columns with quartile levels, and
// (key, series) rows as stacked datasets with zeros where a series has no figure.
import { describe, expect, it } from 'vitest';
import { dayLabels, heatmapCells, HOUR_LABELS, stackedSeries } from '../../src-renderer/lib/usage-charts';
import { parseRoute, formatRoute } from '../../src-renderer/lib/router';

const row = (key: string, cpu_hours: number, series?: string) => ({ key, cpu_hours, cost: {}, tasks: 1, ...(series ? { series } : {}) });

describe('year heatmap', () => {
  it('365 cells ending today, Monday-first columns, levels by quartile of the busiest day', () => {
    // 2026-11-30 is a Monday; 364 days earlier, 2025-12-01, is a Monday too.
    const h = heatmapCells([row('2026-11-30', 8), row('2026-11-29', 2), row('2026-01-05', 6.5), row('2020-01-01', 99)], '2026-11-30');
    expect(h.cells).toHaveLength(365);
    expect(h.cells[0]).toMatchObject({ day: '2025-12-01', week: 0, weekday: 0, level: 0 });
    expect(h.cells.at(-1)).toMatchObject({ day: '2026-11-30', week: 52, weekday: 0, level: 4, cpuHours: 8 });
    expect(h.cells.find((c) => c.day === '2026-11-29')).toMatchObject({ weekday: 6, level: 1 });
    expect(h.cells.find((c) => c.day === '2026-01-05')!.level).toBe(4);
    expect(h.weeks).toBe(53);
    expect(h.max).toBe(8); // a day outside the window does not scale the colours
  });
  it('a window starting mid-week shifts the first column', () => {
    const h = heatmapCells([], '2026-11-26', 7); // Fri 2026-11-20 .. Thu 2026-11-26
    expect(h.cells.map((c) => [c.week, c.weekday])).toEqual([[0, 4], [0, 5], [0, 6], [1, 0], [1, 1], [1, 2], [1, 3]]);
    expect(h.cells.every((c) => c.level === 0)).toBe(true);
  });
});

describe('stacked series', () => {
  it('one dataset per series over the labels, zeros where missing, rows outside the labels ignored', () => {
    const s = stackedSeries([row('01', 2, 'b'), row('01', 1.234, 'a'), row('23', 4, 'a'), row('99', 7, 'a')], HOUR_LABELS, (r) => r.cpu_hours);
    expect(s.labels).toHaveLength(24);
    expect(s.datasets.map((d) => d.label)).toEqual(['a', 'b']);
    expect(s.datasets[0]!.data[1]).toBe(1.234);
    expect(s.datasets[0]!.data[23]).toBe(4);
    expect(s.datasets[1]!.data.reduce((a, b) => a + b, 0)).toBe(2);
  });
  it('day labels cover every day of the window', () => {
    expect(dayLabels('2026-02-27', '2026-03-02')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
  });
  it('#/usage is a route', () => {
    expect(parseRoute('#/usage')).toEqual({ page: 'usage' });
    expect(formatRoute({ page: 'usage' })).toBe('#/usage');
  });
});
