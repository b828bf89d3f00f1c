// Submit step of a backend's cycle: ready set -> allocate -> submit in waves. A wave's intents (attempt rows with
// their tags) are committed in one transaction before the backend is called, so a restarted engine can find the
// jobs; the wave's job ids (and the next wave's intents) go in the next one. The first wave's intents share the
// transaction of the cycle's verdicts: a turn of the loop costs two commits, however many tasks it moves.
import { joinWorkingDir } from '../../src-shared/workflow/extend';
import type { TaskDefinition } from '../../src-shared/workflow/types';
import type { Backend, ScriptContext, SubmitRequest, SubmitResult } from '../backends/types';
import { allocate, type AllocRun } from '../scheduler/allocate';
import { decide } from '../scheduler/decide';
import type { RunRow, TaskRow } from '../store/rows';
import { cancelTask } from './actions';
import type { EngineParts } from './parts';
import { submitTag } from './run-factory';
import { loadRunSnapshot } from './snapshot';
import { taskDef } from './views';

export interface Pick {
  runId: string;
  taskId: string;
}

/** A task whose intent is recorded: what the backend is asked to run. */
export interface Prepared {
  run: RunRow;
  row: TaskRow;
  tag: string;
  jobName: string;
  def: TaskDefinition;
  script: string;
  logs: { output: string; error: string };
}

export type Outcome = { prep: Prepared; ok: SubmitResult } | { prep: Prepared; err: unknown };

/** Free slots handed to ready tasks, in allocation order. Reads the store as the caller's transaction sees it. */
export function allocateSubmissions(p: EngineParts, b: Backend, ahead = 0): Pick[] {
  if (!p.isOpen() || !['ready', 'connected'].includes(b.status().state)) return [];
  const all = p.store.inFlightTasks(b.name);
  const cap = b.maxConcurrent + ahead;
  // Every slot taken: nothing to allocate, so no need to look at the (possibly thousands of) active runs.
  if (all.length >= cap) return [];
  const runs = p.store.activeRuns(b.name).filter((r) => !r.cancel_requested && !r.halted_reason);
  const inflightByRun = new Map<string, number>();
  for (const t of all) inflightByRun.set(t.run_id, (inflightByRun.get(t.run_id) ?? 0) + 1);
  const allocRuns: AllocRun[] = [];
  let otherInFlight = all.length;
  const free = cap - all.length;
  for (const run of runs) {
    const inFlight = inflightByRun.get(run.id) ?? 0;
    otherInFlight -= inFlight;
    // Allocation never hands out more than the free slots, so no run needs to offer more ready tasks than that.
    const ready = free > 0 ? p.active.get(run.id).readyIds(free) : [];
    allocRuns.push({ runId: run.id, createdAt: run.created_at, maxConcurrent: run.max_concurrent, inFlight, ready });
  }
  // Jobs of runs not in the list (cancelled, halted) still hold slots.
  if (otherInFlight > 0) allocRuns.push({ runId: '', createdAt: '', maxConcurrent: null, inFlight: otherInFlight, ready: [] });
  return [...allocate(cap, allocRuns)];
}

/**
 * While every slot is taken, the tasks that would get the next `count` slots are built (nothing recorded) and
 * handed to the backend to write ahead; `cache` keeps the requests of the last call by tag, so a task waiting
 * for a slot is built once. A guess that turns out wrong costs a staged folder the next call removes.
 */
export function stageNext(p: EngineParts, b: Backend, count: number, cache: Map<string, SubmitRequest>): void {
  if (!b.stage || !p.isOpen()) return;
  const reqs: SubmitRequest[] = [];
  if (p.store.inFlightTasks(b.name).length >= b.maxConcurrent) {
    for (const pick of allocateSubmissions(p, b, count)) {
      const run = p.store.getRun(pick.runId);
      const row = p.store.getTask(pick.runId, pick.taskId);
      if (!run || !row || row.status !== 'pending') continue;
      const tag = submitTag(run.id, row.task_id, row.attempt);
      const known = cache.get(tag);
      if (known) {
        reqs.push(known);
        continue;
      }
      const built = buildSubmission(p, b, run, row);
      if (typeof built !== 'string') reqs.push({ runId: run.id, taskId: row.task_id, attempt: row.attempt, tag, jobName: built.jobName, task: built.def, script: built.script, logs: built.logs });
    }
  }
  cache.clear();
  for (const r of reqs) cache.set(r.tag, r);
  b.stage(reqs);
}

/**
 * Take up to `size` picks off `queue` and record their intents, inside the caller's transaction. A pick whose
 * task or run changed since allocation is skipped; one that cannot be prepared fails alone.
 */
export function prepareWave(p: EngineParts, b: Backend, queue: Pick[], size: number): Prepared[] {
  const wave: Prepared[] = [];
  while (wave.length < size && queue.length) {
    const pick = queue.shift() as Pick;
    const run = p.store.getRun(pick.runId);
    const row = p.store.getTask(pick.runId, pick.taskId);
    if (!run || !row || row.status !== 'pending' || run.cancel_requested || run.halted_reason) continue;
    try {
      const prep = prepareOne(p, b, run, row);
      if (prep) wave.push(prep);
    } catch (err) {
      // One task's unexpected error must not stall every run on this backend: it fails that task only.
      const msg = `Internal error while submitting: ${(err as Error)?.message ?? String(err)}`;
      console.error(`[engine] ${run.id}/${row.task_id}: ${msg}`);
      const at = p.now();
      const cur = p.store.getTask(run.id, row.task_id);
      if (cur && cur.status === 'pending') p.uow.failPending(cur, msg, at);
      p.uow.settleRun(run.id, at);
    }
  }
  return wave;
}

/** A request built for a task (its script, logs, environment), nothing recorded yet. */
interface Built {
  tag: string;
  jobName: string;
  def: TaskDefinition;
  script: string;
  logs: { output: string; error: string };
  env: ReturnType<EngineParts['o']['env']['resolve']>;
}

/** Builds what the backend would be asked to run for this row; a string says why it cannot be. */
function buildSubmission(p: EngineParts, b: Backend, run: RunRow, row: TaskRow): Built | string {
  const def = taskDef(row);
  const tag = submitTag(run.id, row.task_id, row.attempt);
  const env = p.o.env.resolve({ run, def, backend: b, attempt: row.attempt });
  if (env.errors.length) return `Environment could not be resolved: ${env.errors.join('; ')}`;
  const defaults = b.defaultLogPaths(run.id, row.task_id, row.attempt);
  // A relative output_file/error_file is relative to the task's working dir (where the scheduler writes it).
  const within = (f: string) => (f.startsWith('/') || f.startsWith('~') ? f : joinWorkingDir(def.working_dir, f));
  const logs = { output: def.output_file ? within(def.output_file) : defaults.output, error: def.error_file ? within(def.error_file) : defaults.error };
  const jobName = def.name;
  const ctx: ScriptContext = {
    runId: run.id,
    taskId: row.task_id,
    attempt: row.attempt,
    jobName,
    tag,
    task: def,
    env: env.vars.map((v) => [v.name, v.value]),
    init: env.init,
    logs,
    outputDir: b.outputDir(run.id, row.task_id),
    workingDir: def.working_dir,
  };
  try {
    return { tag, jobName, def, script: b.buildScript(ctx), logs, env };
  } catch (err) {
    return `Could not build the submission script: ${(err as Error).message}`;
  }
}

function prepareOne(p: EngineParts, b: Backend, run: RunRow, row: TaskRow): Prepared | null {
  const now = p.now();
  const built = buildSubmission(p, b, run, row);
  if (typeof built === 'string') {
    p.uow.failPending(row, built, now);
    p.uow.settleRun(run.id, now);
    return null;
  }
  const { tag, jobName, def, script, logs, env } = built;
  p.store.insertAttempt({
    run_id: run.id,
    task_id: row.task_id,
    attempt: row.attempt,
    backend_name: b.name,
    tag,
    job_id: null,
    status: 'submitted',
    script,
    env_json: JSON.stringify({ vars: env.vars, init: env.init, warnings: env.warnings }),
    submit_output: null,
    log_output: logs.output,
    log_error: logs.error,
    exit_code: null,
    error: null,
    submitted_at: now,
    started_at: null,
    finished_at: null,
  });
  p.uow.applyTransition(row, { taskId: row.task_id, from: 'pending', to: 'submitted', reason: `submitting to ${b.name}`, patch: { status: 'submitted', submittedAt: now, submitTag: tag } }, now, { current: true });
  // A task now in flight makes the run 'running' and fails nothing downstream: once the run says so, settling
  // again is a no-op that would re-read every task of the run for every submission.
  if (p.store.getRun(run.id)?.status !== 'running') p.uow.settleRun(run.id, now);
  return { run, row, tag, jobName, def, script, logs };
}

/** Ask the backend to run a wave, all at once (scheduler backends coalesce them into batched commands). */
export function submitWave(b: Backend, wave: Prepared[]): Promise<Outcome[]> {
  return Promise.all(
    wave.map((prep) =>
      b.submit({ runId: prep.run.id, taskId: prep.row.task_id, attempt: prep.row.attempt, tag: prep.tag, jobName: prep.jobName, task: prep.def, script: prep.script, logs: prep.logs }).then(
        (ok): Outcome => ({ prep, ok }),
        (err: unknown): Outcome => ({ prep, err }),
      ),
    ),
  );
}

/** Record what the backend said about a wave, inside the caller's transaction. */
export function recordWave(p: EngineParts, outcomes: Outcome[]): void {
  for (const o of outcomes) {
    const { run, row } = o.prep;
    if ('ok' in o) {
      p.store.patchTask(run.id, row.task_id, { jobId: o.ok.jobId });
      p.store.updateAttempt(run.id, row.task_id, row.attempt, { job_id: o.ok.jobId, submit_output: o.ok.submitOutput, script: o.ok.script });
      p.uow.taskChanged(run.id, row.task_id);
      p.uow.runChanged(run.id);
      continue;
    }
    if ((o.err as { transient?: boolean }).transient) {
      // Outcome unknown (connection dropped mid-submit): the intent stays and is reconciled by tag.
      console.error(`[engine] submission of ${row.task_id} interrupted: ${(o.err as Error).message}`);
      continue;
    }
    const msg = (o.err as Error)?.message || String(o.err);
    const at = p.now();
    // A hard submission error stops the run's further submissions and says why on every task it affects.
    const loaded = loadRunSnapshot(p.store, run.id);
    if (loaded) p.uow.applyDecision(run.id, loaded.rows, decide(loaded.snapshot, { kind: 'submission_refused', taskId: row.task_id, message: msg }, at), at);
  }
}

/** Cancels that arrived while a wave's job ids were unknown are carried out now. */
export async function cancelsAfterWave(p: EngineParts, outcomes: Outcome[]): Promise<void> {
  for (const o of outcomes) {
    if (!('ok' in o)) continue;
    const { run, row } = o.prep;
    const latest = p.store.getRun(run.id);
    const cancelOne = p.submissions.takeCancelRequest(run.id, row.task_id);
    if (latest && (latest.cancel_requested || cancelOne)) {
      await cancelTask(p, latest, row.task_id);
      // The run was cancelled while this job was being submitted: nothing else will settle it now.
      p.uow.commit(() => p.uow.settleRun(run.id, p.now()));
    }
  }
}
