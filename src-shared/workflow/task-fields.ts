// Field-level validation of one task object from a workflow document. Dependencies are checked as strings
// here; resolving them against other tasks (wildcards, unknown ids, cycles) happens in ./graph.ts.
import type { EnvRule, TaskDefinition } from './types';
import { parseEnvRules } from '../env/rules';
import { describeValue, isPlainObject } from './describe';
import { UNSUPPORTED_TASK_FIELDS, unsupportedMessage } from '../config/unsupported';
import { closestMatch } from '../config/suggest';

export const TASK_ID_MAX = 200;
// Log and output names are built from the id; file names are limited to 255 bytes, not characters.
export const TASK_ID_MAX_BYTES = 200;
export const RETRIES_MAX = 10;

const KNOWN_FIELDS = new Set([
  'id', 'name', 'command', 'working_dir', 'partition', 'cpus', 'memory', 'time_limit', 'deps', 'dependencies',
  'gres', 'image', 'env', 'generates_source', 'output_file', 'error_file', 'retries',
]);
// Fields of the original ScriptHut that this app does not implement; accepted so old files still load.
// Unsupported ones (src-shared/config/unsupported.ts) get a warning; the rest are harmless to ignore.
const IGNORED_FIELDS = new Set(['inputs', 'outputs', 'cache', 'cache_scope', 'description']);

// Slurm --mem / PBS mem style: a number with an optional unit ("4G", "500M", "16GB", "2gb", "1.5T").
const MEMORY = /^\d+(\.\d+)?\s*([KMGTP]i?B?)?$/i;
// Slurm time formats: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS.
const TIME_LIMIT = /^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d+(:\d{1,2}){0,2})$/;

/** A task whose fields are valid; `deps` are still as written (wildcards unexpanded). */
export type ParsedTask = TaskDefinition;

export interface TaskFieldResult {
  /** The raw id if it was a string (even an invalid one), so dependency checks can still refer to it. */
  rawId: string | null;
  /** Dependencies as written, when they were a list of strings. */
  rawDeps: string[];
  task: ParsedTask | null;
  errors: Array<{ field: string | null; message: string }>;
  warnings: string[];
}

/** `tasks[3] ('align')` — how messages point at a task. */
export function taskLabel(index: number, id: unknown, listName = 'tasks'): string {
  return typeof id === 'string' ? `${listName}[${index}] ('${id}')` : `${listName}[${index}]`;
}

export function validateTaskId(id: unknown): string | null {
  if (typeof id !== 'string') return `must be a string, got ${describeValue(id)}`;
  if (id === '') return 'must not be empty';
  if (/\s/.test(id)) return `must not contain whitespace, got ${describeValue(id)}`;
  if (id.includes('/')) return `must not contain '/', got ${describeValue(id)}`;
  if (id.length > TASK_ID_MAX) return `must be at most ${TASK_ID_MAX} characters, got ${id.length}`;
  const bytes = new TextEncoder().encode(id).length;
  if (bytes > TASK_ID_MAX_BYTES) return `must be at most ${TASK_ID_MAX_BYTES} bytes in UTF-8, got ${bytes} bytes (${id.length} characters)`;
  return null;
}

type FieldErrors = TaskFieldResult['errors'];

function fail(errors: FieldErrors, label: string, field: string, what: string, v: unknown): void {
  errors.push({ field, message: `${label}: '${field}' ${what}, got ${describeValue(v)}` });
}

// Module-level helpers rather than per-task closures: 100,000-task documents go through here.
function readString(raw: Record<string, unknown>, field: string, def: string, errors: FieldErrors, label: string, pattern?: RegExp, hint?: string): string {
  const v = raw[field];
  if (v === undefined || v === null) return def;
  if (typeof v === 'number' && pattern && pattern.test(String(v))) return String(v);
  if (typeof v !== 'string') {
    fail(errors, label, field, `must be ${hint ?? 'a string'}`, v);
    return def;
  }
  if (!pattern) {
    if (v.trim() === '') fail(errors, label, field, 'must not be empty', v);
    return v;
  }
  const t = v.trim();
  if (!pattern.test(t)) fail(errors, label, field, `must be ${hint}`, v);
  return t;
}

function readOptionalString(raw: Record<string, unknown>, field: string, errors: FieldErrors, label: string): string | null {
  const v = raw[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') {
    fail(errors, label, field, 'must be a string or null', v);
    return null;
  }
  return v === '' ? null : v;
}

function readInt(raw: Record<string, unknown>, field: string, def: number, min: number, max: number, what: string, errors: FieldErrors, label: string): number {
  const v = raw[field];
  if (v === undefined || v === null) return def;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    fail(errors, label, field, `must be ${what}`, v);
    return def;
  }
  return n;
}

export function parseTaskFields(raw: unknown, index: number, listName = 'tasks'): TaskFieldResult {
  const errors: FieldErrors = [];
  const warnings: string[] = [];
  if (!isPlainObject(raw)) {
    errors.push({ field: null, message: `${listName}[${index}] must be an object with at least 'id' and 'command', got ${describeValue(raw)}` });
    return { rawId: null, rawDeps: [], task: null, errors, warnings };
  }
  const label = taskLabel(index, raw.id, listName);

  for (const key in raw) {
    const unsupported = UNSUPPORTED_TASK_FIELDS.get(key);
    if (unsupported !== undefined && raw[key] !== undefined && raw[key] !== null) warnings.push(`${label}: '${key}' ${unsupportedMessage(unsupported)}`);
    if (KNOWN_FIELDS.has(key) || IGNORED_FIELDS.has(key)) continue;
    if (key === 'environment' || key === 'env_vars') {
      errors.push({
        field: key,
        message: `${label}: legacy 'environment' / 'env_vars' fields are no longer supported; use 'env' rules, e.g. "env": [{"set": {"FOO": "1"}}]`,
      });
    } else {
      const near = closestMatch(key, [...KNOWN_FIELDS]);
      warnings.push(`${label}: unknown field '${key}' was ignored${near ? `; did you mean '${near}'?` : ''}`);
    }
  }

  const rawId = typeof raw.id === 'string' ? raw.id : null;
  if (raw.id === undefined) errors.push({ field: 'id', message: `${label}: 'id' is required` });
  else {
    const bad = validateTaskId(raw.id);
    if (bad) errors.push({ field: 'id', message: `${label}: 'id' ${bad}` });
  }

  let command = '';
  if (raw.command === undefined || raw.command === null) errors.push({ field: 'command', message: `${label}: 'command' is required (the shell command the task runs)` });
  else if (typeof raw.command !== 'string') fail(errors, label, 'command', 'must be a string', raw.command);
  else command = raw.command;

  const name = raw.name === undefined || raw.name === null ? (rawId ?? '') : readString(raw, 'name', rawId ?? '', errors, label);
  const working_dir = readString(raw, 'working_dir', '~', errors, label);
  const partition = readOptionalString(raw, 'partition', errors, label);
  const cpus = readInt(raw, 'cpus', 1, 1, 100_000, 'a positive whole number', errors, label);
  const memory = readString(raw, 'memory', '4G', errors, label, MEMORY, 'a size like "4G" or "500M"');
  const time_limit = readString(raw, 'time_limit', '1:00:00', errors, label, TIME_LIMIT, 'a time like "1:00:00", "30" (minutes) or "2-00:00:00"');
  const retries = readInt(raw, 'retries', 0, 0, RETRIES_MAX, `a whole number from 0 to ${RETRIES_MAX}`, errors, label);

  let rawDeps: string[] = [];
  if (raw.deps !== undefined && raw.dependencies !== undefined) {
    errors.push({ field: 'deps', message: `${label}: has both 'deps' and 'dependencies'; they mean the same thing, keep only one` });
  }
  const depsField = raw.deps !== undefined ? 'deps' : 'dependencies';
  const depsValue = raw.deps !== undefined ? raw.deps : raw.dependencies;
  if (depsValue !== undefined && depsValue !== null) {
    if (!Array.isArray(depsValue)) fail(errors, label, depsField, 'must be a list of task ids', depsValue);
    else {
      const bad = depsValue.find((d) => typeof d !== 'string' || d === '');
      if (bad !== undefined) fail(errors, label, depsField, 'must contain only non-empty task ids (strings)', bad);
      else rawDeps = depsValue as string[];
    }
  }

  let env: EnvRule[] = [];
  if (raw.env !== undefined && raw.env !== null) {
    const envResult = parseEnvRules(raw.env, `${label}: `, 'env');
    for (const message of envResult.errors) errors.push({ field: 'env', message });
    env = envResult.rules;
  }

  const gres = readOptionalString(raw, 'gres', errors, label);
  const image = readOptionalString(raw, 'image', errors, label);
  const generates_source = readOptionalString(raw, 'generates_source', errors, label);
  const output_file = readOptionalString(raw, 'output_file', errors, label);
  const error_file = readOptionalString(raw, 'error_file', errors, label);

  const task: ParsedTask | null = errors.length
    ? null
    : {
        id: rawId as string,
        name,
        command,
        working_dir,
        partition,
        cpus,
        memory,
        time_limit,
        deps: rawDeps,
        gres,
        image,
        env,
        generates_source,
        output_file,
        error_file,
        retries,
      };
  return { rawId, rawDeps, task, errors, warnings };
}
