// The report folds SQL sums per UTC quarter hour into local days/hours: in half-hour zones, with a `since` inside a
// quarter and attempts that start/end at odd minutes, it must give what splitting each attempt on its own gives.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../../src-main/store/store';
import { usageReport } from '../../src-main/usage/usage-query';
import { localDay, localHour, splitByLocalDay, splitByLocalHour } from '../../src-main/usage/local-days';
import type { CostSettings } from '../../src-main/pricing/settings';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-usage-fold-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const NOW = '2026-11-30T12:00:00.000Z';
const SINCE = '2026-11-20T05:07:00.000Z';
const cost: CostSettings = { backends: { hpc: { currency: 'SU', per_cpu_hour: 1.5, partitions: {} } }, pricing: null, snapshot: null, snapshotError: null };

// Deterministic odd times: attempt i starts at 37*i minutes after 2026-11-19 and runs (i*53) % 700 minutes.
const attempts = Array.from({ length: 120 }, (_, i) => {
  const start = Date.parse('2026-11-19T00:00:00.000Z') + i * 37 * 60_000 + (i % 7) * 1_000;
  return { id: `t${i}`, cpus: 1 + (i % 3), start, end: i % 17 === 0 ? null : start + ((i * 53) % 700) * 60_000 };
});

function reference(by: 'day' | 'hour', tz: string): Map<string, { hours: number; tasks: number }> {
  const sinceMs = Date.parse(SINCE);
  const nowMs = Date.parse(NOW);
  const out = new Map<string, { hours: number; tasks: number }>();
  const add = (k: string, h: number, t: number) => {
    const r = out.get(k) ?? { hours: 0, tasks: 0 };
    r.hours += h;
    r.tasks += t;
    out.set(k, r);
  };
  for (const a of attempts) {
    const s = Math.max(a.start, sinceMs);
    const e = Math.min(a.end ?? nowMs, nowMs);
    if (e < s) continue;
    if (by === 'day') {
      add(localDay(s, tz), 0, 1);
      for (const p of splitByLocalDay(s, e, tz)) add(p.day, p.hours * a.cpus, 0);
    } else {
      add(String(localHour(s, tz)).padStart(2, '0'), 0, 1);
      splitByLocalHour(s, e, tz).forEach((h, i) => h > 0 && add(String(i).padStart(2, '0'), h * a.cpus, 0));
    }
  }
  return out;
}

describe('usage report folded from UTC quarter hours', () => {
  const s = new Store(path.join(dir, 'fold.db'));
  afterAll(() => s.close());
  s.insertRun({ id: 'r', workflow_name: 'w', title: null, backend_name: 'hpc', created_at: '2026-11-19T00:00:00.000Z', finished_at: null, status: 'running', attempt: 1, max_concurrent: null, doc_json: '{}', halted_reason: null, cancel_requested: 0, log_dir: null });
  s.insertTasks('r', attempts.map((a) => ({ task_id: a.id, def_json: JSON.stringify({ id: a.id, cpus: a.cpus, memory: '1G' }), retries_left: 0, generated_by: null })));
  for (const a of attempts) s.patchTask('r', a.id, { status: a.end ? 'completed' : 'running', startedAt: new Date(a.start).toISOString(), ...(a.end ? { finishedAt: new Date(a.end).toISOString() } : {}) });

  for (const tz of ['Asia/Kolkata', 'America/St_Johns', 'Europe/Zurich'])
    for (const by of ['day', 'hour'] as const)
      it(`${by} in ${tz}`, () => {
        const u = usageReport(s.db, cost, { since: SINCE, by, timeZone: tz, now: NOW });
        const ref = reference(by, tz);
        expect(u.rows.map((r) => r.key)).toEqual([...ref.keys()].sort());
        for (const r of u.rows) {
          expect(r.cpu_hours).toBeCloseTo(ref.get(r.key)!.hours, 3);
          expect(r.cost.SU).toBeCloseTo(ref.get(r.key)!.hours * 1.5, 3);
          expect(r.tasks).toBe(ref.get(r.key)!.tasks);
        }
        // Attempts that ended before `since` are left out; the rest are each counted once.
        expect(u.rows.reduce((n, r) => n + r.tasks, 0)).toBe([...ref.values()].reduce((n, r) => n + r.tasks, 0));
        expect(u.rows.length).toBeGreaterThan(5);
      });
});
