// Right-sizing on recorded sacct rows (test/fixtures/slurm/sacct-mixed.txt, from the real Slurm harness).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSacct } from '../../src-main/backends/dialects/slurm';
import { rightSize, timeLimitHours, type UsedVsRequested } from '../../src-main/usage/right-sizing';

const sacct = parseSacct(fs.readFileSync(path.resolve(__dirname, '../fixtures/slurm/sacct-mixed.txt'), 'utf8'));
const NOW = '2026-11-30T12:00:00Z';

function row(jobId: string, over: Partial<UsedVsRequested> = {}): UsedVsRequested {
  const v = sacct.get(jobId)!;
  return { name: 'task', cpus: 1, memory: '4G', time_limit: '1:00:00', max_rss: v.maxRss ?? null, cpu_efficiency: v.cpuEfficiency ?? null, started_at: '2026-11-22T03:18:20Z', finished_at: '2026-11-22T04:18:20Z', ...over };
}

describe('right-sizing', () => {
  it.each([
    ['1:00:00', 1],
    ['2-00:00:00', 48],
    ['30', 0.5],
    ['90:00', 1.5],
    ['1-12:00', 36],
    ['soon', null],
  ])('time limit %s = %s h', (text, h) => expect(timeLimitHours(text)).toBe(h));

  it('suggests memory that fits the largest recorded MaxRSS with headroom, and what it would have saved', () => {
    // Jobs 2 and 5 of the recording: MaxRSS 2900K and 115916K (the batch steps).
    const [r] = rightSize([row('2'), row('5')], NOW, 'the last 30 days');
    expect(r!.memory_max_used_gb).toBeCloseTo(115916 / 1024 / 1024, 2);
    expect(r!.suggested_memory).toBe('136M'); // 113.2M x 1.2, rounded up
    expect(r!.advice[0]).toBe('memory 4G -> 136M would have fitted every run of this task in the last 30 days');
    // Two runs of 1 h each, (4 - 136/1024) GB freed.
    expect(r!.memory_gb_hours_saved).toBeCloseTo(2 * (4 - 136 / 1024), 2);
    expect(r!.advice.some((a) => a.startsWith('time limit 1:00:00'))).toBe(false);
  });

  it('no suggestion when the request is already tight or nothing was measured; long limits are flagged', () => {
    const tight = rightSize([row('5', { memory: '130M' })], NOW, 'the last 30 days')[0]!;
    expect(tight.suggested_memory).toBeNull();
    const backfill = { backfill: (b: string) => b === 'hpc' };
    const unmeasured = rightSize([row('4', { time_limit: '1-00:00:00', backend: 'hpc' })], NOW, 'the last 30 days', backfill)[0]!;
    expect(unmeasured.memory_max_used_gb).toBeNull();
    expect(unmeasured.advice).toEqual(['time limit 1-00:00:00: the longest run used 4 % of it (shorter limits start sooner)']);
  });

  it('promises an earlier start for a shorter limit only where a queue backfills (not on the local backend)', () => {
    const backfill = { backfill: (b: string) => b === 'hpc' };
    const local = rightSize([row('4', { time_limit: '1-00:00:00', backend: 'local' })], NOW, 'the last 30 days', backfill)[0]!;
    expect(local.advice).toEqual(['time limit 1-00:00:00: the longest run used 4 % of it (a shorter limit stops a runaway task earlier)']);
    // A backend no longer configured: no claim about its queue either.
    const gone = rightSize([row('4', { time_limit: '1-00:00:00', backend: 'old-cluster' })], NOW, 'the last 30 days')[0]!;
    expect(gone.advice.join(' ')).not.toContain('start sooner');
  });

  it('suggests fewer cpus when even the busiest run used a fraction of them', () => {
    const r = rightSize([row('2', { cpus: 8, cpu_efficiency: 0.2 }), row('2', { cpus: 8, cpu_efficiency: 0.3 })], NOW, 'the last 30 days')[0]!;
    expect(r.suggested_cpus).toBe(3);
    expect(r.cpu_efficiency_mean).toBe(0.25);
  });
});
