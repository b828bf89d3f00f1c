// A submission the backend refuses outright halts the run (decide: 'submission_refused'), against the real
// engine, SQLite file and local backend; only the local backend's submit is wrapped to refuse one task.
import { afterEach, describe, expect, it } from 'vitest';
import type { Backend, SubmitRequest } from '../../src-main/backends/types';
import type { LocalBackend } from '../../src-main/backends/local/local-backend';
import type { Notification } from '../../src-shared/api/schemas';
import { item, startRun, startTestEngine, task, waitRunDone, type EngineHarness } from '../helpers/engine-harness';

let h: EngineHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

describe('a refused submission', () => {
  it('fails that task, fails the pending ones with "Submission halted: …", lets the run finish and announces it', async () => {
    const e = (h = await startTestEngine());
    const real = e.eng.backends.get('local') as LocalBackend;
    const wrapped = new Proxy(real, {
      get(target, prop, receiver) {
        if (prop === 'submit') {
          return async (req: SubmitRequest) => {
            if (req.taskId === 'bad') throw new Error('queue refused the job');
            return target.submit(req);
          };
        }
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    e.eng.backends.set('local', wrapped as unknown as Backend);
    const notes: Notification[] = [];
    e.eng.api.subscribe((ev) => {
      if (ev.event === 'notification') notes.push(ev.payload as Notification);
    });
    const run = await startRun(e, [task('bad', 'true'), task('after', 'true', { deps: ['bad'] }), task('other', 'true', { deps: ['bad'] })], { max_concurrent: 1 });
    const done = await waitRunDone(e, run.id);
    expect(done.status).toBe('failed');
    expect(item(done, 'bad')).toMatchObject({ status: 'failed', error: 'Submission failed: queue refused the job' });
    expect(item(done, 'after')).toMatchObject({ status: 'failed', error: 'Submission halted: queue refused the job' });
    expect(item(done, 'other')).toMatchObject({ status: 'failed', error: 'Submission halted: queue refused the job' });
    expect(e.eng.store.getRun(run.id)?.halted_reason).toBe('queue refused the job');
    const kinds = notes.filter((n) => n.run_id === run.id).map((n) => n.kind);
    expect(kinds).toEqual(['run_scheduled', 'task_failed', 'task_failed', 'task_failed', 'run_done']);
    const { transitions } = await e.eng.api.invoke('tasks.transitions', { run_id: run.id, task_id: 'after' });
    expect(transitions.map((t) => t.to_status)).toEqual(['pending', 'failed']);
  });
});
