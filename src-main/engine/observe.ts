// Observe step of a backend's cycle: resolve left-over submission intents, poll, ask accounting for verdicts
// (no writes while the backend is asked), then apply what was seen in the cycle's transaction. No submissions here.
import type { Backend, PollResult } from '../backends/types';
import type { Verdict } from '../model/verdict';
import { decide, type DecideInput } from '../scheduler/decide';
import { applyVerdict, expireTimers, needsVerdict, observe } from '../scheduler/task-state';
import type { Transition } from '../model/transition';
import type { TaskRow } from '../store/rows';
import { generatedTasks } from './generated';
import { taskKey } from './in-flight-submissions';
import type { EngineParts } from './parts';
import { tooManyTasks } from './run-factory';
import { partialRunSnapshot } from './snapshot';
import { taskDef, toRuntime } from './views';

/**
 * Submission intents left by a previous engine (killed between recording and confirming) are resolved by tag.
 * `inflight` is the backend's in-flight rows as the cycle read them. Returns whether any row changed.
 */
export async function reconcileIntents(p: EngineParts, b: Backend, inflight: TaskRow[]): Promise<boolean> {
  const intents = inflight.filter((t) => t.job_id === null && t.submit_tag && !p.submissions.isSubmitting(t.run_id, t.task_id));
  if (!intents.length) return false;
  let found: Map<string, string>;
  try {
    found = await b.findByTags(intents.map((t) => t.submit_tag as string));
    p.stateLog.ok(`reconciling submissions on '${b.name}'`);
  } catch (err) {
    p.stateLog.failed(`reconciling submissions on '${b.name}'`, (err as Error).message);
    return false;
  }
  const now = p.now();
  p.uow.commit(() => {
    for (const row of intents) {
      const jobId = found.get(row.submit_tag as string);
      if (jobId) {
        p.store.patchTask(row.run_id, row.task_id, { jobId });
        p.store.updateAttempt(row.run_id, row.task_id, row.attempt, { job_id: jobId, submit_output: '(recovered after an engine restart)' });
        p.store.appendTransition({ run_id: row.run_id, task_id: row.task_id, attempt: row.attempt, at: now, from_status: 'submitted', to_status: 'submitted', reason: `found job ${jobId} by its tag after a restart` });
        p.uow.taskChanged(row.run_id, row.task_id);
      } else {
        // The backend never received it: submit again under the same attempt (and tag).
        p.store.db.prepare('DELETE FROM attempts WHERE run_id = ? AND task_id = ? AND attempt = ?').run(row.run_id, row.task_id, row.attempt);
        p.uow.applyTransition(row, { taskId: row.task_id, from: 'submitted', to: 'pending', reason: 'the submission never reached the backend (engine stopped); submitting again', patch: { status: 'pending', submittedAt: null } }, now);
        p.store.setSubmitTag(row.run_id, row.task_id, null);
      }
    }
  });
  return true;
}

/** What one cycle saw on the backend: queue states, verdicts, generated tasks. Nothing of it is written yet. */
export interface Seen {
  poll: PollResult;
  observed: Array<[TaskRow, Transition]>;
  /** In-flight rows that needed a verdict (after what the poll showed). */
  candidates: TaskRow[];
  verdicts: Map<string, Verdict>;
  generated: Map<string, Awaited<ReturnType<typeof generatedTasks>>>;
  /**
   * Jobs that left the queue with their verdict already in hand: their `settling` step is not written (it
   * would be overwritten in the same commit, seen by nobody); the verdict applies to the row as it is.
   */
  settledAtOnce: Set<string>;
}

/**
 * Poll the backend for the jobs in `inflight` and ask accounting for the ones that need a verdict. Returns null
 * when the queue could not be read: then nothing may be applied or submitted this cycle (timers do not advance
 * on silence either). Writes nothing: `applySeen` does, in the cycle's one transaction.
 */
export async function observeBackend(p: EngineParts, b: Backend, inflightRows: TaskRow[]): Promise<Seen | null> {
  const inflight = inflightRows.filter((t) => t.job_id !== null);
  const none: Seen = { poll: { jobs: new Map(), external: [] }, observed: [], candidates: [], verdicts: new Map(), generated: new Map(), settledAtOnce: new Set() };
  // A shared queue is polled even with nothing in flight, so the Jobs view shows the user's other jobs.
  if (inflight.length === 0 && !b.capabilities.sharedQueue) return none;
  let poll: PollResult;
  try {
    poll = await b.poll(inflight.map((t) => t.job_id as string));
    p.stateLog.ok(`poll of '${b.name}'`);
  } catch (err) {
    p.stateLog.failed(`poll of '${b.name}'`, (err as Error).message);
    return null;
  }
  const now = p.now();
  const observed: Array<[TaskRow, Transition]> = [];
  const candidates: TaskRow[] = [];
  for (const row of inflight) {
    const rt = toRuntime(row);
    const inQueue = poll.jobs.has(row.job_id as string);
    const t = observe(rt, poll.jobs.get(row.job_id as string), now);
    if (t) observed.push([row, t]);
    // Whether it needs a verdict once what the poll showed is applied.
    if (needsVerdict(t ? { ...rt, status: t.patch.status ?? t.to } : rt, inQueue)) candidates.push(row);
  }
  // Accounting only for the jobs that need a verdict, in one batch.
  let verdicts = new Map<string, Verdict>();
  if (candidates.length) {
    try {
      verdicts = await b.accounting(candidates.map((row) => ({ jobId: row.job_id as string, submittedAt: row.submitted_at ?? now })));
      p.stateLog.ok(`accounting on '${b.name}'`);
    } catch (err) {
      p.stateLog.failed(`accounting on '${b.name}'`, (err as Error).message);
      verdicts = new Map();
    }
  }
  const settledAtOnce = new Set<string>();
  const kept = observed.filter(([row, t]) => {
    if (t.to !== 'settling' || !verdicts.has(row.job_id as string)) return true;
    settledAtOnce.add(row.job_id as string);
    return false;
  });
  // Generators read their file before the verdict is committed, so a run never reads "completed" while its
  // generated tasks are still missing.
  const generated = new Map<string, Awaited<ReturnType<typeof generatedTasks>>>();
  for (const row of candidates) {
    const v = verdicts.get(row.job_id as string);
    const def = taskDef(row);
    if (v?.outcome === 'completed' && def.generates_source) {
      generated.set(taskKey(row.run_id, row.task_id), await generatedTasks(b, row, def, p.store.listTasks(row.run_id).map(taskDef)));
    }
  }
  return { poll, observed: kept, candidates, verdicts, generated, settledAtOnce };
}

/** Apply what a cycle saw: queue states, then verdicts, then each touched run settled once. Inside a transaction. */
export function applySeen(p: EngineParts, b: Backend, seen: Seen): void {
  const { poll, observed, candidates, verdicts, generated, settledAtOnce } = seen;
  if (b.capabilities.sharedQueue) {
    // Every poll reconciles the whole list: jobs that left the queue (pending or running) are marked gone.
    p.store.upsertExternalJobs(
      b.name,
      poll.external.map((j) => ({ job_id: j.jobId, name: j.name, user: j.user, state: j.state, reason: j.reason, partition: j.partition, submitted_at: j.submittedAt, started_at: j.startedAt })),
      p.now(),
    );
  }
  const at = p.now();
  for (const [row, t] of observed) p.uow.applyTransition(row, t, at);
  for (const row of candidates) {
    // The row as it is now: a cancel or a rerun may have committed while accounting was asked.
    const cur = p.store.getTask(row.run_id, row.task_id);
    const run = cur && cur.attempt === row.attempt ? p.store.getRun(row.run_id) : undefined;
    if (!cur || !run) continue;
    const rt = toRuntime(cur);
    // A job whose settling step was folded into its verdict is still where the poll left it: queued, running, or
    // submitted when it finished between two polls (never seen waiting or running, yet still listed as finished).
    const leftQueue = settledAtOnce.has(row.job_id as string) && (cur.status === 'submitted' || cur.status === 'queued' || cur.status === 'running');
    // A cancel or a rerun that committed while the backend was asked has the last word on this row.
    if (cur.job_id !== row.job_id || !needsVerdict(leftQueue ? { ...rt, status: 'settling' } : rt, poll.jobs.has(row.job_id as string))) continue;
    const v = verdicts.get(row.job_id as string);
    const t: Transition | null = v ? applyVerdict(rt, v, at) : expireTimers(rt, poll.jobs.has(row.job_id as string), at, p.o.timers);
    if (!t) continue;
    // Cloud instance usage (type, vCPUs, spot, real start/stop) is what the run is billed on: kept per attempt.
    if (v?.usage) p.store.updateAttempt(row.run_id, row.task_id, row.attempt, { usage_json: JSON.stringify(v.usage) });
    // Slurm's AllocTRES (incl. `billing=`) is what allocation units are charged on.
    if (v?.allocTres) p.store.updateAttempt(row.run_id, row.task_id, row.attempt, { alloc_tres: v.allocTres });
    // Retry announcements, generated tasks and their limit are decide()'s; the run is settled below, once per run.
    const loaded = partialRunSnapshot(run, [cur], p.active.get(row.run_id).size);
    const gen = generated.get(taskKey(row.run_id, row.task_id));
    const input: DecideInput = { kind: 'verdict', transition: t, maxTasks: p.maxTasks, tooMany: (n) => tooManyTasks(n, p.maxTasks).message, cancelledByUser: p.userCancels.has(row.run_id, row.task_id), ...(gen ? { generated: gen } : {}) };
    p.uow.applyDecision(row.run_id, loaded.rows, decide(loaded.snapshot, input, at), at);
  }
  for (const runId of new Set([...candidates.map((c) => c.run_id), ...observed.map(([r]) => r.run_id)])) p.uow.settleRun(runId, at);
}

/** After the verdicts are committed: a newly crossed monthly budget threshold is announced once. */
export function afterSeen(p: EngineParts, b: Backend, seen: Seen): void {
  const costed = seen.candidates.filter((row) => seen.verdicts.has(row.job_id as string));
  if (costed.length && p.o.cost?.backends[b.name]?.monthly_budget) {
    try {
      for (const n of p.budget.check(p.store.db, p.o.cost, b.name, (costed.at(-1) as TaskRow).run_id, p.now())) p.uow.emit('notification', n);
    } catch (err) {
      p.stateLog.failed(`budget check on '${b.name}'`, (err as Error).message);
    }
  }
}
