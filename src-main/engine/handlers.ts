// The contract's calls, mapped onto actions and queries. The only place that builds snake_case API views.
import fs from 'node:fs';
import { ApiError } from '../../src-shared/api/contract';
import type { Health, LogChunk, RunDetail } from '../../src-shared/api/schemas';
import { isTerminalRun, isTerminalTask } from '../../src-shared/model/status';
import { noLogMessage } from '../../src-shared/model/no-log';
import type { WorkflowDocument } from '../../src-shared/workflow/types';
import type { Backend } from '../backends/types';
import { dataDirSpace } from '../platform/disk-space';
import { cancelRun, createRun, deleteRun, requireRun, requireTask, rerun, type Acted } from './actions';
import type { Handlers } from './dispatch';
import type { EngineParts } from './parts';
import { validateWorkflowInput } from './run-factory';
import { sourceHandlers } from '../sources/handlers';
import { buildDryRun } from '../sources/dry-run';
import { stackHandlers } from '../stacks/handlers';
import { outputHandlers } from '../outputs/handlers';
import { outputVarValues, TASK_SUMMARY_FILE } from '../outputs/output-path';
import { runCost } from '../usage/run-cost';
import { usageRightSizing, usageSummary } from '../usage/usage-call';
import { pricingRefresh } from '../pricing/refresh-call';
import { taskDef, toAttemptView } from './views';
import { activeRunsWithWarnings } from '../store/queries/run-warnings';
import { runsGet, runsList, type LiveCounts } from './read-calls';
import { GRAPH_TASK_LIMIT, groupSegments, runGraph } from '../../src-shared/model/run-graph';
import { filteredTaskIds, groupGraphFromStore, runTaskCount, runTaskEdges } from '../store/queries/run-graph';
import { timelineGroupPage, timelineGroups } from '../store/queries/run-timeline';

type TaskEnvVars = Array<{ name: string; value: string; ops: Array<{ source: string; op: 'seed' | 'set' | 'append'; contribution: string }> }>;

export function backendInfo(p: EngineParts, b: Backend) {
  const s = b.status();
  return {
    name: b.name,
    type: b.kind,
    connected: s.state === 'ready' || s.state === 'connected',
    state: s.state,
    detail: s.detail,
    max_concurrent: b.maxConcurrent,
    in_flight: p.store.inFlightTasks(b.name).length,
    retry_at: s.retryAt,
  };
}

/** The validated document a `runs.createFromWorkflow` / `runs.dryRun` input names, with its warnings and run name. */
function workflowOf(p: EngineParts, input: { document?: unknown; text?: string; demo?: boolean; workflow_name?: string }): { doc: WorkflowDocument; warnings: string[]; name: string } {
  if (input.demo) {
    if (!p.o.demoWorkflowPath) throw new ApiError('not_found', 'The demo workflow is not bundled with this build.');
    const { doc, warnings } = validateWorkflowInput({ text: fs.readFileSync(p.o.demoWorkflowPath, 'utf8') }, p.maxTasks);
    return { doc, warnings, name: input.workflow_name ?? 'demo' };
  }
  if (input.document === undefined && input.text === undefined) throw new ApiError('bad_input', 'Give the workflow as `document` (JSON value) or `text` (JSON text).');
  const { doc, warnings } = validateWorkflowInput(input, p.maxTasks);
  return { doc, warnings, name: input.workflow_name ?? doc.title ?? 'workflow' };
}

function requireBackend(p: EngineParts, name: string | undefined): Backend {
  if (!name) {
    if (p.backends.size === 1) return [...p.backends.values()][0] as Backend;
    throw new ApiError('bad_input', `Choose a backend with --backend; configured: ${[...p.backends.keys()].join(', ') || '(none)'}.`);
  }
  const b = p.backends.get(name);
  if (!b) throw new ApiError('not_found', `No backend named '${name}'. Configured backends: ${[...p.backends.keys()].join(', ') || '(none)'}.`);
  return b;
}

function health(p: EngineParts): Health {
  const backends = [...p.backends.values()].map((b) => {
    const s = b.status().state;
    return { name: b.name, type: b.kind, connected: s === 'ready' || s === 'connected' };
  });
  const space = dataDirSpace(p.o.dataDir);
  return {
    status: p.o.config.error || space.warning || backends.some((b) => !b.connected) ? 'degraded' : 'ok',
    version: p.o.version,
    pid: process.pid,
    data_dir: p.o.dataDir,
    config_file: p.o.config.file,
    config_loaded: !p.o.config.error,
    config_error: p.o.config.error,
    starting: null,
    backends,
    demo_available: !!p.o.demoWorkflowPath && fs.existsSync(p.o.demoWorkflowPath),
    config_warnings: p.o.config.warnings ?? [],
    data_dir_free_bytes: space.free_bytes,
    disk_warning: space.warning,
    budget_alerts: p.budget.current(p.now()),
    price_date: p.o.cost?.snapshot?.date ?? null,
    active_runs_with_warnings: activeRunsWithWarnings(p.store.db),
  };
}

async function readLog(p: EngineParts, input: { run_id: string; task_id: string; type: 'output' | 'error'; tail?: number; offset?: number; attempt?: number }): Promise<LogChunk> {
  const run = requireRun(p, input.run_id);
  const row = requireTask(p, run.id, input.task_id);
  const attemptNo = input.attempt ?? row.attempt;
  const attempt = p.store.getAttempt(run.id, row.task_id, attemptNo);
  if (!attempt) throw new ApiError('bad_input', noLogMessage({ id: row.task_id, status: row.status, attempt: row.attempt, error: row.error }, attemptNo));
  const file = input.type === 'error' ? attempt.log_error : attempt.log_output;
  const b = p.backends.get(attempt.backend_name);
  if (!b) throw new ApiError('unavailable', `Backend '${attempt.backend_name}' is not configured any more; its logs cannot be read.`);
  const complete = attemptNo < row.attempt || isTerminalTask(row.status);
  const res = await b.readLog(file ?? '', { tail: input.tail, offset: input.offset });
  return { run_id: run.id, task_id: row.task_id, attempt: attemptNo, type: input.type, content: res.content, offset: res.offset, next_offset: res.nextOffset, complete, missing: res.missing };
}

function taskEnv(p: EngineParts, runId: string, taskId: string, attemptNo: number | undefined) {
  const run = requireRun(p, runId);
  const row = requireTask(p, runId, taskId);
  const n = attemptNo ?? row.attempt;
  const attempt = p.store.getAttempt(runId, taskId, n);
  const b = p.backends.get(run.backend_name);
  if (attempt?.env_json) {
    const env = JSON.parse(attempt.env_json) as { vars: TaskEnvVars; init: string; warnings: string[] };
    return { run_id: runId, task_id: taskId, attempt: n, resolved: true, vars: withOutputVars(env.vars, b?.outputDir(runId, taskId) ?? null), init: env.init, warnings: env.warnings };
  }
  if (!b) throw new ApiError('unavailable', `Backend '${run.backend_name}' is not configured; the environment cannot be previewed.`);
  const env = p.o.env.resolve({ run, def: taskDef(row), backend: b, attempt: n });
  return { run_id: runId, task_id: taskId, attempt: n, resolved: false, vars: withOutputVars(env.vars, b.outputDir(runId, taskId)), init: env.init, warnings: [...env.warnings, ...env.errors] };
}

/**
 * The outputs variables are written into the script by the backend (script-body.ts), after the resolved env, so
 * the resolver never sees them; the env view lists them too, so "where did this variable come from" has an answer.
 */
export function withOutputVars(vars: TaskEnvVars, outputDir: string | null): TaskEnvVars {
  if (!outputDir) return vars;
  const have = new Set(vars.map((v) => v.name));
  const extra = outputVarValues(outputDir).filter((v) => !have.has(v.name));
  return [...vars, ...extra.map(({ name, value }) => ({ name, value, ops: [{ source: 'outputs', op: 'seed' as const, contribution: value }] }))];
}

/** The counts kept in memory for the runs the engine is executing. */
export function liveCountsOf(p: EngineParts): LiveCounts {
  return (id) => p.active.peek(id)?.statusCounts() ?? null;
}

export function makeHandlers(p: EngineParts, wake: (backend: string) => void): Omit<Handlers, 'config.get' | 'config.save'> {
  const live = liveCountsOf(p);
  const woken = <T>(a: Acted<T>): T => {
    if (a.wake) wake(a.wake);
    return a.result;
  };
  return {
    health: () => health(p),
    'backends.list': () => ({ backends: [...p.backends.values()].map((b) => backendInfo(p, b)) }),
    'backends.status': ({ name }) => backendInfo(p, requireBackend(p, name)),
    'runs.list': (input) => runsList(p.store.db, input, live),
    'runs.get': (input): RunDetail => runsGet(p.store.db, input, live),
    'runs.createFromWorkflow': (input) => {
      const b = requireBackend(p, input.backend);
      const s = b.status();
      if (s.state === 'error' || s.state === 'disabled') throw new ApiError('unavailable', `Backend '${b.name}' is not available: ${s.detail ?? s.state}.`);
      const { doc, warnings, name } = workflowOf(p, input);
      return { ...woken(createRun(p, doc, b, name, input.max_concurrent ?? null, undefined, warnings)), warnings };
    },
    // The same validation and script building as a real start, for a run id of `preview`; nothing is stored.
    'runs.dryRun': async (input) => {
      const b = requireBackend(p, input.backend);
      const { doc, warnings, name } = workflowOf(p, input);
      const unresolved = (await b.learnScriptPaths?.()) ?? null;
      return buildDryRun({ doc, workflowName: name, backend: b, env: p.o.env, now: p.now(), source: null, warnings, unresolved });
    },
    'runs.cancel': async ({ id, task }) => {
      const run = requireRun(p, id);
      if (isTerminalRun(run.status)) {
        // History is not rewritten: a finished run keeps its outcome and stores no cancel request.
        if (task) requireTask(p, id, task);
        return { run_id: id, cancelled: false, message: `Run '${id}' already finished (${run.status}); nothing to cancel.` };
      }
      const { cancelled, errors } = woken(await cancelRun(p, run, task));
      if (errors.length) throw new ApiError('unavailable', `Some jobs could not be cancelled:\n${errors.join('\n')}`);
      if (!cancelled && task) {
        const row = requireTask(p, id, task);
        return { run_id: id, cancelled, message: `Task '${task}' is ${row.status}; nothing to cancel.` };
      }
      return { run_id: id, cancelled };
    },
    'runs.rerun': ({ id, failed_only }) => woken(rerun(p, requireRun(p, id), !!failed_only)),
    'runs.delete': ({ id }) => deleteRun(p, id),
    'tasks.attempts': ({ run_id, task_id }) => {
      requireTask(p, run_id, task_id);
      return { attempts: p.store.listAttempts(run_id, task_id).map(toAttemptView) };
    },
    'tasks.log': (input) => readLog(p, input),
    'tasks.env': ({ run_id, task_id, attempt }) => taskEnv(p, run_id, task_id, attempt),
    'tasks.summary': async ({ run_id, task_id }) => {
      const run = requireRun(p, run_id);
      const row = requireTask(p, run_id, task_id);
      // A finished task's summary was copied into the data folder: it still shows after the cluster purged it.
      const kept = isTerminalTask(row.status) ? await p.outputs.keptTaskSummary(run_id, task_id) : null;
      if (kept !== null) return { run_id, task_id, markdown: kept };
      const b = p.backends.get(run.backend_name);
      const dir = b?.outputDir(run_id, task_id);
      if (!b || !dir) return { run_id, task_id, markdown: null };
      const markdown = await b.readFile(`${dir}/${TASK_SUMMARY_FILE}`).catch(() => null);
      return { run_id, task_id, markdown };
    },
    'tasks.transitions': ({ run_id, task_id }) => {
      requireRun(p, run_id);
      return { transitions: p.store.listTransitions(run_id, task_id) };
    },
    'backends.info': async ({ name }) => {
      const b = requireBackend(p, name);
      if (!b.clusterInfo) throw new ApiError('bad_input', `Backend '${b.name}' (${b.kind}) has no cluster information to show.`);
      const info = await b.clusterInfo();
      return {
        backend: b.name,
        partitions: info.partitions.map((x) => ({ name: x.name, is_default: x.isDefault, available: x.available, cpus_allocated: x.cpusAllocated, cpus_idle: x.cpusIdle, cpus_other: x.cpusOther, cpus_total: x.cpusTotal, nodes: x.nodes, mem_per_node_mb: x.memPerNodeMb, time_limit: x.timeLimit, gpus_total: x.gpusTotal })),
        pending_reasons: info.pendingReasons,
      };
    },
    'backends.commands': ({ name, limit }) => {
      const b = requireBackend(p, name);
      const commands = p.store.listCommands(b.name, limit ?? 200).map((c) => ({ at: c.at, kind: c.kind, command: c.command, exit_code: c.exit_code, duration_ms: c.duration_ms, stdout: c.stdout, stderr: c.stderr, error: c.error }));
      return { backend: b.name, counts: p.o.commandCounts?.(b.name) ?? {}, commands };
    },
    'jobs.external': ({ backend, include_gone }) => ({
      jobs: p.store
        .listExternalJobs(backend)
        .filter((j) => include_gone || !j.gone_at)
        .filter((j) => !p.o.filterUser || j.user === p.o.filterUser)
        .map((j) => ({ backend: j.backend_name, job_id: j.job_id, name: j.name, user: j.user, state: j.state, reason: j.reason, partition: j.partition, submitted_at: j.submitted_at, started_at: j.started_at, first_seen: j.first_seen, last_seen: j.last_seen, gone_at: j.gone_at })),
    }),
    'prompts.respond': ({ id, answers, remember }) => {
      const accepted = p.o.prompts.respond(id, answers, remember ?? false);
      if (!accepted) throw new ApiError('not_found', `No open prompt '${id}' (already answered or expired).`);
      return { id, accepted };
    },
    'prompts.list': () => ({ prompts: p.o.prompts.list() }),
    // Sources: list/view/sync/run/dry-run (logic in src-main/sources/handlers.ts).
    ...sourceHandlers({
      manager: p.o.sources?.manager ?? null,
      cloneDirOf: (name) => p.o.sources?.cloneDirOf(name) ?? null,
      requireBackend: (name) => requireBackend(p, name),
      env: p.o.env,
      now: p.now,
      maxTasks: p.maxTasks,
      createRun: (doc, b, name, max, source, warnings) => woken(createRun(p, doc, b, name, max, source, warnings)),
    }),
    // Stacks: list/check/install/delete (logic in src-main/stacks/handlers.ts).
    ...stackHandlers({
      db: p.store.db,
      stacks: p.o.stacks ?? [],
      sources: p.o.sources?.manager ?? null,
      backends: p.backends,
      now: p.now,
      runStatus: (id) => p.store.getRun(id)?.status ?? null,
      runFinishedAt: (id) => p.store.getRun(id)?.finished_at ?? null,
      createRun: (doc, b, name) => woken(createRun(p, doc, b, name, null)),
    }),
    // Cost and usage (logic in src-main/usage).
    'runs.cost': ({ id, tasks }) => runCost(p.store.db, p.o.cost ?? { backends: {}, pricing: null, snapshot: null, snapshotError: null }, id, requireRun(p, id).backend_name, p.now(), { tasks: tasks ?? true }),
    'usage.summary': (input) => usageSummary(p.store.db, p.o.cost, input, p.now()),
    'usage.rightsizing': (input) => usageRightSizing(p.store.db, input, p.now(), { backfill: (name) => p.backends.get(name)?.capabilities.backfill ?? false }),
    'pricing.refresh': (input) => pricingRefresh(p.o.dataDir, p.o.cost, input, p.now()),
    'tasks.script': ({ run_id, task_id, attempt }) => {
      const row = requireTask(p, run_id, task_id);
      const n = attempt ?? row.attempt;
      const a = p.store.getAttempt(run_id, task_id, n);
      return { run_id, task_id, attempt: n, script: a?.script ?? null };
    },
    // Task outputs (logic in src-main/outputs).
    ...outputHandlers(p.outputs, (r, t) => void requireTask(p, r, t), (r) => void requireRun(p, r)),
    // The DAG view (src-shared/model/run-graph.ts shapes it).
    'runs.graph': ({ id, level, max_tasks, expand, offset, limit }) => {
      requireRun(p, id);
      const max = max_tasks ?? GRAPH_TASK_LIMIT;
      // Big runs (and any group-level ask) are counted in SQL; only small runs read every dependency.
      const byGroup = level === 'group' || expand !== undefined || (level !== 'task' && runTaskCount(p.store.db, id) > max);
      if (byGroup) return groupGraphFromStore(p.store.db, id, { maxNodes: max, expand, offset, limit });
      return runGraph(id, runTaskEdges(p.store.db, id), 'task', max);
    },
    'runs.groups': ({ id, status, q }) => {
      requireRun(p, id);
      const ids = filteredTaskIds(p.store.db, id, { status, q });
      return { run_id: id, matched: ids.length, segments: groupSegments(ids) };
    },
    'runs.timeline': ({ id, group, offset, limit }) => {
      requireRun(p, id);
      const task_count = runTaskCount(p.store.db, id);
      if (group === undefined) return { run_id: id, task_count, groups: timelineGroups(p.store.db, id) };
      const g = group === '' ? null : group;
      return { run_id: id, task_count, page: { group: g, offset: offset ?? 0, ...timelineGroupPage(p.store.db, id, g, offset, limit) } };
    },
  };
}
