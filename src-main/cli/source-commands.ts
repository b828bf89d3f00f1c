// `scripthut source list|view|sync`, the --source side of `workflow run`, and `task run` (ad-hoc one-task runs).
import fs from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import type { DryRun, SourceInfo } from '../../src-shared/api/source-schemas';
import type { RunSummary } from '../../src-shared/api/schemas';
import type { CliContext, CommandDef } from './command-def';
import { UsageError } from './command-def';

const printJson = (ctx: CliContext, v: unknown) => ctx.out(JSON.stringify(v, null, 2));

function sourceLine(s: SourceInfo): string[] {
  const where = s.type === 'git' ? `${s.url} (${s.branch})` : `${s.path} on ${s.backend}`;
  const state = s.error ? `error: ${s.error}` : s.synced_at ? `${s.workflows.length} workflows${s.warnings.length ? `, ${s.warnings.length} warnings` : ''}` : 'not synced yet';
  return [s.name, s.type, where, s.last_commit ? s.last_commit.slice(0, 12) : '-', state];
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')).join('\n');
}

/** The documented `source list --json` item: name, type, workflows (file names), last_commit, error, warnings (+ extras). */
const listJson = (s: SourceInfo) => ({ name: s.name, type: s.type, workflows: s.workflows, last_commit: s.last_commit, error: s.error, warnings: s.warnings, url: s.url, branch: s.branch, path: s.path, backend: s.backend, last_commit_date: s.last_commit_date, synced_at: s.synced_at });

function printSource(ctx: CliContext, s: SourceInfo): void {
  ctx.out(`${s.name} (${s.type}) ${s.type === 'git' ? `${s.url} branch ${s.branch}` : `${s.path} on ${s.backend}`}`);
  if (s.description) ctx.out(`  ${s.description}`);
  ctx.out(`  glob: ${s.workflows_glob}   last commit: ${s.last_commit ?? '-'}${s.last_commit_date ? ` (${s.last_commit_date})` : ''}`);
  if (s.error) ctx.out(`  error: ${s.error}`);
  for (const w of s.workflow_items) ctx.out(`  ${w.file}  ${w.title ?? ''} (${w.task_count} task${w.task_count === 1 ? '' : 's'})`);
  for (const w of s.warnings) ctx.out(`  warning: ${w}`);
}

export const SOURCE_COMMANDS: CommandDef[] = [
  {
    path: ['source', 'list'],
    args: [],
    summary: 'Configured sources (git repositories and folders) and their workflows',
    options: {},
    async run(ctx) {
      const { sources } = await ctx.client().invoke('sources.list', {});
      if (ctx.json) printJson(ctx, { sources: sources.map(listJson) });
      else if (!sources.length) ctx.out('No sources configured (add a sources: section to scripthut.yaml).');
      else ctx.out(table([['NAME', 'TYPE', 'WHERE', 'COMMIT', 'STATE'], ...sources.map(sourceLine)]));
      return sources.some((s) => s.error) ? 1 : 0;
    },
  },
  {
    path: ['source', 'view'],
    args: ['name'],
    summary: "A source's workflows, last commit, error and warnings",
    options: {},
    async run(ctx) {
      const s = await ctx.client().invoke('sources.view', { name: ctx.args[0] });
      if (ctx.json) printJson(ctx, s);
      else printSource(ctx, s);
      return 0;
    },
  },
  {
    path: ['source', 'sync'],
    args: ['name?'],
    summary: 'Fetch a source (or all) and rediscover its workflows',
    options: {},
    async run(ctx) {
      const { sources } = await ctx.client().invoke('sources.sync', { name: ctx.args[0] });
      if (ctx.json) printJson(ctx, { sources: sources.map(listJson) });
      else for (const s of sources) printSource(ctx, s);
      return sources.some((s) => s.error) ? 1 : 0;
    },
  },
  {
    path: ['task', 'run'],
    args: ['command?'],
    summary: 'Run one command (or a script file) as a one-task run',
    options: {
      backend: { type: 'string', help: 'backend name (default: the only configured one)' },
      'from-file': { type: 'string', help: 'run this script file instead of a command' },
      id: { type: 'string', help: 'task id (default adhoc-<hash>)' },
      'working-dir': { type: 'string', help: 'working directory (default ~)' },
      cpus: { type: 'string', help: 'CPUs' },
      memory: { type: 'string', help: 'memory, e.g. 4G' },
      time: { type: 'string', help: 'time limit, e.g. 1:00:00' },
      partition: { type: 'string', help: 'partition' },
      gres: { type: 'string', help: 'generic resources, e.g. gpu:1' },
      env: { type: 'string', help: 'K=V (comma-separate several: A=1,B=2)' },
      'dry-run': { type: 'boolean', help: 'print the task that would run; submit nothing' },
    },
    async run(ctx) {
      const { task, env } = adhocTask(ctx);
      const backend = ctx.opts.backend as string | undefined;
      if (ctx.opts['dry-run']) {
        printJson(ctx, { task: { ...task, env }, backend: backend ?? null });
        return 0;
      }
      const run = await ctx.client().invoke('runs.createFromWorkflow', { document: { tasks: [task], env }, backend, workflow_name: `_adhoc/${task.id}` });
      if (ctx.json) printJson(ctx, run);
      else ctx.out(`Started run ${run.id} (${task.id}) on ${run.backend_name}.`);
      return 0;
    },
  },
];

/** Inline scripts travel as base64 into a private temp file that is always removed (no quoting of the body). */
export function inlineScriptCommand(script: string): string {
  let body = script.replace(/\r\n?/g, '\n');
  if (!body.startsWith('#!')) body = `#!/bin/bash\n${body}`;
  const b64 = Buffer.from(body, 'utf8').toString('base64');
  return `__SH_TMP=$(mktemp /tmp/scripthut-script-XXXXXX) && trap 'rm -f "$__SH_TMP"' EXIT && echo '${b64}' | base64 -d > "$__SH_TMP" && chmod +x "$__SH_TMP" && "$__SH_TMP"`;
}

export function parseEnvFlag(value: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!value) return out;
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    const k = part.slice(0, eq).trim();
    if (eq <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new UsageError(`--env expects K=V with a shell variable name, got '${part}'.`);
    out[k] = part.slice(eq + 1);
  }
  return out;
}

function adhocTask(ctx: CliContext): { task: Record<string, unknown>; env: Array<{ set: Record<string, string> }> } {
  const cmd = ctx.args[0];
  const file = ctx.opts['from-file'] as string | undefined;
  if ((cmd === undefined) === (file === undefined)) throw new UsageError('Give exactly one of: a command ("task run \'echo hi\'") or --from-file SCRIPT.');
  let command: string;
  if (file !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`Cannot read script file '${file}': ${(err as Error).message}`);
    }
    if (text.length > 200 * 1024) ctx.err(`warning: '${file}' is ${Math.round(text.length / 1024)} KiB; large inline scripts make large job scripts.`);
    command = inlineScriptCommand(text);
  } else command = cmd as string;
  const id = (ctx.opts.id as string | undefined) ?? `adhoc-${createHash('sha256').update(`${command}|${process.hrtime.bigint()}`).update(randomBytes(8)).digest('hex').slice(0, 8)}`;
  const task: Record<string, unknown> = { id, name: id, command };
  const map: Array<[string, string, (v: string) => unknown]> = [
    ['working-dir', 'working_dir', String],
    ['cpus', 'cpus', (v) => (/^\d+$/.test(v) ? Number(v) : v)],
    ['memory', 'memory', String],
    ['time', 'time_limit', String],
    ['partition', 'partition', String],
    ['gres', 'gres', String],
  ];
  for (const [flag, field, conv] of map) if (typeof ctx.opts[flag] === 'string') task[field] = conv(ctx.opts[flag] as string);
  const vars = parseEnvFlag(ctx.opts.env as string | undefined);
  return { task, env: Object.keys(vars).length ? [{ set: vars }] : [] };
}

/** `workflow run NAME --source S [--branch B] [--dry-run]`: the run started, or null after printing a dry run. */
export async function runFromSource(ctx: CliContext): Promise<(RunSummary & { warnings: string[] }) | null> {
  const input = { name: ctx.opts.source as string, workflow: ctx.args[0] as string, branch: ctx.opts.branch as string | undefined, backend: ctx.opts.backend as string | undefined };
  if (ctx.opts['dry-run']) {
    const dry = await ctx.client().invoke('sources.dryRun', input);
    if (ctx.json) printJson(ctx, dry);
    else printDryRun(ctx, dry);
    return null;
  }
  const max = ctx.opts['max-concurrent'] as string | undefined;
  return ctx.client().invoke('sources.run', { ...input, max_concurrent: max === undefined ? undefined : Number(max) });
}

export function printDryRun(ctx: CliContext, d: DryRun): void {
  const src = d.source ? ` from ${d.source.name}${d.source.branch ? `@${d.source.branch}` : ''}${d.source.commit ? ` ${d.source.commit.slice(0, 12)}` : ''}` : '';
  ctx.out(`Dry run of ${d.workflow_name}${src} on ${d.backend}: ${d.tasks.length} tasks; nothing was submitted.`);
  d.levels.forEach((l, i) => ctx.out(`  level ${i}: ${l.join(', ')}`));
  for (const t of d.tasks) {
    ctx.out(`\n--- ${t.id}${t.deps.length ? ` (after ${t.deps.join(', ')})` : ''} in ${t.working_dir}`);
    for (const v of t.env) ctx.out(`  ${v.name}=${v.value}   [${v.ops.map((o) => `${o.op} by ${o.source}`).join(', ')}]`);
    ctx.out(t.script);
  }
  for (const w of d.warnings) ctx.err(`warning: ${w}`);
}
