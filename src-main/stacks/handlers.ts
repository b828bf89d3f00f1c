// The stacks calls of the contract: list (store only), check and delete (one backend command each, through the
// backend's runScript), install (a one-task run, so it is queued, visible, cancellable and keeps its log).
import { ApiError } from '../../src-shared/api/contract';
import type { RunSummary } from '../../src-shared/api/schemas';
import type { StackInfo, StackStatus } from '../../src-shared/api/stack-schemas';
import { isTerminalRun, type RunStatus } from '../../src-shared/model/status';
import type { TaskDefinition, WorkflowDocument } from '../../src-shared/workflow/types';
import type { Backend } from '../backends/types';
import type { Handlers } from '../engine/dispatch';
import type { Db } from '../store/db';
import { listStacks, pickBackend, requireStack, stackBackends, type CatalogDeps, type StackEntry } from './catalog';
import { checkScript, deleteScript, installCommand, parseCheck, stackNameProblem } from './scripts';
import { getStackState, listStackStates, saveCheck, saveInstallRun } from './state-store';

export interface StackHandlerDeps extends CatalogDeps {
  db: Db;
  backends: Map<string, Backend>;
  now(): string;
  runStatus(id: string): RunStatus | null;
  /** When a run finished (null while it runs or when it is gone). */
  runFinishedAt(id: string): string | null;
  createRun(doc: WorkflowDocument, b: Backend, workflowName: string): RunSummary;
}

type StackCalls = 'stacks.list' | 'stacks.check' | 'stacks.install' | 'stacks.delete';

const CHECK_TIMEOUT_MS = 60_000;
const DELETE_TIMEOUT_MS = 600_000;

function activeInstall(d: StackHandlerDeps, s: StackEntry, backend: string): string | null {
  const row = getStackState(d.db, s.config.name, backend, s.source ?? '');
  if (!row?.install_run_id) return null;
  const status = d.runStatus(row.install_run_id);
  return status && !isTerminalRun(status) ? row.install_run_id : null;
}

export function installTask(s: StackEntry, rebuild: boolean): TaskDefinition {
  return {
    id: `install-${s.hash.slice(0, 8)}`,
    name: `stack/${s.config.name}`,
    command: installCommand({ name: s.config.name, dir: s.dir, prep: s.config.prep, rebuild }),
    working_dir: '~',
    partition: s.config.partition,
    cpus: s.config.cpus,
    memory: s.config.memory,
    time_limit: s.config.time_limit,
    deps: [],
    gres: null,
    image: null,
    env: [],
    generates_source: null,
    output_file: null,
    error_file: null,
    retries: 0,
  };
}

export function stackHandlers(d: StackHandlerDeps): Pick<Handlers, StackCalls> {
  const check = async (s: StackEntry, b: Backend): Promise<StackStatus> => {
    const res = await b.runScript!(checkScript(s.dir), { timeoutMs: CHECK_TIMEOUT_MS });
    const c = parseCheck(res);
    saveCheck(d.db, { stack_name: s.config.name, backend_name: b.name, source_name: s.source ?? '', hash: s.hash, state: c.state, path: s.dir, last_built: c.lastBuilt, size_bytes: c.sizeBytes, error: c.error, checked_at: d.now() });
    return { name: s.config.name, backend: b.name, state: c.state, hash: s.hash, path: s.dir, last_built: c.lastBuilt, size_bytes: c.sizeBytes, error: c.error };
  };
  return {
    'stacks.list': async ({ source }) => {
      const entries = await listStacks(d, source);
      // An install that ended after the last check is checked now (one command each), so the list shows what it
      // built without the user asking; an unreachable backend keeps the last known state.
      for (const row of listStackStates(d.db)) {
        const ended = row.install_run_id ? d.runFinishedAt(row.install_run_id) : null;
        if (!ended || (row.checked_at && row.checked_at >= ended)) continue;
        const s = entries.find((e) => e.config.name === row.stack_name && (e.source ?? '') === row.source_name);
        const b = d.backends.get(row.backend_name);
        if (s && b?.runScript) await check(s, b).catch(() => undefined);
      }
      const rows = listStackStates(d.db);
      const warnings: string[] = [];
      const stacks: StackInfo[] = entries.map((s) => {
        const allowed = stackBackends(s, d.backends);
        const missing = s.config.backends.filter((n) => !d.backends.has(n));
        if (missing.length) warnings.push(`stack '${s.config.name}': backend${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not configured`);
        const shell = s.config.backends.filter((n) => d.backends.has(n) && !allowed.includes(n));
        if (shell.length) warnings.push(`stack '${s.config.name}': ${shell.join(', ')} cannot run shell commands (stacks are built on local, Slurm and PBS backends)`);
        const states = allowed.map((backend) => {
          const row = rows.find((r) => r.stack_name === s.config.name && r.backend_name === backend && r.source_name === (s.source ?? ''));
          const runStatus = row?.install_run_id ? d.runStatus(row.install_run_id) : null;
          const stale = !!row?.checked_at && row.hash !== s.hash;
          const known = row?.checked_at && !stale ? row : null;
          const installing = runStatus !== null && !isTerminalRun(runStatus);
          const state = installing ? 'installing' : ((known?.state as StackStatus['state'] | undefined) ?? 'missing');
          return {
            name: s.config.name,
            backend,
            state,
            hash: s.hash,
            path: s.dir,
            last_built: known?.last_built ?? null,
            size_bytes: known?.size_bytes ?? null,
            error: stale ? `The stack changed since the last check (that build was ${row!.hash}); check again.` : (known?.error ?? null),
            checked_at: row?.checked_at ?? null,
            stale,
            install_run_id: row?.install_run_id ?? null,
            install_run_status: runStatus,
          };
        });
        const c = s.config;
        return { name: c.name, source: s.source, hash: s.hash, cache_dir: c.cache_dir, prep: c.prep, init: c.init, inputs: c.inputs, input_files: c.input_files, cpus: c.cpus, memory: c.memory, time_limit: c.time_limit, partition: c.partition, backends: allowed, states };
      });
      return { stacks, warnings };
    },
    'stacks.check': async ({ name, backend, source }) => {
      const s = await requireStack(d, name, source);
      return check(s, pickBackend(s, d.backends, backend));
    },
    'stacks.install': async ({ name, backend, source, rebuild }) => {
      const s = await requireStack(d, name, source);
      const problem = stackNameProblem(s.config.name);
      if (problem) throw new ApiError('bad_input', `${problem}.`);
      const b = pickBackend(s, d.backends, backend);
      const st = b.status();
      if (st.state === 'error' || st.state === 'disabled') throw new ApiError('unavailable', `Backend '${b.name}' is not available: ${st.detail ?? st.state}.`);
      const busy = activeInstall(d, s, b.name);
      if (busy) throw new ApiError('conflict', `Stack '${s.config.name}' is already being installed on '${b.name}' by run ${busy}; wait for it or cancel it.`);
      const doc: WorkflowDocument = { title: `Install stack ${s.config.name}${rebuild ? ' (rebuild)' : ''}`, tasks: [installTask(s, !!rebuild)], env: [], env_groups: {} };
      const run = d.createRun(doc, b, s.source ? `_stack/${s.source}/${s.config.name}` : `_stack/${s.config.name}`);
      saveInstallRun(d.db, { stack_name: s.config.name, backend_name: b.name, source_name: s.source ?? '', hash: s.hash, path: s.dir }, run.id);
      return run;
    },
    'stacks.delete': async ({ name, backend, source }) => {
      const s = await requireStack(d, name, source);
      const problem = stackNameProblem(s.config.name);
      if (problem) throw new ApiError('bad_input', `${problem}.`);
      const b = pickBackend(s, d.backends, backend);
      const busy = activeInstall(d, s, b.name);
      if (busy) throw new ApiError('conflict', `Stack '${s.config.name}' is being installed on '${b.name}' by run ${busy}; cancel that run before deleting.`);
      const res = await b.runScript!(deleteScript(s.config.cache_dir, s.config.name), { timeoutMs: DELETE_TIMEOUT_MS });
      if (res.exitCode !== 0) throw new ApiError('unavailable', `Deleting stack '${s.config.name}' on '${b.name}' failed (exit ${res.exitCode}): ${res.stderr.trim().split('\n').slice(-3).join(' | ') || 'no error output'}`);
      saveCheck(d.db, { stack_name: s.config.name, backend_name: b.name, source_name: s.source ?? '', hash: s.hash, state: 'missing', path: s.dir, last_built: null, size_bytes: null, error: null, checked_at: d.now() });
      return { name: s.config.name, backend: b.name, deleted: true as const };
    },
  };
}
