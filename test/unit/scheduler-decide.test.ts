// decide() as a table: each row is a run snapshot plus what happened, and the decision expected.
import { describe, expect, it } from 'vitest';
import { decide, type DecideInput, type Decision, type Snapshot, type TaskSnapshot } from '../../src-main/scheduler/decide';
import type { TaskDefinition } from '../../src-shared/workflow/types';
import type { TaskStatus } from '../../src-shared/model/status';

const NOW = '2026-01-01T00:00:00.000Z';

function task(id: string, status: TaskStatus, over: Partial<TaskSnapshot> = {}): TaskSnapshot {
  return { id, deps: [], status, jobId: null, attempt: 1, retriesLeft: 0, submittedAt: null, startedAt: null, finishedAt: null, settlingSince: null, exitCode: null, error: null, pendingReason: null, schedulerState: null, generatedBy: null, retries: 0, ...over };
}

function snap(tasks: TaskSnapshot[], run: Partial<Snapshot['run']> = {}, taskCount = tasks.length): Snapshot {
  return { run: { id: 'r1', workflowName: 'wf', status: 'running', attempt: 1, cancelRequested: false, haltedReason: null, env: { env: [], env_groups: {} }, ...run }, tasks, taskCount };
}

const completed = (id: string): DecideInput => ({ kind: 'verdict', transition: { taskId: id, from: 'settling', to: 'completed', reason: 'exit 0', patch: { status: 'completed', exitCode: 0, finishedAt: NOW } }, maxTasks: 10, tooMany: (n) => `${n} > 10` });
const failedV = (id: string): DecideInput => ({ kind: 'verdict', transition: { taskId: id, from: 'settling', to: 'failed', reason: 'exit 3', patch: { status: 'failed', exitCode: 3, error: 'Exit code 3', finishedAt: NOW } }, maxTasks: 10, tooMany: (n) => `${n} > 10` });
const def = (id: string): TaskDefinition => ({ id, name: id, command: 'true', deps: [], retries: 0 }) as unknown as TaskDefinition;

/** The parts of a decision a row states; anything not named must be empty/absent. */
type Expect = {
  transitions?: Array<[string, TaskStatus, TaskStatus, boolean?]>; // task, from, to, notify (default true)
  runPatch?: Decision['runPatch'];
  notifications?: Array<[string, string]>; // kind, title or body fragment
  submissions?: string[];
  newTasks?: Array<[string, string]>;
  droppedTasks?: string[];
  jobsToCancel?: string[];
  /** Warnings kept with the run: generator, messages. */
  warnings?: Array<[string, string[]]>;
  /** Reasons of the transitions, in order, when the row states them. */
  reasons?: string[];
};

const rows: Array<[string, Snapshot, DecideInput, Expect]> = [
  [
    'a completed task makes its dependent ready; the run is not finished',
    snap([task('a', 'settling'), task('b', 'pending', { deps: ['a'] })]),
    completed('a'),
    { transitions: [['a', 'settling', 'completed']], submissions: ['b'] },
  ],
  [
    'the last completion finishes the run and announces it after the transition',
    snap([task('a', 'completed'), task('b', 'settling', { deps: ['a'] })]),
    completed('b'),
    { transitions: [['b', 'settling', 'completed']], runPatch: { status: 'completed', finishedAt: NOW }, notifications: [['run_done', 'Run completed: wf']] },
  ],
  [
    'a failure that will be retried is not announced; the retry is a new attempt',
    snap([task('a', 'settling', { retriesLeft: 2 })]),
    failedV('a'),
    { transitions: [['a', 'settling', 'failed', false], ['a', 'failed', 'pending']], submissions: ['a'] },
  ],
  [
    'the final failure is announced, cascades to dependents (not announced) and finishes the run',
    snap([task('a', 'settling'), task('b', 'pending', { deps: ['a'] }), task('c', 'pending', { deps: ['b'] })]),
    failedV('a'),
    {
      transitions: [['a', 'settling', 'failed'], ['b', 'pending', 'dep_failed', false], ['c', 'pending', 'dep_failed', false]],
      runPatch: { status: 'failed', finishedAt: NOW },
      notifications: [['task_failed', 'Task failed: a'], ['run_done', '0 done · 3 failed']],
    },
  ],
  [
    'a verdict for a task a cancel already finished changes nothing',
    snap([task('a', 'cancelled')]),
    completed('a'),
    {},
  ],
  [
    'a generator adds its tasks and merges its env into the run; the run is not settled before they exist',
    snap([task('g', 'settling')], { env: { env: [{ name: 'A', value: '1' } as never], env_groups: { x: [] } } }),
    { ...(completed('g') as Extract<DecideInput, { kind: 'verdict' }>), generated: { ok: true, tasks: [def('n1'), def('n2')], env: [{ name: 'B', value: '2' } as never], envGroups: { y: [] } } },
    {
      transitions: [['g', 'settling', 'completed']],
      newTasks: [['n1', 'g'], ['n2', 'g']],
      runPatch: { env: { env: [{ name: 'A', value: '1' } as never, { name: 'B', value: '2' } as never], env_groups: { x: [], y: [] } } },
    },
  ],
  [
    'a generator whose file draws warnings still adds its tasks and tells the user, once, on the generator',
    snap([task('g', 'settling')]),
    { ...(completed('g') as Extract<DecideInput, { kind: 'verdict' }>), generated: { ok: true, tasks: [def('n1')], env: [], envGroups: {}, warnings: ["t.json: top level: unknown key 'titel' was ignored (generated by 'g')"] } },
    {
      transitions: [['g', 'settling', 'completed']],
      newTasks: [['n1', 'g']],
      notifications: [['workflow_warning', "Workflow warning: g wf: t.json: top level: unknown key 'titel' was ignored (generated by 'g')"]],
      warnings: [['g', ["t.json: top level: unknown key 'titel' was ignored (generated by 'g')"]]],
    },
  ],
  [
    'a generator whose file is bad fails with the reason',
    snap([task('g', 'settling')]),
    { ...(completed('g') as Extract<DecideInput, { kind: 'verdict' }>), generated: { ok: false, error: 'Generated tasks invalid: dup id' } },
    { transitions: [['g', 'settling', 'failed']], runPatch: { status: 'failed', finishedAt: NOW }, notifications: [['task_failed', 'wf: Generated tasks invalid: dup id'], ['run_done', 'Run finished with failures: wf']] },
  ],
  [
    'generated tasks over the run limit fail the generator',
    snap([task('g', 'settling')], {}, 9),
    { ...(completed('g') as Extract<DecideInput, { kind: 'verdict' }>), generated: { ok: true, tasks: [def('n1'), def('n2')], env: [], envGroups: {} } },
    { transitions: [['g', 'settling', 'failed']], notifications: [['task_failed', 'Generated tasks rejected: 11 > 10']] },
  ],
  [
    'a refused submission halts the run: its pending tasks fail with "Submission halted"',
    snap([task('a', 'submitted'), task('b', 'pending'), task('c', 'completed'), task('d', 'running')]),
    { kind: 'submission_refused', taskId: 'a', message: 'sbatch: invalid partition' },
    {
      transitions: [['a', 'submitted', 'failed'], ['b', 'pending', 'failed']],
      runPatch: { haltedReason: 'sbatch: invalid partition' },
      notifications: [['task_failed', 'Submission failed: sbatch: invalid partition'], ['task_failed', 'Submission halted: sbatch: invalid partition']],
    },
  ],
  [
    'cancel: pending tasks first, then the jobs in flight (a settling job has finished: its verdict decides)',
    snap([task('a', 'running'), task('b', 'pending', { deps: ['a'] }), task('c', 'pending'), task('d', 'settling'), task('e', 'completed')]),
    { kind: 'cancel' },
    { transitions: [['b', 'pending', 'cancelled'], ['c', 'pending', 'cancelled']], runPatch: { cancelRequested: true }, jobsToCancel: ['a'] },
  ],
  [
    'cancel of a run with nothing in flight finishes it as cancelled',
    snap([task('a', 'completed'), task('b', 'pending')]),
    { kind: 'cancel' },
    { transitions: [['b', 'pending', 'cancelled']], runPatch: { cancelRequested: true, status: 'cancelled', finishedAt: NOW }, notifications: [['run_done', 'Run cancelled: wf']] },
  ],
  [
    'a verdict on a one-task snapshot of a bigger run leaves settling the run to the caller (no cascade, no status)',
    snap([task('a', 'settling')], {}, 5),
    failedV('a'),
    { transitions: [['a', 'settling', 'failed']], notifications: [['task_failed', 'Task failed: a']] },
  ],
  [
    'cancel lists every job in flight in workflow order, a submission still waiting for its job id too',
    snap([task('q', 'queued', { jobId: '7' }), task('p', 'pending'), task('s', 'submitted'), task('r', 'running', { jobId: '9' })]),
    { kind: 'cancel' },
    { transitions: [['p', 'pending', 'cancelled']], runPatch: { cancelRequested: true }, jobsToCancel: ['q', 's', 'r'] },
  ],
  [
    'cancel on a snapshot of the jobs in flight only (how the engine asks) lists them and settles nothing',
    snap([task('r', 'running', { jobId: '9' }), task('s', 'settling', { jobId: '8' })], {}, 6),
    { kind: 'cancel' },
    { runPatch: { cancelRequested: true }, jobsToCancel: ['r'], submissions: [] },
  ],
  [
    'cancel of a run already being cancelled cancels nothing twice',
    snap([task('a', 'cancelled'), task('b', 'settling')], { cancelRequested: true }),
    { kind: 'cancel' },
    { runPatch: { cancelRequested: true } },
  ],
  [
    'settle: a failed task\'s dependents become dep_failed in dependency order, each after what it depends on',
    snap([task('a', 'failed'), task('e', 'pending', { deps: ['c', 'd'] }), task('b', 'pending', { deps: ['a'] }), task('c', 'pending', { deps: ['b'] }), task('d', 'pending', { deps: ['a'] })]),
    { kind: 'settle' },
    {
      transitions: [['b', 'pending', 'dep_failed', false], ['d', 'pending', 'dep_failed', false], ['c', 'pending', 'dep_failed', false], ['e', 'pending', 'dep_failed', false]],
      reasons: ["Dependency 'a' failed", "Dependency 'a' failed", "Dependency 'b' failed", "Dependency 'd' failed"],
      runPatch: { status: 'failed', finishedAt: NOW },
      notifications: [['run_done', '0 done · 5 failed']],
    },
  ],
  [
    'settle: dependents of a cancelled task say so; a task already finished is left as it is',
    snap([task('a', 'cancelled'), task('b', 'pending', { deps: ['a'] }), task('c', 'completed', { deps: ['a'] }), task('d', 'running')], { cancelRequested: true }),
    { kind: 'settle' },
    { transitions: [['b', 'pending', 'dep_failed', false]], reasons: ["Dependency 'a' was cancelled"] },
  ],
  [
    'settle: a run with work in flight and nothing new changes nothing and submits what is ready',
    snap([task('a', 'running'), task('b', 'completed'), task('c', 'pending', { deps: ['b'] }), task('d', 'pending', { deps: ['a'] })]),
    { kind: 'settle' },
    { submissions: ['c'] },
  ],
  [
    'settle: the last task done finishes the run once; a finished run is not announced again',
    snap([task('a', 'completed'), task('b', 'completed')], { status: 'completed' }),
    { kind: 'settle' },
    {},
  ],
  [
    'settle: a pending run whose first task started reads running (no announcement)',
    snap([task('a', 'submitted'), task('b', 'pending', { deps: ['a'] })], { status: 'pending' }),
    { kind: 'settle' },
    { runPatch: { status: 'running', finishedAt: null }, submissions: [] },
  ],
  [
    'rerun of failed tasks drops what their generator made and resets the rest of the selection',
    snap([task('g', 'failed', { retries: 1 }), task('n1', 'completed', { generatedBy: 'g' }), task('x', 'completed'), task('y', 'dep_failed', { deps: ['g'] })], { status: 'failed' }),
    { kind: 'rerun', failedOnly: true },
    {
      droppedTasks: ['n1'],
      transitions: [['g', 'failed', 'pending'], ['y', 'dep_failed', 'pending']],
      runPatch: { status: 'running', finishedAt: null, attempt: 2, cancelRequested: false, haltedReason: null },
      notifications: [['run_scheduled', '2 tasks queued again']],
      submissions: ['g'],
    },
  ],
  [
    'rerun of a run still going changes nothing',
    snap([task('a', 'running')]),
    { kind: 'rerun', failedOnly: false },
    {},
  ],
];

describe('decide', () => {
  it.each(rows)('%s', (_name, snapshot, input, want) => {
    const got = decide(snapshot, input, NOW);
    expect(got.transitions.map((t) => [t.taskId, t.from, t.to, t.notify])).toEqual((want.transitions ?? []).map(([id, from, to, n]) => [id, from, to, n ?? true]));
    expect(got.runPatch).toEqual(want.runPatch ?? {});
    expect(got.notifications.length).toBe((want.notifications ?? []).length);
    (want.notifications ?? []).forEach(([kind, text], i) => {
      const n = got.notifications[i];
      expect(n?.kind).toBe(kind);
      expect(`${n?.title} ${n?.body}`).toContain(text);
    });
    if (want.submissions) expect(got.submissions).toEqual(want.submissions);
    expect(got.newTasks.map((t) => [t.def.id, t.generatedBy])).toEqual(want.newTasks ?? []);
    expect(got.droppedTasks).toEqual(want.droppedTasks ?? []);
    expect(got.jobsToCancel).toEqual(want.jobsToCancel ?? []);
    expect(got.warnings.map((w) => [w.generatedBy, w.messages])).toEqual(want.warnings ?? []);
    if (want.reasons) expect(got.transitions.map((t) => t.reason)).toEqual(want.reasons);
  });

  describe('a job seen dead of a cancel before the cancel committed', () => {
    const killed = (over: { cancelledByUser?: boolean } = {}): DecideInput => ({
      kind: 'verdict',
      transition: { taskId: 'a', from: 'running', to: 'cancelled', reason: 'Cancelled', patch: { status: 'cancelled', exitCode: 143, error: 'Cancelled', finishedAt: NOW } },
      maxTasks: 10,
      tooMany: (n) => `${n} > 10`,
      ...over,
    });
    const outcome = (d: Decision) => d.transitions.map((t) => [t.to, t.reason, t.patch.error, t.patch.exitCode]);

    it('reads "Cancelled by user" when the run is being cancelled, exit code as observed', () => {
      expect(outcome(decide(snap([task('a', 'running')], { cancelRequested: true }), killed(), NOW))).toEqual([['cancelled', 'Cancelled by user', 'Cancelled by user', 143]]);
    });
    it('reads "Cancelled by user" when the user is cancelling that task', () => {
      expect(outcome(decide(snap([task('a', 'running'), task('b', 'running')]), killed({ cancelledByUser: true }), NOW))).toEqual([['cancelled', 'Cancelled by user', 'Cancelled by user', 143]]);
    });
    it('a job cancelled by someone else keeps the backend\'s word', () => {
      expect(outcome(decide(snap([task('a', 'running'), task('b', 'running')]), killed(), NOW))).toEqual([['cancelled', 'Cancelled', 'Cancelled', 143]]);
    });
  });

  it('does not change the snapshot it was given', () => {
    const s = snap([task('a', 'settling'), task('b', 'pending', { deps: ['a'] })]);
    const copy = structuredClone(s);
    decide(s, failedV('a'), NOW);
    expect(s).toEqual(copy);
  });
});
