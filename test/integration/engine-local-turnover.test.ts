// Many short local jobs through the whole engine (real SQLite, real bash launcher): the loop folds a wave's job
// ids into the next cycle's commit when one is due, so this proves nothing is lost on that path — every attempt
// keeps the job id and the submit output of its own start (never "recovered"), the exact script, each task's
// transitions in order, events in commit order, and every task's outputs collected.
import { afterEach, describe, expect, it } from 'vitest';
import type { TaskView } from '../../src-shared/api/schemas';
import { startRun, startTestEngine, task, waitFor, waitRunDone, type EngineHarness } from '../helpers/engine-harness';

let h: EngineHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

describe('local turnover of short jobs', () => {
  it('records every job id, script and transition of 60 echo tasks at max_concurrent 2', async () => {
    const e = (h = await startTestEngine({ maxConcurrent: 2 }));
    const n = 60;
    const run = await startRun(e, Array.from({ length: n }, (_, i) => task(`t${i}`, `echo out-${i}`)));
    const done = await waitRunDone(e, run.id, 120_000);
    expect(done.status).toBe('completed');
    expect(done.items.every((t) => t.status === 'completed' && t.exit_code === 0)).toBe(true);

    for (let i = 0; i < n; i++) {
      const id = `t${i}`;
      const [a] = e.eng.store.listAttempts(run.id, id);
      expect(a?.job_id, id).toBeTruthy();
      expect(a?.submit_output ?? '', id).toMatch(/^started local job /);
      const script = await e.eng.api.invoke('tasks.script', { run_id: run.id, task_id: id, attempt: 1 });
      expect(script.script).toContain(`echo out-${i}`);
      const log = await e.eng.api.invoke('tasks.log', { run_id: run.id, task_id: id });
      expect(log.content).toContain(`out-${i}`);
    }

    // Each task's stored transitions end pending → submitted → … → completed, and the events a window sees for
    // it never go back (a later event never shows an earlier state).
    const { transitions } = await e.eng.api.invoke('tasks.transitions', { run_id: run.id });
    const order = ['pending', 'submitted', 'queued', 'running', 'settling', 'completed'];
    const seen = new Map<string, string[]>();
    for (const t of transitions) seen.set(t.task_id, [...(seen.get(t.task_id) ?? []), t.to_status]);
    for (let i = 0; i < n; i++) {
      const states = seen.get(`t${i}`) ?? [];
      expect(states.slice(0, 2), `t${i}`).toEqual(['pending', 'submitted']);
      expect(states.at(-1), `t${i}`).toBe('completed');
      expect(states.map((s) => order.indexOf(s)), `t${i}`).toEqual([...states.map((s) => order.indexOf(s))].sort((x, y) => x - y));
    }
    const last = new Map<string, number>();
    for (const ev of e.events) {
      if (ev.event !== 'task.changed') continue;
      const t = (ev.payload as { run_id: string; task: TaskView }).task;
      const rank = order.indexOf(t.status);
      expect(rank, `${t.id} went back to ${t.status}`).toBeGreaterThanOrEqual(last.get(t.id) ?? -1);
      last.set(t.id, rank);
    }
    expect(last.size).toBe(n);

    // Outputs: every finished task gets its collection (in batches), none missing.
    await waitFor(() => (e.eng.store.db.prepare('SELECT COUNT(*) AS c FROM task_output_collections WHERE run_id = ?').get(run.id) as { c: number }).c === n || null, 'outputs collected');
  });
});
