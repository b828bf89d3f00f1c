// The same workflow checks for every AWS backend run through the real engine (states, exit codes, logs, cancel,
// rerun), so each backend is held to what the Slurm and local backends already do.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { CallOutput } from '../../src-shared/api/contract';
import { item, startRun, task, waitFor, waitRunDone, type EngineHarness } from './engine-harness';

type CommandsView = CallOutput<'backends.commands'>;

/** `statesOfA`: the states task a must pass through on this backend (Batch also reports `queued`). */
export async function diamondWithRerun(e: EngineHarness, backend: string, statesOfA: string[] = ['submitted', 'running', 'completed']): Promise<CommandsView> {
  const marker = path.join(e.work, 'fixed');
  const run = await startRun(e, [
    task('a', 'echo a-ran; for i in 1 2 3 4 5; do echo "a line $i"; done'),
    task('b', `echo "b checking"; test -f ${marker} || { echo "b: not fixed yet" >&2; exit 3; }; echo b-ok`, { deps: ['a'] }),
    task('c', 'echo c-ran', { deps: ['a'] }),
    task('d', 'echo d-ran', { deps: ['b', 'c'] }),
  ]);
  let done = await waitRunDone(e, run.id);
  expect(done.status).toBe('failed');
  expect(Object.fromEntries(done.items.map((t) => [t.id, t.status]))).toEqual({ a: 'completed', b: 'failed', c: 'completed', d: 'dep_failed' });
  expect(item(done, 'b').exit_code).toBe(3);
  const toA = (await e.eng.api.invoke('tasks.transitions', { run_id: run.id, task_id: 'a' })).transitions.map((t) => t.to_status);
  expect(toA).toEqual(expect.arrayContaining(statesOfA));
  const logA = (await e.eng.api.invoke('tasks.log', { run_id: run.id, task_id: 'a' })).content;
  expect(logA).toContain('a-ran');
  expect(logA).toContain('a line 5');
  expect((await e.eng.api.invoke('tasks.log', { run_id: run.id, task_id: 'b' })).content).toContain('b: not fixed yet');

  fs.writeFileSync(marker, '');
  await e.eng.api.invoke('runs.rerun', { id: run.id, failed_only: true });
  done = await waitRunDone(e, run.id);
  expect(done.status).toBe('completed');
  expect(item(done, 'b')).toMatchObject({ exit_code: 0, attempt: 2 });
  const cmds = await e.eng.api.invoke('backends.commands', { name: backend, limit: 1000 });
  expect(cmds.commands.length).toBeGreaterThan(0);
  expect(cmds.commands.every((c) => c.kind === 'aws')).toBe(true);
  return cmds;
}

export async function cancelRunning(e: EngineHarness): Promise<void> {
  const run = await startRun(e, [task('slow', 'echo started; sleep 60; echo never')]);
  await waitFor(async () => item(await e.eng.api.invoke('runs.get', { id: run.id }), 'slow').status === 'running', 'the slow task to run');
  await waitFor(async () => (await e.eng.api.invoke('tasks.log', { run_id: run.id, task_id: 'slow' })).content.includes('started'), 'its log to show up');
  await e.eng.api.invoke('runs.cancel', { id: run.id });
  const done = await waitRunDone(e, run.id);
  expect(item(done, 'slow').status).toBe('cancelled');
}
