// Workflow document → validated WorkflowDocument, or every problem found (not just the first), each naming
// the task and field. Nothing runs until this succeeds.
import type { EnvRule, TaskDefinition, WorkflowDocument, WorkflowError } from './types';
import { parseEnvGroups, parseEnvRules } from '../env/rules';
import { describeValue, isPlainObject } from './describe';
import { parseTaskFields, taskLabel } from './task-fields';
import { resolveDependencies, type DepNode } from './graph';
import { findJsonSyntaxError } from './json-location';
import { closestMatch } from '../config/suggest';

export type WorkflowParseResult =
  | { ok: true; doc: WorkflowDocument; warnings: string[] }
  | { ok: false; errors: WorkflowError[]; warnings: string[] };

/** Past this many problems the rest are summarised in one line; a UI cannot show 100,000 errors usefully. */
export const MAX_REPORTED_ERRORS = 200;

const SHAPE_MESSAGE = "The workflow must be a JSON list of tasks or an object with a 'tasks' list";
const TOP_LEVEL_KEYS = ['tasks', 'title', 'env', 'env_groups'];

export function capErrors(errors: WorkflowError[]): WorkflowError[] {
  if (errors.length <= MAX_REPORTED_ERRORS) return errors;
  const kept = errors.slice(0, MAX_REPORTED_ERRORS);
  kept.push({ task: null, field: null, message: `... and ${errors.length - MAX_REPORTED_ERRORS} more problems (fix the ones above first)` });
  return kept;
}

export interface DocumentParts {
  rawTasks: unknown[];
  title: string | null;
  env: EnvRule[];
  env_groups: Record<string, EnvRule[]>;
}

/** Checks the top-level shape (bare list or {tasks, env, env_groups, title}); task contents are not looked at. */
export function parseDocumentShape(input: unknown, errors: WorkflowError[], warnings?: string[]): DocumentParts | null {
  if (Array.isArray(input)) return { rawTasks: input, title: null, env: [], env_groups: {} };
  if (!isPlainObject(input) || !Array.isArray(input.tasks)) {
    const got = isPlainObject(input)
      ? input.tasks === undefined ? "an object without 'tasks'" : `'tasks' = ${describeValue(input.tasks)}`
      : describeValue(input);
    errors.push({ task: null, field: 'tasks', message: `${SHAPE_MESSAGE}, got ${got}` });
    return null;
  }
  // A misspelt 'title' or 'env' would otherwise vanish without a word, as unknown task fields would.
  if (warnings) {
    for (const key of Object.keys(input)) {
      if (TOP_LEVEL_KEYS.includes(key)) continue;
      const near = closestMatch(key, TOP_LEVEL_KEYS);
      warnings.push(`top level: unknown key '${key}' was ignored${near ? `; did you mean '${near}'?` : ''}`);
    }
  }
  let title: string | null = null;
  if (input.title !== undefined && input.title !== null) {
    if (typeof input.title === 'string') title = input.title;
    else errors.push({ task: null, field: 'title', message: `'title' must be a string, got ${describeValue(input.title)}` });
  }
  const env = parseEnvRules(input.env, '', 'env');
  for (const message of env.errors) errors.push({ task: null, field: 'env', message });
  const groups = parseEnvGroups(input.env_groups, '', 'env_groups');
  for (const message of groups.errors) errors.push({ task: null, field: 'env_groups', message });
  return { rawTasks: input.tasks, title, env: env.rules, env_groups: groups.groups };
}

/** Field-validates every task; returns the tasks that passed (null for the others) and graph nodes for all. */
export function parseTaskList(rawTasks: readonly unknown[], errors: WorkflowError[], warnings: string[], listName = 'tasks') {
  const tasks: Array<TaskDefinition | null> = [];
  const nodes: DepNode[] = [];
  for (let i = 0; i < rawTasks.length; i++) {
    const r = parseTaskFields(rawTasks[i], i, listName);
    for (const e of r.errors) errors.push({ task: r.rawId, field: e.field, message: e.message });
    for (const w of r.warnings) warnings.push(w);
    tasks.push(r.task);
    nodes.push({ id: r.rawId, deps: r.rawDeps });
  }
  return { tasks, nodes };
}

export function parseWorkflow(input: unknown): WorkflowParseResult {
  const errors: WorkflowError[] = [];
  const warnings: string[] = [];
  const parts = parseDocumentShape(input, errors, warnings);
  if (!parts) return { ok: false, errors, warnings };
  if (parts.rawTasks.length === 0) {
    errors.push({ task: null, field: 'tasks', message: "The workflow has no tasks; add at least one entry to the 'tasks' list" });
    return { ok: false, errors: capErrors(errors), warnings };
  }
  const { tasks, nodes } = parseTaskList(parts.rawTasks, errors, warnings);
  const graph = resolveDependencies(nodes, { position: (i) => taskLabel(i, nodes[i]?.id) });
  errors.push(...graph.errors);
  if (errors.length) return { ok: false, errors: capErrors(errors), warnings };
  const concrete = tasks as TaskDefinition[];
  for (let i = 0; i < concrete.length; i++) concrete[i]!.deps = graph.deps[i]!;
  return { ok: true, doc: { title: parts.title, tasks: concrete, env: parts.env, env_groups: parts.env_groups }, warnings };
}

/** Parses JSON text first; syntax errors are reported with line and column. */
export function parseWorkflowText(text: string): WorkflowParseResult {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let input: unknown;
  try {
    input = JSON.parse(body);
  } catch (e) {
    const where = findJsonSyntaxError(body);
    const message = where
      ? `The workflow is not valid JSON: line ${where.line}, column ${where.column}: ${where.problem}`
      : `The workflow is not valid JSON: ${(e as Error).message}`;
    return { ok: false, errors: [{ task: null, field: null, message }], warnings: [] };
  }
  return parseWorkflow(input);
}
