// Validation of env rules (`env:` lists and `env_groups:`) coming from user JSON/YAML. Shared by the workflow
// parser and the config loader so a typo like `sets:` is reported the same way everywhere.
import type { EnvRule } from '../workflow/types';
import { describeValue, isPlainObject } from '../workflow/describe';

const RULE_KEYS = ['if', 'include', 'stacks', 'set', 'append', 'init'] as const;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Scalars users commonly write unquoted in JSON/YAML (`OMP_NUM_THREADS: 4`) become strings. */
function scalarToString(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return String(v);
  return null;
}

/**
 * Validate one `env:` list. `prefix` locates it for messages (e.g. "tasks[3] ('align'): ") and `field` names it
 * (e.g. "env"). Invalid rules are dropped; every problem is reported.
 */
export function parseEnvRules(value: unknown, prefix: string, field: string): { rules: EnvRule[]; errors: string[] } {
  const errors: string[] = [];
  const rules: EnvRule[] = [];
  if (value === undefined || value === null) return { rules, errors };
  if (!Array.isArray(value)) {
    errors.push(`${prefix}'${field}' must be a list of env rules (e.g. [{"set": {"FOO": "1"}}]), got ${describeValue(value)}`);
    return { rules, errors };
  }
  value.forEach((raw, i) => {
    const at = `${prefix}'${field}[${i}]`;
    if (!isPlainObject(raw)) {
      errors.push(`${at}' must be an object with set/append/init/if/include/stacks, got ${describeValue(raw)}`);
      return;
    }
    const before = errors.length;
    const rule: EnvRule = {};
    for (const key of Object.keys(raw)) {
      if (!(RULE_KEYS as readonly string[]).includes(key)) {
        errors.push(`${at}' has unknown key '${key}'; allowed keys are ${RULE_KEYS.join(', ')}`);
      }
    }
    if (raw.if !== undefined) {
      if (!isPlainObject(raw.if)) errors.push(`${at}.if' must be an object mapping variable names to a value or list of values, got ${describeValue(raw.if)}`);
      else {
        const guard: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(raw.if)) {
          if (Array.isArray(v)) {
            const vals = v.map(scalarToString);
            if (vals.some((x) => x === null)) errors.push(`${at}.if.${k}' must list plain values (strings or numbers), got ${describeValue(v)}`);
            else guard[k] = vals as string[];
          } else {
            const s = scalarToString(v);
            if (s === null) errors.push(`${at}.if.${k}' must be a value or a list of values, got ${describeValue(v)}`);
            else guard[k] = s;
          }
        }
        rule.if = guard;
      }
    }
    for (const key of ['include', 'stacks'] as const) {
      const v = raw[key];
      if (v === undefined) continue;
      const what = key === 'include' ? 'env group' : 'stack';
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x === '')) {
        errors.push(`${at}.${key}' must be a list of ${what} names (e.g. ["gpu"]), got ${describeValue(v)}`);
      } else rule[key] = v as string[];
    }
    for (const key of ['set', 'append'] as const) {
      const v = raw[key];
      if (v === undefined) continue;
      if (!isPlainObject(v)) {
        errors.push(`${at}.${key}' must be an object mapping variable names to values, got ${describeValue(v)}`);
        continue;
      }
      const out: Record<string, string> = {};
      for (const [name, val] of Object.entries(v)) {
        if (!ENV_NAME.test(name)) {
          errors.push(`${at}.${key}' has invalid variable name ${JSON.stringify(name)}; use letters, digits and '_' (not starting with a digit)`);
          continue;
        }
        const s = scalarToString(val);
        if (s === null) errors.push(`${at}.${key}.${name}' must be a string, got ${describeValue(val)}`);
        else out[name] = s;
      }
      rule[key] = out;
    }
    if (raw.init !== undefined) {
      if (typeof raw.init !== 'string') errors.push(`${at}.init' must be a string of shell commands, got ${describeValue(raw.init)}`);
      else rule.init = raw.init;
    }
    if (errors.length === before) rules.push(rule);
  });
  return { rules, errors };
}

/** Validate an `env_groups:` mapping (group name → env rule list). */
export function parseEnvGroups(value: unknown, prefix: string, field: string): { groups: Record<string, EnvRule[]>; errors: string[] } {
  const groups: Record<string, EnvRule[]> = {};
  const errors: string[] = [];
  if (value === undefined || value === null) return { groups, errors };
  if (!isPlainObject(value)) {
    errors.push(`${prefix}'${field}' must be an object mapping group names to env rule lists, got ${describeValue(value)}`);
    return { groups, errors };
  }
  for (const [name, rules] of Object.entries(value)) {
    const r = parseEnvRules(rules, prefix, `${field}.${name}`);
    errors.push(...r.errors);
    groups[name] = r.rules;
  }
  return { groups, errors };
}
