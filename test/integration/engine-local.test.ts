// Acceptance tests of the run engine against the real local backend: real bash jobs, real files, real signals.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, type EngineEvent } from '../../src-shared/api/contract';
import type { Notification, TaskView } from '../../src-shared/api/schemas';
import { isInFlight, type TaskStatus } from '../../src-shared/model/status';
import { item, pidAlive, startRun, startTestEngine, task, waitFor, waitRunDone, type EngineHarness, type HarnessOptions } from '../helpers/engine-harness';

let h: EngineHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});
async function engine(opts: HarnessOptions = {}): Promise<EngineHarness> {
  h = await startTestEngine(opts);
  return h;
}

/** The pid a task wrote to `file`, once it has been written completely. */
function readPid(file: string): number | null {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  return text.endsWith('\n') ? Number(text.trim()) || null : null;
}

const statuses = (items: TaskView[]) => Object.fromEntries(items.map((t) => [t.id, t.status]));

describe('a diamond with a failing branch', () => {
  it('fails the right tasks, then a failed-only rerun runs just those and completes', async () => {
    const e = await engine();
    const marker = path.join(e.work, 'fixed');
    const run = await startRun(e, [
      task('a', 'echo a-ran'),
      task('b', `echo "b checking"; test -f ${marker} || { echo "b: not fixed yet" >&2; exit 3; }; echo b-ok`, { deps: ['a'] }),
      task('c', 'echo c-ran', { deps: ['a'] }),
      task('d', 'echo d-ran', { deps: ['b', 'c'] }),
    ]);
    let done = await waitRunDone(e, run.id);
    expect(done.status).toBe('failed');
    expect(statuses(done.items)).toEqual({ a: 'completed', b: 'failed', c: 'completed', d: 'dep_failed' });
    expect(item(done, 'b').exit_code).toBe(3);
    expect(item(done, 'b').error).toBeTruthy();
    expect(item(done, 'd').error).toBe("Dependency 'b' failed");
    expect(item(done, 'd').exit_code).toBeNull();

    fs.writeFileSync(marker, '');
    const again = await e.eng.api.invoke('runs.rerun', { id: run.id, failed_only: true });
    expect(again.attempt).toBe(2);
    done = await waitRunDone(e, run.id);
    expect(done.status).toBe('completed');
    expect(statuses(done.items)).toEqual({ a: 'completed', b: 'completed', c: 'completed', d: 'completed' });
    expect(Object.fromEntries(done.items.map((t) => [t.id, t.attempt]))).toEqual({ a: 1, b: 2, c: 1, d: 2 });
    expect(item(done, 'b').exit_code).toBe(0);

    // The failed attempt's evidence is kept.
    const log1 = await e.eng.api.invoke('tasks.log', { run_id: run.id, task_id: 'b', attempt: 1 });
    expect(log1.content).toContain('b checking');
    expect(log1.content).not.toContain('b-ok');
    expect(log1.complete).toBe(true);
    const err1 = await e.eng.api.invoke('tasks.log', { run_id: run.id, task_id: 'b', attempt: 1, type: 'error' });
    expect(err1.content).toContain('b: not fixed yet');
    const log2 = await e.eng.api.invoke('tasks.log', { run_id: run.id, task_id: 'b' });
    expect(log2.attempt).toBe(2);
    expect(log2.content).toContain('b-ok');
    const script1 = await e.eng.api.invoke('tasks.script', { run_id: run.id, task_id: 'b', attempt: 1 });
    expect(script1.script).toContain('b: not fixed yet');
    const attempts = await e.eng.api.invoke('tasks.attempts', { run_id: run.id, task_id: 'b' });
    expect(attempts.attempts.map((a) => [a.attempt, a.status, a.exit_code])).toEqual([
      [1, 'failed', 3],
      [2, 'completed', 0],
    ]);
    // a ran exactly once.
    expect((await e.eng.api.invoke('tasks.attempts', { run_id: run.id, task_id: 'a' })).attempts).toHaveLength(1);
  });
});

describe('invalid workflows are refused whole', () => {
  const cases: Array<{ name: string; tasks: Array<Record<string, unknown>>; mentions: string[] }> = [
    { name: 'a cycle', tasks: [task('x', 'true', { deps: ['z'] }), task('y', 'true', { deps: ['x'] }), task('z', 'true', { deps: ['y'] })], mentions: ['Circular', 'x', 'y', 'z'] },
    { name: 'an unknown dependency', tasks: [task('x', 'true', { deps: ['nope'] })], mentions: ["'x'", "'nope'"] },
    { name: 'a duplicate id', tasks: [task('x', 'true'), task('x', 'false')], mentions: ["Duplicate task id 'x'"] },
    { name: 'an unmatched wildcard', tasks: [task('x', 'true'), task('y', 'true', { deps: ['zz-*'] })], mentions: ["'y'", 'zz-*', 'matches no tasks'] },
  ];
  it.each(cases)('$name → bad_input naming the tasks, nothing stored', async ({ tasks, mentions }) => {
    const e = h ?? (await engine());
    const err = await startRun(e, tasks).then(
      () => null,
      (x: unknown) => x,
    );
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('bad_input');
    for (const m of mentions) expect((err as ApiError).message).toContain(m);
    expect((await e.eng.api.invoke('runs.list', {})).runs).toEqual([]);
  });
});

/** Follows task.changed events: the latest status of every task, and a hook after each change. */
function trackStatuses(e: EngineHarness, onChange: (status: Map<string, Map<string, TaskStatus>>) => void): () => void {
  const status = new Map<string, Map<string, TaskStatus>>();
  return e.eng.engine.subscribe((ev: EngineEvent) => {
    if (ev.event !== 'task.changed') return;
    const p = ev.payload as { run_id: string; task: TaskView };
    let m = status.get(p.run_id);
    if (!m) status.set(p.run_id, (m = new Map()));
    m.set(p.task.id, p.task.status);
    onChange(status);
  });
}

describe('sharing a backend', () => {
  it('two runs on a backend capped at 2 both make progress; the cap holds', async () => {
    const e = await engine({ maxConcurrent: 2 });
    let bothRunning = false;
    let maxInFlight = 0;
    const stop = trackStatuses(e, (all) => {
      const running = [...all.values()].map((m) => [...m.values()].filter((s) => s === 'running').length);
      if (running.length === 2 && running.every((n) => n > 0)) bothRunning = true;
      maxInFlight = Math.max(maxInFlight, [...all.values()].reduce((n, m) => n + [...m.values()].filter(isInFlight).length, 0));
    });
    const tasks = (p: string) => Array.from({ length: 4 }, (_, i) => task(`${p}${i}`, 'sleep 0.6'));
    const a = await startRun(e, tasks('a'), { name: 'big-a' });
    const b = await startRun(e, tasks('b'), { name: 'big-b' });
    const [ra, rb] = await Promise.all([waitRunDone(e, a.id), waitRunDone(e, b.id)]);
    stop();
    expect([ra.status, rb.status]).toEqual(['completed', 'completed']);
    expect(bothRunning).toBe(true);
    expect(maxInFlight).toBeLessThanOrEqual(2);
    // b was not starved until a drained: its first job went out before a's last one.
    const firstB = Math.min(...rb.items.map((t) => Date.parse(t.submitted_at as string)));
    const lastA = Math.max(...ra.items.map((t) => Date.parse(t.submitted_at as string)));
    expect(firstB).toBeLessThan(lastA);
  });

  it("a run's own max_concurrent: 1 runs its tasks one at a time", async () => {
    const e = await engine({ maxConcurrent: 4 });
    const trace = path.join(e.work, 'trace');
    const cmd = (id: string) => `echo "start ${id}" >> ${trace}; sleep 0.3; echo "end ${id}" >> ${trace}`;
    let overlap = false;
    const stop = trackStatuses(e, (all) => {
      for (const m of all.values()) if ([...m.values()].filter(isInFlight).length > 1) overlap = true;
    });
    const run = await startRun(e, ['p', 'q', 'r'].map((id) => task(id, cmd(id))), { max_concurrent: 1 });
    const done = await waitRunDone(e, run.id);
    stop();
    expect(done.status).toBe('completed');
    expect(overlap).toBe(false);
    const lines = fs.readFileSync(trace, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(6);
    for (let i = 0; i < lines.length; i += 2) expect(lines[i + 1]).toBe(lines[i]!.replace('start', 'end'));
  });
});

describe('cancelling', () => {
  it('cancelling a running run kills its processes and the run reads cancelled', async () => {
    const e = await engine();
    const pidFile = path.join(e.work, 'sleep.pid');
    const run = await startRun(e, [
      task('long', `sleep 300 & echo $! > ${pidFile}; wait`),
      task('after', 'echo never', { deps: ['long'] }),
    ]);
    const pid = await waitFor(() => readPid(pidFile), 'the task to record its sleep pid');
    expect(pidAlive(pid)).toBe(true);
    await waitFor(async () => item(await e.eng.api.invoke('runs.get', { id: run.id }), 'long').status === 'running', 'the task to be running');
    const res = await e.eng.api.invoke('runs.cancel', { id: run.id });
    expect(res.cancelled).toBe(true);
    await waitFor(() => !pidAlive(pid), `sleep pid ${pid} to die`, 10_000);
    const done = await waitRunDone(e, run.id);
    expect(done.status).toBe('cancelled');
    expect(item(done, 'long').status).toBe('cancelled');
    expect(['cancelled', 'dep_failed']).toContain(item(done, 'after').status);
    expect(fs.existsSync(path.join(e.work, 'never'))).toBe(false);
  });

  it('cancelling a run with two running tasks: both read "Cancelled by user", exit codes as observed', async () => {
    const e = await engine();
    const run = await startRun(e, [task('one', 'sleep 60'), task('two', 'sleep 60')], { max_concurrent: 2 });
    await waitFor(async () => (await e.eng.api.invoke('runs.get', { id: run.id })).items.every((t) => t.status === 'running'), 'both tasks to be running');
    await e.eng.api.invoke('runs.cancel', { id: run.id });
    const done = await waitRunDone(e, run.id);
    expect(done.status).toBe('cancelled');
    for (const t of done.items) {
      expect(t.status).toBe('cancelled');
      expect(t.error).toBe('Cancelled by user');
      expect([null, 143]).toContain(t.exit_code);
    }
  });

  it('cancelling a big run sends one tasks.changed event for its pending tasks, not one task.changed each', async () => {
    const e = await engine({ maxConcurrent: 1 });
    const n = 600;
    const run = await startRun(e, Array.from({ length: n }, (_, i) => task(`p${i}`, 'sleep 300')));
    await waitFor(async () => (await e.eng.api.invoke('runs.get', { id: run.id, limit: 1 })).status_counts.running === 1, 'the first task to run');
    const seen: EngineEvent[] = [];
    const stop = e.eng.engine.subscribe((ev) => seen.push(ev));
    await e.eng.api.invoke('runs.cancel', { id: run.id });
    const done = await waitRunDone(e, run.id, 15_000);
    stop();
    expect(done.status).toBe('cancelled');
    expect(done.status_counts).toEqual({ cancelled: n });
    const bulk = seen.filter((ev) => ev.event === 'tasks.changed');
    expect(bulk).toEqual([{ event: 'tasks.changed', payload: { run_id: run.id, count: n - 1 } }]);
    // Only the running task (cancelled through its job) is announced on its own.
    expect([...new Set(seen.filter((ev) => ev.event === 'task.changed').map((ev) => (ev.payload as { task: TaskView }).task.id))]).toEqual(['p0']);
    // The last run.changed carries the final counts.
    const last = seen.filter((ev) => ev.event === 'run.changed').pop();
    expect(last?.payload).toMatchObject({ status: 'cancelled' });
  });

  it('cancelling a run right after starting it (jobs still being submitted) ends cancelled, nothing left running', async () => {
    const e = await engine({ maxConcurrent: 6 });
    const pids = path.join(e.work, 'pids');
    const run = await startRun(e, Array.from({ length: 6 }, (_, i) => task(`s${i}`, `sleep 300 & echo $! >> ${pids}; wait`)));
    await e.eng.api.invoke('runs.cancel', { id: run.id });
    const done = await waitRunDone(e, run.id, 15_000);
    expect(done.status).toBe('cancelled');
    expect(done.items.every((t) => t.status === 'cancelled')).toBe(true);
    const started = fs.existsSync(pids) ? fs.readFileSync(pids, 'utf8').trim().split('\n').filter(Boolean).map(Number) : [];
    for (const pid of started) await waitFor(() => !pidAlive(pid), `sleep pid ${pid} to die`, 10_000);
  });

  it('cancelling one task fails its dependents and lets the rest finish', async () => {
    const e = await engine();
    const pidFile = path.join(e.work, 'sleep.pid');
    const run = await startRun(e, [
      task('slow', `sleep 300 & echo $! > ${pidFile}; wait`),
      task('child', 'echo child', { deps: ['slow'] }),
      task('grandchild', 'echo grandchild', { deps: ['child'] }),
      task('other', 'sleep 0.5; echo other'),
    ]);
    const pid = await waitFor(() => readPid(pidFile), 'the task to record its sleep pid');
    await waitFor(async () => item(await e.eng.api.invoke('runs.get', { id: run.id }), 'slow').status === 'running', 'the task to be running');
    const res = await e.eng.api.invoke('runs.cancel', { id: run.id, task: 'slow' });
    expect(res.cancelled).toBe(true);
    await waitFor(() => !pidAlive(pid), `sleep pid ${pid} to die`, 10_000);
    const done = await waitRunDone(e, run.id);
    expect(statuses(done.items)).toEqual({ slow: 'cancelled', child: 'dep_failed', grandchild: 'dep_failed', other: 'completed' });
    expect(item(done, 'child').error).toBe("Dependency 'slow' was cancelled");
    expect(done.status).toBe('failed');
  });

  it('a cancelled run whose failed tasks are rerun and complete reads cancelled, not failed', async () => {
    const e = await engine();
    const marker = path.join(e.work, 'second-try');
    const run = await startRun(e, [
      task('flaky', `test -f ${marker} || { touch ${marker}; exit 3; }`),
      task('long', 'sleep 300'),
    ]);
    await waitFor(async () => {
      const r = await e.eng.api.invoke('runs.get', { id: run.id });
      return item(r, 'flaky').status === 'failed' && item(r, 'long').status === 'running';
    }, 'flaky to fail while long runs');
    await e.eng.api.invoke('runs.cancel', { id: run.id });
    expect((await waitRunDone(e, run.id)).status).toBe('cancelled');
    await e.eng.api.invoke('runs.rerun', { id: run.id, failed_only: true });
    const done = await waitRunDone(e, run.id);
    expect(statuses(done.items)).toEqual({ flaky: 'completed', long: 'cancelled' });
    expect(done.status).toBe('cancelled');
    expect((await e.eng.api.invoke('runs.list', {})).runs.find((r) => r.id === run.id)?.status).toBe('cancelled');
  });

  it('rerun --failed reruns failed tasks and their dependents, not cancelled ones; a run with nothing failed is refused', async () => {
    const e = await engine();
    const pidFile = path.join(e.work, 'sleep.pid');
    const run = await startRun(e, [
      task('slow', `sleep 300 & echo $! > ${pidFile}; wait`),
      task('after_slow', 'echo after', { deps: ['slow'] }),
      task('broken', 'exit 5'),
      task('after_broken', 'echo after', { deps: ['broken'] }),
    ]);
    const pid = await waitFor(() => readPid(pidFile), 'the task to record its sleep pid');
    await waitFor(async () => item(await e.eng.api.invoke('runs.get', { id: run.id }), 'broken').status === 'failed', 'the broken task to fail');
    await e.eng.api.invoke('runs.cancel', { id: run.id, task: 'slow' });
    await waitFor(() => !pidAlive(pid), `sleep pid ${pid} to die`, 10_000);
    let done = await waitRunDone(e, run.id);
    expect(statuses(done.items)).toEqual({ slow: 'cancelled', after_slow: 'dep_failed', broken: 'failed', after_broken: 'dep_failed' });
    await e.eng.api.invoke('runs.rerun', { id: run.id, failed_only: true });
    done = await waitRunDone(e, run.id);
    const attempts = Object.fromEntries(done.items.map((t) => [t.id, t.attempt]));
    expect(attempts).toEqual({ slow: 1, after_slow: 1, broken: 2, after_broken: 2 });
    expect(item(done, 'slow').status).toBe('cancelled');

    const cancelled = await startRun(e, [task('long', 'sleep 300')]);
    await waitFor(async () => item(await e.eng.api.invoke('runs.get', { id: cancelled.id }), 'long').status === 'running', 'the task to be running');
    await e.eng.api.invoke('runs.cancel', { id: cancelled.id });
    expect((await waitRunDone(e, cancelled.id)).status).toBe('cancelled');
    const refused = await e.eng.api.invoke('runs.rerun', { id: cancelled.id, failed_only: true }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).message).toMatch(/no failed task to rerun.*full rerun/);
    expect((await e.eng.api.invoke('runs.get', { id: cancelled.id })).attempt).toBe(1);
  });
});

describe('environment values', () => {
  it('reach the task verbatim and are never evaluated by a shell', async () => {
    const e = await engine();
    const rand = Math.random().toString(36).slice(2);
    const pwned = path.join(os.tmpdir(), `pwned-${rand}`);
    const value = `dq" sq' $(touch ${pwned}) \`touch ${pwned}-bt\` $HOME \\n back\\slash\nsecond line\n`;
    const out = path.join(e.work, 'x.txt');
    const run = await startRun(e, [task('show', `printf %s "$X" > ${out}`)], { env: [{ set: { X: value } }] });
    const done = await waitRunDone(e, run.id);
    expect(done.status).toBe('completed');
    expect(fs.readFileSync(out, 'utf8')).toBe(value);
    expect(fs.existsSync(pwned)).toBe(false);
    expect(fs.existsSync(`${pwned}-bt`)).toBe(false);
  });
});

describe('retries', () => {
  it('a task that fails once and then succeeds completes at attempt 2', async () => {
    const e = await engine();
    const flag = path.join(e.work, 'tried');
    const run = await startRun(e, [task('flaky', `if [ -f ${flag} ]; then echo second; exit 0; fi; touch ${flag}; echo first; exit 1`, { retries: 2 })]);
    const done = await waitRunDone(e, run.id);
    expect(done.status).toBe('completed');
    const t = item(done, 'flaky');
    expect([t.status, t.attempt, t.exit_code]).toEqual(['completed', 2, 0]);
    const { attempts } = await e.eng.api.invoke('tasks.attempts', { run_id: run.id, task_id: 'flaky' });
    expect(attempts.map((a) => [a.attempt, a.status, a.exit_code])).toEqual([
      [1, 'failed', 1],
      [2, 'completed', 0],
    ]);
    expect((await e.eng.api.invoke('tasks.log', { run_id: run.id, task_id: 'flaky', attempt: 1 })).content).toContain('first');
  });

  it('a task that keeps failing uses up its retries and fails', async () => {
    const e = await engine();
    const run = await startRun(e, [task('bad', 'exit 5', { retries: 1 })]);
    const done = await waitRunDone(e, run.id);
    expect(done.status).toBe('failed');
    expect([item(done, 'bad').attempt, item(done, 'bad').exit_code]).toEqual([2, 5]);
  });
});

describe('generates_source', () => {
  function generator(e: EngineHarness, file: string, tasks: unknown): Record<string, unknown> {
    const json = path.join(e.work, `${file}.src`);
    fs.writeFileSync(json, JSON.stringify(tasks));
    return task('gen', `cp ${json} ${file}`, { generates_source: file });
  }

  it('runs the generated tasks after the generator', async () => {
    const e = await engine();
    const made = [
      { id: 'g1', name: 'G1', command: `echo g1 >> ${path.join(e.work, 'g.out')}` },
      { id: 'g2', name: 'G2', command: `echo g2 >> ${path.join(e.work, 'g.out')}`, deps: ['g1'] },
    ];
    const run = await startRun(e, [generator(e, 'tasks.json', made), task('tail', 'echo tail', { deps: ['gen'] })]);
    const done = await waitRunDone(e, run.id);
    expect(done.status).toBe('completed');
    expect(statuses(done.items)).toEqual({ gen: 'completed', tail: 'completed', g1: 'completed', g2: 'completed' });
    expect(item(done, 'g1').generated_by).toBe('gen');
    expect(fs.readFileSync(path.join(e.work, 'g.out'), 'utf8')).toBe('g1\ng2\n');
  });

  it('warns about an unknown top-level key and task field of a generated file, as createFromWorkflow does, in a notification', async () => {
    const e = await engine();
    const made = { titel: 'typo', tasks: [{ id: 'g1', name: 'G1', command: 'true', cpu: 2 }] };
    const run = await startRun(e, [generator(e, 'tasks.json', made)], { name: 'gen-warn' });
    const done = await waitRunDone(e, run.id);
    await e.eng.engine.idle();
    expect(statuses(done.items)).toEqual({ gen: 'completed', g1: 'completed' });
    const notes = e.events.filter((x) => x.event === 'notification').map((x) => x.payload as Notification).filter((n) => n.kind === 'workflow_warning');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ run_id: run.id, task_id: 'gen', level: 'info' });
    expect(notes[0]!.body).toContain("tasks.json: top level: unknown key 'titel' was ignored; did you mean 'title'? (generated by 'gen')");
    expect(notes[0]!.body).toContain("tasks.json: generated tasks[0] ('g1'): unknown field 'cpu' was ignored; did you mean 'cpus'? (generated by 'gen')");
  });

  it.each([
    { name: 'a duplicate id', made: [{ id: 'tail', name: 'dup', command: 'true' }], mentions: ["'tail'"] },
    {
      name: 'a cycle',
      made: [
        { id: 'g1', name: 'G1', command: 'true', deps: ['g2'] },
        { id: 'g2', name: 'G2', command: 'true', deps: ['g1'] },
      ],
      mentions: ['Circular', 'g1', 'g2'],
    },
  ])('rejects $name: the generator says why and the run fails', async ({ made, mentions }) => {
    const e = await engine();
    const run = await startRun(e, [generator(e, 'tasks.json', made), task('tail', 'echo tail')]);
    const done = await waitRunDone(e, run.id);
    expect(done.status).toBe('failed');
    const gen = item(done, 'gen');
    expect(gen.status).toBe('failed');
    expect(gen.error).toMatch(/rejected/);
    for (const m of mentions) expect(gen.error).toContain(m);
    expect(done.items.map((t) => t.id).sort()).toEqual(['gen', 'tail']);
    expect(item(done, 'tail').status).toBe('completed');
  });
});

describe('lost jobs and reruns', () => {
  it('a job whose supervisor is killed -9 fails as lost with an unknown exit code (not completed)', async () => {
    const e = await engine();
    const run = await startRun(e, [task('victim', 'kill -9 $PPID; sleep 0.2; exit 0')]);
    const done = await waitRunDone(e, run.id);
    const t = item(done, 'victim');
    expect(t.status).toBe('failed');
    expect(t.exit_code).toBeNull();
    expect(t.error).toMatch(/lost/);
  });

  it('rerunning a generator run drops the generated tasks and generates them once again', async () => {
    const e = await engine();
    const src = path.join(e.work, 'made.src');
    const ledger = path.join(e.work, 'ledger');
    fs.writeFileSync(src, JSON.stringify([{ id: 'g1', name: 'G1', command: `echo g1 >> ${ledger}` }]));
    const run = await startRun(e, [task('gen', `cp ${src} made.json`, { generates_source: 'made.json' })]);
    expect((await waitRunDone(e, run.id)).status).toBe('completed');
    await e.eng.api.invoke('runs.rerun', { id: run.id });
    const done = await waitRunDone(e, run.id);
    expect(done.status).toBe('completed');
    expect(done.items.map((t) => [t.id, t.status])).toEqual([
      ['gen', 'completed'],
      ['g1', 'completed'],
    ]);
    expect(fs.readFileSync(ledger, 'utf8')).toBe('g1\ng1\n');
    const { attempts } = await e.eng.api.invoke('tasks.attempts', { run_id: run.id, task_id: 'g1' });
    expect(attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, 'completed'],
      [2, 'completed'],
    ]);
  });

  it('a run still going cannot be rerun or deleted; the refusal says what to do', async () => {
    const e = await engine();
    const run = await startRun(e, [task('slow', 'sleep 30')]);
    for (const call of [() => e.eng.api.invoke('runs.rerun', { id: run.id }), () => e.eng.api.invoke('runs.delete', { id: run.id })]) {
      const err = (await call().then(() => null, (x: unknown) => x)) as ApiError;
      expect(err).toBeInstanceOf(ApiError);
      expect(err.code).toBe('conflict');
      expect(err.message).toMatch(/cancel/);
    }
    await e.eng.api.invoke('runs.cancel', { id: run.id });
    expect((await waitRunDone(e, run.id)).status).toBe('cancelled');
    await e.eng.api.invoke('runs.delete', { id: run.id });
    expect((await e.eng.api.invoke('runs.list', {})).runs).toEqual([]);
  });
});

describe('notifications', () => {
  it('run_scheduled, one task_failed and run_done arrive for a run', async () => {
    const e = await engine();
    const run = await startRun(e, [task('ok', 'true'), task('bad', 'exit 2'), task('later', 'true', { deps: ['bad'] })], { name: 'notify-me' });
    await waitRunDone(e, run.id);
    await e.eng.engine.idle();
    const notes = e.events.filter((x) => x.event === 'notification').map((x) => x.payload as Notification).filter((n) => n.run_id === run.id);
    expect(notes.map((n) => n.kind)).toEqual(['run_scheduled', 'task_failed', 'run_done']);
    expect(notes[1]).toMatchObject({ task_id: 'bad', level: 'error' });
    expect(notes[2]).toMatchObject({ level: 'error' });
    expect(notes[2]?.title).toContain('notify-me');
  });

  it('a failed attempt that is retried is not announced; a task failing for good is announced once', async () => {
    const e = await engine();
    const flag = path.join(e.work, 'tried');
    const run = await startRun(e, [
      task('flaky', `if [ -f ${flag} ]; then exit 0; fi; touch ${flag}; exit 1`, { retries: 2 }),
      task('hopeless', 'exit 4', { retries: 1 }),
    ]);
    const done = await waitRunDone(e, run.id);
    await e.eng.engine.idle();
    expect(statuses(done.items)).toEqual({ flaky: 'completed', hopeless: 'failed' });
    const failedNotes = e.events.filter((x) => x.event === 'notification').map((x) => x.payload as Notification).filter((n) => n.kind === 'task_failed');
    expect(failedNotes.map((n) => n.task_id)).toEqual(['hopeless']);
  });

  it('a completed run ends with a success notification', async () => {
    const e = await engine();
    const run = await startRun(e, [task('ok', 'true')], { name: 'fine' });
    await waitRunDone(e, run.id);
    await e.eng.engine.idle();
    const notes = e.events.filter((x) => x.event === 'notification').map((x) => x.payload as Notification);
    expect(notes.map((n) => [n.kind, n.level])).toEqual([
      ['run_scheduled', 'info'],
      ['run_done', 'success'],
    ]);
  });
});
