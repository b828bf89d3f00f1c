// Submit step of a backend's cycle: ready set -> allocate -> submit one at a time per worker. The intent (attempt
// row with its tag) is committed before the backend is called, so a restarted engine can find the job.
import { joinWorkingDir } from '../../src-shared/workflow/extend';
import type { Backend, ScriptContext } from '../backends/types';
import { allocate, type AllocRun } from '../scheduler/allocate';
import { decide } from '../scheduler/decide';
import type { RunRow, TaskRow } from '../store/rows';
import { cancelTask } from './actions';
import type { EngineParts } from './parts';
import { submitTag } from './run-factory';
import { loadRunSnapshot } from './snapshot';
import { taskDef } from './views';

export async function submitReady(p: EngineParts, b: Backend): Promise<void> {
  if (!p.isOpen() || !['ready', 'connected'].includes(b.status().state)) return;
  const all = p.store.inFlightTasks(b.name);
  // Every slot taken: nothing to allocate, so no need to look at the (possibly thousands of) active runs.
  if (all.length >= b.maxConcurrent) return;
  const runs = p.store.activeRuns(b.name).filter((r) => !r.cancel_requested && !r.halted_reason);
  const inflightByRun = new Map<string, number>();
  for (const t of all) inflightByRun.set(t.run_id, (inflightByRun.get(t.run_id) ?? 0) + 1);
  const allocRuns: AllocRun[] = [];
  let otherInFlight = all.length;
  const free = b.maxConcurrent - all.length;
  for (const run of runs) {
    const inFlight = inflightByRun.get(run.id) ?? 0;
    otherInFlight -= inFlight;
    // Allocation never hands out more than the free slots, so no run needs to offer more ready tasks than that.
    const ready = free > 0 ? p.active.get(run.id).readyIds(free) : [];
    allocRuns.push({ runId: run.id, createdAt: run.created_at, maxConcurrent: run.max_concurrent, inFlight, ready });
  }
  // Jobs of runs not in the list (cancelled, halted) still hold slots.
  if (otherInFlight > 0) allocRuns.push({ runId: '', createdAt: '', maxConcurrent: null, inFlight: otherInFlight, ready: [] });
  const queue = [...allocate(b.maxConcurrent, allocRuns)];
  // Scheduler backends coalesce overlapping submissions into batched remote commands, so more of them in
  // flight means bigger batches, not more connections or channels.
  const concurrency = p.o.submitConcurrency ?? b.capabilities.submitConcurrency;
  const workers = Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
    for (let pick = queue.shift(); pick; pick = queue.shift()) {
      const run = p.store.getRun(pick.runId);
      const row = p.store.getTask(pick.runId, pick.taskId);
      if (!run || !row || row.status !== 'pending' || run.cancel_requested || run.halted_reason) continue;
      try {
        await submitOne(p, b, run, row);
      } catch (err) {
        // One task's unexpected error must not stall every run on this backend: it fails that task only.
        const msg = `Internal error while submitting: ${(err as Error)?.message ?? String(err)}`;
        console.error(`[engine] ${run.id}/${row.task_id}: ${msg}`);
        const at = p.now();
        p.uow.commit(() => {
          const cur = p.store.getTask(run.id, row.task_id);
          if (cur && cur.status === 'pending') p.uow.failPending(cur, msg, at);
          p.uow.settleRun(run.id, at);
        });
      }
    }
  });
  await Promise.all(workers);
}

async function submitOne(p: EngineParts, b: Backend, run: RunRow, row: TaskRow): Promise<void> {
  const def = taskDef(row);
  const now = p.now();
  const tag = submitTag(run.id, row.task_id, row.attempt);
  const failNow = (msg: string) =>
    p.uow.commit(() => {
      p.uow.failPending(row, msg, now);
      p.uow.settleRun(run.id, now);
    });
  const env = p.o.env.resolve({ run, def, backend: b, attempt: row.attempt });
  if (env.errors.length) return failNow(`Environment could not be resolved: ${env.errors.join('; ')}`);
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
  let script: string;
  try {
    script = b.buildScript(ctx);
  } catch (err) {
    return failNow(`Could not build the submission script: ${(err as Error).message}`);
  }
  // The intent is committed BEFORE the backend is called; its tag lets a restarted engine find the job.
  p.uow.commit(() => {
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
    p.store.setSubmitTag(run.id, row.task_id, tag);
    p.uow.applyTransition(row, { taskId: row.task_id, from: 'pending', to: 'submitted', reason: `submitting to ${b.name}`, patch: { status: 'submitted', submittedAt: now } }, now);
    // A task now in flight makes the run 'running' and fails nothing downstream: once the run says so, settling
    // again is a no-op that would re-read every task of the run for every submission.
    if (p.store.getRun(run.id)?.status !== 'running') p.uow.settleRun(run.id, now);
  });
  p.submissions.begin(run.id, row.task_id);
  try {
    const res = await b.submit({ runId: run.id, taskId: row.task_id, attempt: row.attempt, tag, jobName, task: def, script, logs });
    p.uow.commit(() => {
      p.store.patchTask(run.id, row.task_id, { jobId: res.jobId });
      p.store.updateAttempt(run.id, row.task_id, row.attempt, { job_id: res.jobId, submit_output: res.submitOutput, script: res.script });
      p.uow.taskChanged(run.id, row.task_id);
      p.uow.runChanged(run.id);
    });
    const latest = p.store.getRun(run.id);
    const cancelOne = p.submissions.takeCancelRequest(run.id, row.task_id);
    if (latest && (latest.cancel_requested || cancelOne)) {
      await cancelTask(p, latest, row.task_id);
      // The run was cancelled while this job was being submitted: nothing else will settle it now.
      p.uow.commit(() => p.uow.settleRun(run.id, p.now()));
    }
  } catch (err) {
    if ((err as { transient?: boolean }).transient) {
      // Outcome unknown (connection dropped mid-submit): the intent stays and is reconciled by tag.
      console.error(`[engine] submission of ${row.task_id} interrupted: ${(err as Error).message}`);
      return;
    }
    const msg = (err as Error).message || String(err);
    const at = p.now();
    // A hard submission error stops the run's further submissions and says why on every task it affects.
    p.uow.commit(() => {
      const loaded = loadRunSnapshot(p.store, run.id);
      if (loaded) p.uow.applyDecision(run.id, loaded.rows, decide(loaded.snapshot, { kind: 'submission_refused', taskId: row.task_id, message: msg }, at), at);
    });
  } finally {
    p.submissions.end(run.id, row.task_id);
  }
}
