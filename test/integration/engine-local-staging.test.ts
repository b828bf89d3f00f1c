// The engine writes the next jobs' folders ahead while the local backend's slots are full (so that a freed slot
// costs a line to the launcher). A folder written ahead is never a job: the run's jobs are exactly its tasks, and
// nothing written ahead outlives a cancel, a finished run or the engine.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { metaFromSupervisor } from '../../src-main/backends/local/spool';
import { startRun, startTestEngine, task, waitFor, waitRunDone, type EngineHarness } from '../helpers/engine-harness';

let h: EngineHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

/** Spool folders by kind: jobs (the supervisor has its facts line) and folders written ahead (it has not). */
function spool(e: EngineHarness): { jobs: string[]; ahead: string[] } {
  const root = path.join(e.dataDir, 'local-jobs', 'local');
  const out = { jobs: [] as string[], ahead: [] as string[] };
  if (!fs.existsSync(root)) return out;
  for (const name of fs.readdirSync(root)) {
    const sup = path.join(root, name, 'supervise.sh');
    if (!fs.existsSync(sup)) continue;
    (metaFromSupervisor(fs.readFileSync(sup, 'utf8')) ? out.jobs : out.ahead).push(name);
  }
  return out;
}

describe('local jobs written ahead', () => {
  it('while both slots are busy the next tasks are written ahead, never started; a cancel removes them', async () => {
    const e = (h = await startTestEngine({ maxConcurrent: 2 }));
    const gate = path.join(e.work, 'gate');
    const run = await startRun(e, Array.from({ length: 6 }, (_, i) => task(`t${i}`, `while [ ! -e ${gate} ]; do sleep 0.05; done`)));
    const ahead = await waitFor(() => {
      const s = spool(e);
      return s.jobs.length === 2 && s.ahead.length > 0 ? s.ahead : null;
    }, 'the next tasks written ahead');
    // Written ahead = the tasks next in line, none of them started (no pid), none of them in flight.
    expect(ahead.every((name) => /-t[2-5]-a1$/.test(name))).toBe(true);
    for (const name of ahead) expect(fs.existsSync(path.join(e.dataDir, 'local-jobs', 'local', name, 'pid'))).toBe(false);
    await e.eng.api.invoke('runs.cancel', { id: run.id });
    const done = await waitRunDone(e, run.id);
    expect(done.status).toBe('cancelled');
    await waitFor(() => spool(e).ahead.length === 0 || null, 'folders written ahead removed after the cancel');
    expect(spool(e).jobs).toHaveLength(2);
  });

  it('a run of short tasks: every task ran once from its own folder, nothing written ahead is left', async () => {
    const e = (h = await startTestEngine({ maxConcurrent: 2 }));
    const ledger = path.join(e.work, 'ledger');
    const n = 30;
    const run = await startRun(e, Array.from({ length: n }, (_, i) => task(`t${i}`, `echo t${i} >> ${ledger}`)));
    const done = await waitRunDone(e, run.id, 120_000);
    expect(done.status).toBe('completed');
    expect(fs.readFileSync(ledger, 'utf8').split('\n').filter(Boolean).sort()).toEqual(Array.from({ length: n }, (_, i) => `t${i}`).sort());
    await waitFor(() => spool(e).ahead.length === 0 || null, 'nothing written ahead once the run is done');
    expect(spool(e).jobs).toHaveLength(n);
  });
});
