// A repository's own scripthut.yaml: it may add env rules, env groups and stacks for its workflows, nothing else
// (a repository must not be able to redefine backends or sources). Errors name the file and line.
import { isMap, isSeq, parseDocument, LineCounter } from 'yaml';
import type { EnvRule, WorkflowDocument } from '../../src-shared/workflow/types';
import { initsByName, parseOverlayStacks } from '../stacks/overlay-stacks';

export const OVERLAY_KEYS = ['env', 'env_groups', 'stacks'] as const;

export interface RepoOverlay {
  env: EnvRule[];
  env_groups: Record<string, EnvRule[]>;
  stacks: unknown[];
}

export class OverlayError extends Error {}

const RULE_KEYS = new Set(['if', 'include', 'stacks', 'set', 'append', 'init']);

export function parseOverlay(text: string, label = 'scripthut.yaml'): RepoOverlay {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (offset: number | undefined) => (offset === undefined ? label : `${label}:${lines.linePos(offset).line}`);
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    throw new OverlayError(`${at(e.pos[0])}: not valid YAML: ${e.message.split('\n')[0]}`);
  }
  const root = doc.contents;
  if (root === null) return { env: [], env_groups: {}, stacks: [] };
  if (!isMap(root)) throw new OverlayError(`${at(root.range?.[0])}: the top level must be a mapping (env:, env_groups:, stacks:).`);
  const out: RepoOverlay = { env: [], env_groups: {}, stacks: [] };
  for (const pair of root.items) {
    const key = String((pair.key as { value?: unknown } | null)?.value ?? pair.key);
    const where = at((pair.key as unknown as { range?: number[] } | null)?.range?.[0]);
    const value = pair.value as unknown as { range?: number[]; toJSON(): unknown } | null;
    if (!(OVERLAY_KEYS as readonly string[]).includes(key)) {
      throw new OverlayError(`${where}: section '${key}' is not allowed in a repository's scripthut.yaml; only ${OVERLAY_KEYS.join(', ')} are (backends and sources belong to the app's own config).`);
    }
    const json = value === null ? null : value.toJSON();
    const vAt = at(value?.range?.[0]);
    if (key === 'env') out.env = rules(json, vAt, 'env');
    else if (key === 'env_groups') {
      if (json === null) continue;
      if (!isMap(pair.value)) throw new OverlayError(`${vAt}: env_groups must be a mapping of group name to a list of rules.`);
      for (const [name, list] of Object.entries(json as Record<string, unknown>)) out.env_groups[name] = rules(list, vAt, `env_groups.${name}`);
    } else {
      if (json !== null && !isSeq(pair.value)) throw new OverlayError(`${vAt}: stacks must be a list.`);
      out.stacks = (json as unknown[] | null) ?? [];
    }
  }
  return out;
}

function rules(value: unknown, where: string, field: string): EnvRule[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw new OverlayError(`${where}: ${field} must be a list of rules (mappings with set/append/include/if/init/stacks).`);
  value.forEach((r, i) => {
    if (r === null || typeof r !== 'object' || Array.isArray(r)) throw new OverlayError(`${where}: ${field}[${i}] must be a mapping, got ${JSON.stringify(r)}.`);
    const bad = Object.keys(r).filter((k) => !RULE_KEYS.has(k));
    if (bad.length) throw new OverlayError(`${where}: ${field}[${i}] has unknown key '${bad[0]}' (known: ${[...RULE_KEYS].join(', ')}).`);
  });
  return value as EnvRule[];
}

/**
 * The overlay's env goes before the document's; its groups only fill names the document does not define; its
 * stacks travel with the run (they win over the app's stacks of the same name when a task's env names them).
 * `readFile` gives the stacks' input files (read beforehand from the repository) so their inits get STACK_DIR.
 */
export function applyOverlay(doc: WorkflowDocument, overlay: RepoOverlay, label = 'scripthut.yaml', readFile: ((path: string) => Buffer | null) | null = null): WorkflowDocument {
  const stacks = overlay.stacks.length ? initsByName(parseOverlayStacks(overlay.stacks, label), readFile) : undefined;
  return { ...doc, env: [...overlay.env, ...doc.env], env_groups: { ...overlay.env_groups, ...doc.env_groups }, ...(stacks ? { stacks: { ...doc.stacks, ...stacks } } : {}) };
}
