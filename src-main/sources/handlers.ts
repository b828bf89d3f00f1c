// The sources calls of the contract. The engine spreads these into its handler table; run creation goes back
// through the engine's own createRun so a source run is stored and scheduled like any other.
import { ApiError } from '../../src-shared/api/contract';
import type { RunSummary } from '../../src-shared/api/schemas';
import type { SourceInfo } from '../../src-shared/api/source-schemas';
import type { WorkflowDocument } from '../../src-shared/workflow/types';
import type { Backend } from '../backends/types';
import type { Handlers } from '../engine/dispatch';
import type { EnvResolver } from '../engine/env';
import { buildDryRun } from './dry-run';
import type { SourceManager, SourceStatus } from './manager';
import { prepareSourceRun } from './source-run';

export interface RunSource {
  name: string;
  repo: string | null;
  branch: string | null;
  commit: string | null;
}

export interface SourceHandlerDeps {
  manager: SourceManager | null;
  requireBackend(name: string | undefined): Backend;
  cloneDirOf(backend: string): string | null;
  env: EnvResolver;
  now(): string;
  maxTasks: number;
  /** `warnings`: the workflow's own, kept with the run. */
  createRun(doc: WorkflowDocument, b: Backend, workflowName: string, maxConcurrent: number | null, source: RunSource, warnings: readonly string[]): RunSummary;
}

export function toSourceInfo(s: SourceStatus): SourceInfo {
  return { ...s, workflows: s.workflows.map((w) => w.file), workflow_items: s.workflows };
}

type SourceCalls = 'sources.list' | 'sources.view' | 'sources.sync' | 'sources.run' | 'sources.dryRun';

export function sourceHandlers(d: SourceHandlerDeps): Pick<Handlers, SourceCalls> {
  const manager = (): SourceManager => {
    if (!d.manager) throw new ApiError('unavailable', 'Sources are not available: the configuration did not load.');
    return d.manager;
  };
  // A path source names the backend that holds its folder: without --backend, run there.
  const backendFor = (input: { name: string; backend?: string }): Backend =>
    d.requireBackend(input.backend ?? manager().folderBackend(input.name)?.name);
  return {
    'sources.list': () => ({ sources: (d.manager?.list() ?? []).map(toSourceInfo) }),
    'sources.view': ({ name }) => toSourceInfo(manager().get(name)),
    'sources.sync': async ({ name }) => ({ sources: (await manager().sync(name)).map(toSourceInfo) }),
    'sources.run': async (input) => {
      const b = backendFor(input);
      const p = await prepareSourceRun({ manager: manager(), cloneDirOf: d.cloneDirOf, maxTasks: d.maxTasks }, input, b, false);
      return { ...d.createRun(p.doc, b, p.workflowName, input.max_concurrent ?? null, p.source, p.warnings), warnings: p.warnings };
    },
    'sources.dryRun': async (input) => {
      const b = backendFor(input);
      const p = await prepareSourceRun({ manager: manager(), cloneDirOf: d.cloneDirOf, maxTasks: d.maxTasks }, input, b, true);
      const unresolved = (await b.learnScriptPaths?.()) ?? null;
      return buildDryRun({ doc: p.doc, workflowName: p.workflowName, backend: b, env: d.env, now: d.now(), source: p.source, warnings: p.warnings, unresolved });
    },
  };
}
