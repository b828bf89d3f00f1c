// What applying a new config does to the backends: pure comparison of the backend sections, old vs new. A
// backend whose section is identical keeps its object, its connection and its loop; the others are rebuilt.
import type { BackendConfig, ScripthutConfig } from '../../src-shared/config';

/** The implicit `local` backend of a config with no backends (not on Windows: it has no local backend). */
export const DEFAULT_LOCAL_SPEC = '(default local backend)';

export interface BackendPlan {
  added: string[];
  removed: string[];
  changed: string[];
  unchanged: string[];
}

/** name → canonical text of its section; `null` config = the built-in defaults. */
export function backendSpecs(config: ScripthutConfig | null, platform: NodeJS.Platform = process.platform): Map<string, string> {
  const out = new Map<string, string>();
  const list: BackendConfig[] = config?.backends ?? [];
  for (const b of list) out.set(b.name, canonical(b));
  if (list.length === 0 && platform !== 'win32') out.set('local', DEFAULT_LOCAL_SPEC);
  return out;
}

export function planBackends(before: Map<string, string>, after: Map<string, string>): BackendPlan {
  const plan: BackendPlan = { added: [], removed: [], changed: [], unchanged: [] };
  for (const [name, spec] of after) {
    const old = before.get(name);
    if (old === undefined) plan.added.push(name);
    else if (old === spec) plan.unchanged.push(name);
    else plan.changed.push(name);
  }
  for (const name of before.keys()) if (!after.has(name)) plan.removed.push(name);
  return plan;
}

/** Top-level sections applied live; a change anywhere else waits for the next start. */
const LIVE_SECTIONS = new Set(['backends', 'env', 'env_groups']);

export function sectionsNeedingRestart(before: ScripthutConfig | null, after: ScripthutConfig, defaults: ScripthutConfig): string[] {
  const old = (before ?? defaults) as unknown as Record<string, unknown>;
  const next = after as unknown as Record<string, unknown>;
  const keys = new Set([...Object.keys(old), ...Object.keys(next)]);
  return [...keys].filter((k) => !LIVE_SECTIONS.has(k) && canonical(old[k]) !== canonical(next[k])).sort();
}

/** JSON with sorted keys, so that reordering keys in the YAML is not a change. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) => {
    if (val && typeof val === 'object' && !Array.isArray(val)) {
      return Object.fromEntries(Object.entries(val as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return val;
  }) ?? 'undefined';
}
