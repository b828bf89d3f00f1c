// Resolves a task's environment from the layers the user configured (backend → server → workflow document →
// task), seeded with the protected SCRIPTHUT_* variables.
import { resolveEnv, type ResolvedEnv } from '../../src-shared/env/resolve';
import type { EnvRule, TaskDefinition } from '../../src-shared/workflow/types';
import type { Backend } from '../backends/types';
import type { RunRow } from '../store/rows';

export interface EnvLayersConfig {
  /** Server-level rules and groups (scripthut.yaml `env`, `env_groups`). */
  env: EnvRule[];
  envGroups: Record<string, EnvRule[]>;
  /** Per-backend rules and groups, by backend name. */
  backends: Record<string, { env: EnvRule[]; envGroups: Record<string, EnvRule[]> }>;
  stacks: Record<string, { init: string }>;
}

export interface EnvRequest {
  run: RunRow;
  def: TaskDefinition;
  backend: Backend;
  attempt: number;
}

export interface EnvResolver {
  resolve(req: EnvRequest): ResolvedEnv;
}

export function makeEnvResolver(cfg: EnvLayersConfig): EnvResolver {
  return {
    resolve({ run, def, backend, attempt }) {
      const doc = JSON.parse(run.doc_json) as { env?: EnvRule[]; env_groups?: Record<string, EnvRule[]>; stacks?: Record<string, { init: string }> };
      const be = cfg.backends[backend.name] ?? { env: [], envGroups: {} };
      return resolveEnv({
        seed: {
          SCRIPTHUT_BACKEND: backend.name,
          SCRIPTHUT_WORKFLOW: run.workflow_name,
          SCRIPTHUT_RUN_ID: run.id,
          SCRIPTHUT_CREATED_AT: run.created_at,
          SCRIPTHUT_TASK_ID: def.id,
          SCRIPTHUT_ATTEMPT: String(attempt),
        },
        layers: [
          { source: `backend:${backend.name}`, rules: be.env },
          { source: 'server', rules: cfg.env },
          { source: 'workflow-doc', rules: doc.env ?? [] },
        ],
        groups: [
          { source: `backend:${backend.name}`, groups: be.envGroups },
          { source: 'server', groups: cfg.envGroups },
          { source: 'workflow-doc', groups: doc.env_groups ?? {} },
        ],
        // A repository's stacks (recorded on the run) win over the app's of the same name.
        stacks: { ...cfg.stacks, ...(doc.stacks ?? {}) },
        task: { id: def.id, env: def.env },
      });
    },
  };
}
