// A backend that keeps two submission waves on the wire (capabilities.submitWavesInFlight, as the shell backend
// does) gets its next wave while the first one is still unanswered, each wave's intents already committed to the
// SQLite file, and never more jobs than max_concurrent. Real engine, SQLite file and local backend; the backend
// is wrapped to poll without job-end wakes (like Slurm) and to hold the first wave's answers.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Backend, SubmitRequest, SubmitResult } from '../../src-main/backends/types';
import type { LocalBackend } from '../../src-main/backends/local/local-backend';
import { startRun, startTestEngine, task, waitFor, waitRunDone, type EngineHarness } from '../helpers/engine-harness';

let h: EngineHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

interface Pipeline {
  /** What happened, in order: `sent <task>` when the backend is called, `answered <task>` when it returns. */
  log: string[];
  /** For each call, whether its intent (attempt row with its tag) was already committed when the backend got it. */
  committedWhenSent: Map<string, boolean>;
  release(): void;
  close(): void;
}

function wrapPipelined(e: EngineHarness, opts: { wavesInFlight: number; waveSize: number; holdFirst: number }): Pipeline {
  const real = e.eng.backends.get('local') as LocalBackend;
  // A second connection only sees what was committed.
  const reader = new Database(path.join(e.dataDir, 'scripthut.db'), { readonly: true, fileMustExist: true });
  let open = () => {};
  const gate = new Promise<void>((r) => (open = r));
  const log: string[] = [];
  const committedWhenSent = new Map<string, boolean>();
  let calls = 0;
  const over: Partial<Backend> = {
    capabilities: { sharedQueue: false, submitConcurrency: opts.waveSize, submitWavesInFlight: opts.wavesInFlight },
    onJobEnd: undefined,
    submit: async (req: SubmitRequest): Promise<SubmitResult> => {
      const n = ++calls;
      log.push(`sent ${req.taskId}`);
      const row = reader.prepare('SELECT tag FROM attempts WHERE run_id = ? AND task_id = ? AND attempt = ?').get(req.runId, req.taskId, req.attempt) as { tag: string } | undefined;
      committedWhenSent.set(req.taskId, row?.tag === req.tag);
      if (n <= opts.holdFirst) await gate;
      const res = await real.submit(req);
      log.push(`answered ${req.taskId}`);
      return res;
    },
  };
  const wrapped = new Proxy(real, {
    get(target, prop, receiver) {
      if (prop in over) return (over as Record<string | symbol, unknown>)[prop];
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  e.eng.backends.set('local', wrapped as unknown as Backend);
  return {
    log,
    committedWhenSent,
    release: open,
    close: () => reader.close(),
  };
}

describe('submission waves on the wire', () => {
  it('sends the second wave before the first is answered, intents committed first, within max_concurrent', async () => {
    const e = (h = await startTestEngine({ maxConcurrent: 4, pollMs: 200 }));
    const pipe = wrapPipelined(e, { wavesInFlight: 2, waveSize: 2, holdFirst: 2 });
    const run = await startRun(e, ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => task(id, 'true')));
    // One wave's answers held: the engine keeps a second wave on the wire, and no third (4 slots, 2 per wave).
    const sent = () => pipe.log.filter((l) => l.startsWith('sent')).length;
    const answered = () => pipe.log.filter((l) => l.startsWith('answered')).length;
    try {
      await waitFor(() => sent() >= 4 && answered() >= 2, 'a second wave to be sent and answered while the first is held', 10_000);
    } finally {
      pipe.release();
    }
    expect(pipe.log.slice(0, 4)).toEqual(['sent a', 'sent b', 'sent c', 'sent d']);
    // c and d were answered while a and b were still held.
    expect(pipe.log.slice(4, 6).sort()).toEqual(['answered c', 'answered d']);
    const done = await waitRunDone(e, run.id);
    expect(pipe.log.indexOf('answered a')).toBeGreaterThan(5);
    pipe.close();
    expect(done.items.map((t) => `${t.id} ${t.status} ${t.error ?? ''}`)).toEqual(['a', 'b', 'c', 'd', 'e', 'f'].map((id) => `${id} completed `));
    expect([...pipe.committedWhenSent.entries()].filter(([, ok]) => !ok)).toEqual([]);
    expect(pipe.committedWhenSent.size).toBe(6);
    // Never more than max_concurrent jobs submitted and unfinished at once, by their recorded times.
    const spans = done.items.map((t) => [Date.parse(t.submitted_at as string), Date.parse(t.finished_at as string)] as const);
    for (const [at] of spans) expect(spans.filter(([s, f]) => s <= at && at < f).length).toBeLessThanOrEqual(4);
  });

  it('with one wave in flight, the next wave is sent only after its answers', async () => {
    const e = (h = await startTestEngine({ maxConcurrent: 4, pollMs: 200 }));
    const pipe = wrapPipelined(e, { wavesInFlight: 1, waveSize: 2, holdFirst: 0 });
    const run = await startRun(e, ['a', 'b', 'c', 'd'].map((id) => task(id, 'true')));
    await waitRunDone(e, run.id);
    pipe.close();
    expect(pipe.log.indexOf('sent c')).toBeGreaterThan(Math.max(pipe.log.indexOf('answered a'), pipe.log.indexOf('answered b')));
  });
});
