// Env-rule resolution with provenance: which layer set or appended every variable a task sees, so the UI can
// answer "where does this PATH come from?". Layers apply in order backend → server → repo → workflow-doc → task.
import type { EnvRule } from '../workflow/types';

export const PROTECTED_PREFIX = 'SCRIPTHUT_';
const BRACED_VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export type Guard = Record<string, string | string[]>;

export interface EnvLayer {
  /** Provenance label: `backend:<name>`, `server`, `repo`, `workflow-doc`, `task`. */
  source: string;
  rules: EnvRule[];
}

export interface EnvGroupLayer {
  source: string;
  groups: Record<string, EnvRule[]>;
}

export interface ResolveEnvInput {
  /** Runtime variables (SCRIPTHUT_*); always protected from rules. */
  seed: Record<string, string>;
  layers: EnvLayer[];
  /** Group definitions in precedence order; a later layer's group shadows an earlier one of the same name. */
  groups?: EnvGroupLayer[];
  stacks?: Record<string, { init: string }>;
  /**
   * The task being resolved. Its `env` rules are applied as a final layer labelled `task` (so do not also pass
   * them in `layers`); its id only appears in messages.
   */
  task?: { id: string; env?: EnvRule[] };
}

export interface EnvOp {
  source: string;
  op: 'seed' | 'set' | 'append';
  contribution: string;
}

export interface ResolvedVar {
  name: string;
  value: string;
  ops: EnvOp[];
}

export interface ResolvedEnv {
  /** In first-definition order (seed first); exports should be emitted in this order. */
  vars: ResolvedVar[];
  /** Shell lines to run before the command (rule `init`s and stack inits, in order). */
  init: string;
  warnings: string[];
  /** Non-empty means the task cannot be submitted (unknown stack, include cycle). */
  errors: string[];
}

interface FlatRule {
  rule: EnvRule;
  source: string;
  guards: Guard[];
}

function guardMatches(guard: Guard, env: Map<string, string>): boolean {
  for (const [key, expected] of Object.entries(guard)) {
    const actual = env.get(key);
    if (actual === undefined) return false;
    if (Array.isArray(expected) ? !expected.includes(actual) : actual !== expected) return false;
  }
  return true;
}

/** Expand include/stacks into a flat, labelled rule list (iterative over the rule tree, recursion-free). */
function flatten(
  layers: EnvLayer[],
  groups: Map<string, EnvRule[]>,
  stacks: Record<string, { init: string }>,
  warnings: string[],
  errors: string[],
): FlatRule[] {
  const out: FlatRule[] = [];
  const reportedCycles = new Set<string>();
  // Work items: either a rule to expand (with its include chain) or an already-expanded rule to emit.
  type Item = { kind: 'expand'; rule: EnvRule; source: string; guards: Guard[]; chain: string[] } | { kind: 'emit'; flat: FlatRule };
  const work: Item[] = [];
  for (let l = layers.length - 1; l >= 0; l--) {
    const layer = layers[l]!;
    for (let r = layer.rules.length - 1; r >= 0; r--) work.push({ kind: 'expand', rule: layer.rules[r]!, source: layer.source, guards: [], chain: [] });
  }
  while (work.length) {
    const item = work.pop()!;
    if (item.kind === 'emit') {
      out.push(item.flat);
      continue;
    }
    const { rule, source, guards, chain } = item;
    const inherited = rule.if ? [...guards, rule.if] : guards;
    // Push in reverse so items pop in order: includes, then stacks, then the rule itself.
    const next: Item[] = [];
    for (const name of rule.include ?? []) {
      if (chain.includes(name)) {
        const cycle = [...chain.slice(chain.indexOf(name)), name].join(' → ');
        if (!reportedCycles.has(cycle)) {
          reportedCycles.add(cycle);
          errors.push(`env_group cycle detected: ${cycle} (remove one of these includes)`);
        }
        continue;
      }
      const body = groups.get(name);
      if (!body) {
        warnings.push(`${source}: env group '${name}' is not defined; include skipped`);
        continue;
      }
      const label = `${source} via group:${name}`;
      for (const inner of body) next.push({ kind: 'expand', rule: inner, source: label, guards: inherited, chain: [...chain, name] });
    }
    for (const name of rule.stacks ?? []) {
      const stack = stacks[name];
      if (!stack) {
        const known = Object.keys(stacks);
        errors.push(`${source}: unknown stack '${name}'${known.length ? ` (defined stacks: ${known.join(', ')})` : ' (no stacks are defined)'}; define it under 'stacks:' in scripthut.yaml or remove it from the env rule`);
        continue;
      }
      if (stack.init.trim() === '') continue;
      next.push({ kind: 'emit', flat: { rule: { init: stack.init }, source: `${source} via stack:${name}`, guards: inherited } });
    }
    const hasOwn = (rule.set && Object.keys(rule.set).length) || (rule.append && Object.keys(rule.append).length) || rule.init;
    if (hasOwn) next.push({ kind: 'emit', flat: { rule, source, guards } });
    for (let k = next.length - 1; k >= 0; k--) work.push(next[k]!);
  }
  return out;
}

export function resolveEnv(input: ResolveEnvInput): ResolvedEnv {
  const warnings: string[] = [];
  const errors: string[] = [];
  const env = new Map<string, string>();
  const ops = new Map<string, EnvOp[]>();
  for (const [k, v] of Object.entries(input.seed)) {
    env.set(k, v);
    ops.set(k, [{ source: 'seed', op: 'seed', contribution: v }]);
  }

  const groups = new Map<string, EnvRule[]>();
  for (const layer of input.groups ?? []) for (const [name, rules] of Object.entries(layer.groups)) groups.set(name, rules);
  const layers = [...input.layers];
  if (input.task?.env?.length) layers.push({ source: 'task', rules: input.task.env });

  const expand = (value: string, source: string, where: string): string =>
    value.replace(BRACED_VAR, (_m, name: string) => {
      const v = env.get(name);
      if (v === undefined) {
        warnings.push(`${source}: \${${name}} in ${where} is not defined; it expanded to an empty string`);
        return '';
      }
      return v;
    });
  const record = (key: string, op: EnvOp): void => {
    const list = ops.get(key);
    if (list) list.push(op);
    else ops.set(key, [op]);
  };

  const initParts: string[] = [];
  for (const { rule, source, guards } of flatten(layers, groups, input.stacks ?? {}, warnings, errors)) {
    if (!guards.every((g) => guardMatches(g, env))) continue;
    if (rule.if && !guardMatches(rule.if, env)) continue;
    for (const [key, raw] of Object.entries(rule.set ?? {})) {
      if (key.startsWith(PROTECTED_PREFIX)) {
        warnings.push(`${source}: env rule attempted to set protected key '${key}'; ignored`);
        continue;
      }
      const value = expand(raw, source, key);
      env.set(key, value);
      record(key, { source, op: 'set', contribution: value });
    }
    for (const [key, raw] of Object.entries(rule.append ?? {})) {
      if (key.startsWith(PROTECTED_PREFIX)) {
        warnings.push(`${source}: env rule attempted to append to protected key '${key}'; ignored`);
        continue;
      }
      const part = expand(raw, source, key);
      const old = env.get(key);
      // An empty value starts fresh: joining would give ":x", which PATH-like variables read as "current dir".
      env.set(key, old ? `${old}:${part}` : part);
      record(key, { source, op: 'append', contribution: part });
    }
    if (rule.init) initParts.push(expand(rule.init, source, 'init'));
  }

  const vars: ResolvedVar[] = [];
  for (const [name, list] of ops) vars.push({ name, value: env.get(name) ?? '', ops: list });
  return { vars, init: initParts.join('\n'), warnings, errors };
}

/** `[name, value]` pairs in export order, e.g. for ScriptContext.env. */
export function envPairs(resolved: ResolvedEnv): Array<[string, string]> {
  return resolved.vars.map((v) => [v.name, v.value]);
}

/** The protected SCRIPTHUT_* runtime variables every task sees; git keys only when known. */
export function buildSeed(info: {
  backend: string;
  workflow: string;
  runId: string;
  createdAt: string; // ISO 8601
  gitRepo?: string | null;
  gitBranch?: string | null;
  gitSha?: string | null;
}): Record<string, string> {
  const seed: Record<string, string> = {
    SCRIPTHUT_BACKEND: info.backend,
    SCRIPTHUT_WORKFLOW: info.workflow,
    SCRIPTHUT_RUN_ID: info.runId,
    SCRIPTHUT_CREATED_AT: info.createdAt,
  };
  if (info.gitRepo != null) seed.SCRIPTHUT_GIT_REPO = info.gitRepo;
  if (info.gitBranch != null) seed.SCRIPTHUT_GIT_BRANCH = info.gitBranch;
  if (info.gitSha != null) seed.SCRIPTHUT_GIT_SHA = info.gitSha;
  return seed;
}
