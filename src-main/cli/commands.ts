// The `scripthut` command registry: one table of commands, each a client of the contract. Every leaf accepts
// --json (a test checks this), prompts and notices go to stderr so --json stdout is one document.
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../src-shared/api/contract';
import type { RunDetail, RunSummary, TaskView } from '../../src-shared/api/schemas';
import { isTerminalRun, isTerminalTask, STATUS_STYLE } from '../../src-shared/model/status';
import { forTerminal } from './terminal-text';
import { failureText } from './failure-text';
import { cliTime } from './time-text';
import { looksSecret, readHidden, readLineFromStdin } from './secret-input';
import { figure, padVisible, visibleLength } from './text';
import { acquireDataDirLock } from '../engine/lock';
import { resolveDataDir } from '../config/settings-defaults';
import { backupDir, listBackups, restoreBackup } from '../store/backup';
import { runFromSource, SOURCE_COMMANDS } from './source-commands';
import { STACK_COMMANDS } from './stack-commands';
import { OUTPUT_COMMANDS } from './output-commands';
import { CONFIG_COMMANDS } from './config-commands';
import { USAGE_COMMANDS } from './usage-commands';

export { UsageError } from './command-def';
export type { Client, OptionSpec, CliContext, CommandDef } from './command-def';
import { UsageError } from './command-def';
import type { CliContext, Client, CommandDef } from './command-def';

const fmtTime = (iso: string | null) => cliTime(iso);
const progress = (r: RunSummary) => `${r.status_counts.completed ?? 0}/${r.task_count}`;

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => visibleLength(r[i] ?? '')))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : padVisible(c, widths[i] ?? 0))).join('  ')).join('\n');
}

function colour(status: keyof typeof STATUS_STYLE, tty: boolean): string {
  if (!tty) return status;
  const code = { idle: 90, busy: 34, good: 32, bad: 31, muted: 90 }[STATUS_STYLE[status].tone];
  return `\u001b[${code}m${status}\u001b[0m`;
}

function printJson(ctx: CliContext, value: unknown): void {
  ctx.out(JSON.stringify(value, null, 2));
}

/** The run-view shape documented for scripts: the summary plus items with the original API's fields. */
function runViewJson(run: RunDetail): Record<string, unknown> {
  return {
    ...run,
    items: run.items.map((t: TaskView) => ({
      id: t.id,
      name: t.name,
      status: t.status,
      job_id: t.job_id,
      exit_code: t.exit_code,
      error: t.error,
      submitted_at: t.submitted_at,
      started_at: t.started_at,
      finished_at: t.finished_at,
      attempt: t.attempt,
      deps: t.deps,
      pending_reason: t.pending_reason,
      generated_by: t.generated_by,
    })),
  };
}

/** "showing 1–1000 of 100000 tasks" (of the matching ones when filtered). */
function showingLine(run: RunDetail): string {
  const of = run.matched_items === run.total_items ? `${run.total_items} tasks` : `${run.matched_items} matching tasks (${run.total_items} in the run)`;
  if (!run.items.length) return `showing 0 of ${of}`;
  return `showing ${run.item_offset + 1}–${run.item_offset + run.items.length} of ${of}`;
}

/** Every matching task of a run, fetched page by page (the largest page the API allows). */
async function allTaskPages(client: Client, query: Record<string, unknown>): Promise<RunDetail> {
  const start = (query.offset as number | undefined) ?? 0;
  const first = await client.invoke('runs.get', { ...query, offset: start, limit: 5000 });
  const items = [...first.items];
  while (first.items.length && start + items.length < first.matched_items) {
    const next = await client.invoke('runs.get', { ...query, offset: start + items.length, limit: 5000 });
    if (!next.items.length) break;
    items.push(...next.items);
  }
  // Every matching task is here, so the page size of the first call would mislead.
  return { ...first, items, item_limit: undefined };
}

/** A whole-number option; `min` 1 where 0 makes no sense (a page of 0, a watch that polls without pause). */
function intOpt(ctx: CliContext, name: string, min = 0): number | undefined {
  const v = ctx.opts[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number, got '${String(v)}'`);
  if (n < min) throw new UsageError(`--${name} must be at least ${min}, got ${n}`);
  return n;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** True for the engine's "workflow is invalid" answer (as opposed to e.g. an unknown --backend). */
function hasWorkflowErrors(details: unknown): boolean {
  return typeof details === 'object' && details !== null && Array.isArray((details as { errors?: unknown }).errors);
}

async function watchRun(ctx: CliContext, id: string, intervalS: number, exitStatus: boolean): Promise<number> {
  const client = ctx.client();
  let lastLine = '';
  for (;;) {
    const run = await client.invoke('runs.get', { id });
    if (!ctx.json) {
      const counts = Object.entries(run.status_counts)
        .filter(([, n]) => n > 0)
        .map(([s, n]) => `${n} ${s}`)
        .join(', ');
      const line = `${run.id} ${run.status} — ${counts}`;
      if (line !== lastLine) ctx.err(line);
      lastLine = line;
    }
    if (isTerminalRun(run.status)) {
      // runs.get answers one page; the final --json document keeps listing every task, as before paging.
      if (ctx.json) printJson(ctx, runViewJson(run.matched_items > run.items.length ? await allTaskPages(client, { id }) : run));
      else {
        for (const t of run.items.filter((x) => x.status !== 'completed')) ctx.out(`  ${t.id}: ${t.status}${t.exit_code !== null ? ` (exit ${t.exit_code})` : ''}${failureText(t) ? ` — ${failureText(t)}` : ''}`);
        ctx.out(`Run ${run.id} ${run.status}: ${run.status_counts.completed ?? 0}/${run.task_count} tasks completed.`);
      }
      return exitStatus && run.status !== 'completed' ? 1 : 0;
    }
    await sleep(intervalS * 1000);
  }
}

export const COMMANDS: CommandDef[] = [
  {
    path: ['workflow', 'run'],
    args: ['file'],
    summary: 'Validate a workflow JSON file and start a run of it',
    options: {
      backend: { type: 'string', help: 'backend name (default: the only configured one)' },
      name: { type: 'string', help: 'workflow name (default: the file name)' },
      'max-concurrent': { type: 'string', help: "cap on this run's jobs in flight" },
      watch: { type: 'boolean', help: 'then watch it; exit 1 unless it completes' },
      source: { type: 'string', help: "run the workflow FILE of this configured source (re-synced first)" },
      branch: { type: 'string', help: 'with --source (git): use this branch instead of the configured one' },
      'dry-run': { type: 'boolean', help: 'with --source: print scripts, env and DAG; submit nothing' },
    },
    async run(ctx) {
      if (ctx.opts.source !== undefined || ctx.opts.branch !== undefined || ctx.opts['dry-run']) {
        if (ctx.opts.source === undefined) throw new UsageError('--branch and --dry-run need --source NAME.');
        const started = await runFromSource(ctx);
        if (!started) return 0;
        if (ctx.opts.watch) return watchRun(ctx, started.id, 2, true);
        if (ctx.json) printJson(ctx, started);
        else ctx.out(`Started run ${started.id} (${started.workflow_name}, ${started.task_count} tasks, commit ${started.source?.commit?.slice(0, 12) ?? '-'}) on ${started.backend_name}.`);
        return 0;
      }
      const file = ctx.args[0] as string;
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (err) {
        throw new UsageError(`Cannot read workflow file '${file}': ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
      }
      const name = (ctx.opts.name as string | undefined) ?? path.basename(file).replace(/\.json$/i, '');
      const run = await ctx.client()
        .invoke('runs.createFromWorkflow', { text, backend: ctx.opts.backend as string | undefined, workflow_name: name, max_concurrent: intOpt(ctx, 'max-concurrent', 1) })
        .catch((err: unknown) => {
          // The engine sees only the text; the file name is what makes "line 3, column 13" findable.
          if (err instanceof ApiError && err.code === 'bad_input' && hasWorkflowErrors(err.details)) throw new ApiError(err.code, `${file}: ${err.message}`, err.details);
          throw err;
        });
      for (const w of run.warnings ?? []) ctx.err(`warning: ${file}: ${w}`);
      if (ctx.opts.watch) return watchRun(ctx, run.id, 2, true);
      if (ctx.json) printJson(ctx, run);
      else {
        ctx.out(`Started run ${run.id} (${run.workflow_name}, ${run.task_count} tasks) on ${run.backend_name}.`);
        ctx.err(`Watch it with: scripthut run watch ${run.id} --exit-status`);
      }
      return 0;
    },
  },
  {
    path: ['run', 'list'],
    args: [],
    summary: 'List runs, newest first',
    options: {
      limit: { type: 'string', help: 'how many (default 20, at most 500)' },
      workflow: { type: 'string', help: 'only this workflow' },
      status: { type: 'string', help: 'only these run statuses (comma list)' },
      backend: { type: 'string', help: 'only runs on this backend' },
      search: { type: 'string', help: 'text in the run id, workflow name or title' },
      cursor: { type: 'string', help: 'the next page: the cursor printed by the previous page' },
    },
    async run(ctx) {
      const str = (name: string) => ctx.opts[name] as string | undefined;
      const asked = intOpt(ctx, 'limit', 1) ?? 20;
      const page = await ctx.client().invoke('runs.list', {
        limit: asked,
        workflow: str('workflow'),
        status: str('status'),
        backend: str('backend'),
        q: str('search'),
        cursor: str('cursor'),
      });
      const { runs } = page;
      if (page.limit !== undefined && page.limit < asked) ctx.err(`At most ${page.limit} runs per page: showing ${page.limit}, not ${asked}; follow the next cursor for more.`);
      if (ctx.json) printJson(ctx, { runs, total: page.total, next_cursor: page.next_cursor, limit: page.limit });
      else if (!runs.length) {
        const filters = (['status', 'backend', 'workflow', 'search'] as const).filter((k) => str(k) !== undefined).map((k) => `--${k} ${str(k)!}`);
        ctx.out(page.total || ctx.opts.cursor ? 'No runs on this page.' : filters.length ? `No runs match ${filters.join(' ')}.` : 'No runs yet. Start one with: scripthut workflow run <file.json>');
      }
      else {
        ctx.out(table([['ID', 'STATUS', 'PROGRESS', 'WORKFLOW', 'BACKEND', 'CREATED'], ...runs.map((r) => [r.id, colour(r.status, ctx.isTTY), progress(r), r.workflow_name, r.backend_name, fmtTime(r.created_at)])]));
        ctx.out(`${runs.length} of ${page.total} runs.`);
        if (page.next_cursor) ctx.err(`Next page: scripthut run list --cursor ${page.next_cursor} (with the same filters)`);
      }
      return 0;
    },
  },
  {
    path: ['run', 'view'],
    args: ['id'],
    summary: 'Show a run and its tasks (one page; --json without --limit gives every task)',
    options: {
      status: { type: 'string', help: 'only tasks with these statuses (comma list)' },
      search: { type: 'string', help: 'text in the task id or name' },
      limit: { type: 'string', help: 'tasks per page (default 1000, at most 5000)' },
      offset: { type: 'string', help: 'skip this many matching tasks' },
      sort: { type: 'string', help: 'id, status, submitted_at, started_at, finished_at or duration (default: task order)' },
      order: { type: 'string', help: 'asc or desc' },
    },
    async run(ctx) {
      const query = {
        id: ctx.args[0],
        status: ctx.opts.status as string | undefined,
        q: ctx.opts.search as string | undefined,
        sort: ctx.opts.sort as string | undefined,
        order: ctx.opts.order as string | undefined,
        limit: intOpt(ctx, 'limit', 1),
        offset: intOpt(ctx, 'offset'),
      };
      const client = ctx.client();
      // Scripts written before paging expect every task from `run view --json`: without --limit, page through.
      const run = ctx.json && query.limit === undefined ? await allTaskPages(client, query) : await client.invoke('runs.get', query);
      if (query.limit !== undefined && run.item_limit !== undefined && run.item_limit < query.limit) {
        ctx.err(`At most ${run.item_limit} tasks per page: showing ${run.item_limit}, not ${query.limit}; use --offset for the next page.`);
      }
      if (ctx.json) printJson(ctx, runViewJson(run));
      else {
        ctx.out(`Run ${run.id}  ${run.workflow_name}  on ${run.backend_name}  ${colour(run.status, ctx.isTTY)}  ${progress(run)} completed  (created ${fmtTime(run.created_at)})`);
        if (run.halted_reason) ctx.out(`Submissions halted: ${run.halted_reason}`);
        ctx.out(table([['TASK', 'STATUS', 'JOB', 'EXIT', 'STARTED', 'FINISHED', 'ERROR'], ...run.items.map((t) => [t.id, colour(t.status, ctx.isTTY), t.job_id ?? '-', t.exit_code === null ? '-' : String(t.exit_code), fmtTime(t.started_at), fmtTime(t.finished_at), failureText(t)])]));
        ctx.out(showingLine(run));
      }
      return 0;
    },
  },
  {
    path: ['run', 'watch'],
    args: ['id'],
    summary: 'Follow a run until it finishes',
    options: { 'exit-status': { type: 'boolean', help: 'exit 1 unless the run completes' }, interval: { type: 'string', help: 'seconds between checks (default 2)' } },
    run: (ctx) => watchRun(ctx, ctx.args[0] as string, intOpt(ctx, 'interval', 1) ?? 2, !!ctx.opts['exit-status']),
  },
  {
    path: ['run', 'logs'],
    args: ['id', 'task'],
    summary: "Print a task's log (or follow it with -f)",
    options: {
      error: { type: 'boolean', help: 'the error log instead of the output' },
      tail: { type: 'string', help: 'only the last N lines' },
      follow: { type: 'boolean', short: 'f', help: 'keep printing new output until the task finishes' },
      attempt: { type: 'string', help: 'an earlier attempt' },
    },
    async run(ctx) {
      const client = ctx.client();
      const base = { run_id: ctx.args[0], task_id: ctx.args[1], type: ctx.opts.error ? 'error' : 'output', attempt: intOpt(ctx, 'attempt') };
      if (!ctx.opts.follow) {
        const chunk = await client.invoke('tasks.log', { ...base, tail: intOpt(ctx, 'tail') });
        if (ctx.json) printJson(ctx, chunk);
        else process.stdout.write(forTerminal(chunk.content, 'sgr'));
        return 0;
      }
      let chunk = await client.invoke('tasks.log', { ...base, tail: intOpt(ctx, 'tail') });
      const pieces = [chunk.content];
      if (!ctx.json) process.stdout.write(forTerminal(chunk.content, 'sgr'));
      while (!chunk.complete) {
        await sleep(1000);
        chunk = await client.invoke('tasks.log', { ...base, offset: chunk.next_offset });
        if (chunk.content) {
          pieces.push(chunk.content);
          if (!ctx.json) process.stdout.write(forTerminal(chunk.content, 'sgr'));
        }
      }
      if (ctx.json) printJson(ctx, { ...chunk, content: pieces.join('') });
      return 0;
    },
  },
  {
    path: ['run', 'env'],
    args: ['id', 'task'],
    summary: "A task's environment and where each variable came from",
    options: { attempt: { type: 'string', help: 'an earlier attempt' } },
    async run(ctx) {
      const env = await ctx.client().invoke('tasks.env', { run_id: ctx.args[0], task_id: ctx.args[1], attempt: intOpt(ctx, 'attempt') });
      if (ctx.json) printJson(ctx, env);
      else {
        if (!env.resolved) ctx.err('(not submitted yet: this is what the task would get with the current configuration)');
        for (const v of env.vars) ctx.out(`${v.name}=${JSON.stringify(v.value)}\n    ${v.ops.map((o) => `${o.op} by ${o.source}: ${JSON.stringify(o.contribution)}`).join('\n    ')}`);
        if (env.init.trim()) ctx.out(`init:\n${env.init.replace(/^/gm, '    ')}`);
        for (const w of env.warnings) ctx.err(`warning: ${w}`);
      }
      return 0;
    },
  },
  {
    path: ['run', 'script'],
    args: ['id', 'task'],
    summary: 'The exact submission script of a task (current or an earlier attempt)',
    options: { attempt: { type: 'string', help: 'an earlier attempt' } },
    async run(ctx) {
      const res = await ctx.client().invoke('tasks.script', { run_id: ctx.args[0], task_id: ctx.args[1], attempt: intOpt(ctx, 'attempt') });
      if (ctx.json) printJson(ctx, res);
      else if (res.script === null) ctx.err(`Task ${res.task_id} has no script for attempt ${res.attempt} (not submitted yet).`);
      else process.stdout.write(forTerminal(res.script));
      return 0;
    },
  },
  {
    path: ['run', 'cancel'],
    args: ['id'],
    summary: 'Cancel a run (or one task with --task)',
    options: { task: { type: 'string', help: 'cancel only this task' } },
    async run(ctx) {
      const res = await ctx.client().invoke('runs.cancel', { id: ctx.args[0], task: ctx.opts.task as string | undefined });
      if (ctx.json) printJson(ctx, res);
      else ctx.out(res.cancelled ? `Cancelled ${ctx.opts.task ? `task ${String(ctx.opts.task)} of ` : ''}run ${res.run_id}.` : `Nothing to cancel in run ${res.run_id}.`);
      return 0;
    },
  },
  {
    path: ['run', 'rerun'],
    args: ['id'],
    summary: 'Rerun a finished run in place as a new attempt',
    options: { failed: { type: 'boolean', help: 'only failed tasks and what depends on them' } },
    async run(ctx) {
      const run = await ctx.client().invoke('runs.rerun', { id: ctx.args[0], failed_only: !!ctx.opts.failed });
      if (ctx.json) printJson(ctx, run);
      else ctx.out(`Rerunning ${run.id} (attempt ${run.attempt}).`);
      return 0;
    },
  },
  {
    path: ['run', 'delete'],
    args: ['id'],
    summary: 'Delete a finished run from the history',
    options: {},
    async run(ctx) {
      const res = await ctx.client().invoke('runs.delete', { id: ctx.args[0] });
      if (ctx.json) printJson(ctx, res);
      else ctx.out(`Deleted run ${res.run_id}.`);
      return 0;
    },
  },
  {
    path: ['backend', 'list'],
    args: [],
    summary: 'List backends and their state',
    options: {},
    async run(ctx) {
      const { backends } = await ctx.client().invoke('backends.list', {});
      if (ctx.json) printJson(ctx, { backends });
      else ctx.out(table([['NAME', 'TYPE', 'STATE', 'IN FLIGHT', 'MAX_CONCURRENT', 'DETAIL'], ...backends.map((b) => [b.name, b.type, b.state, String(b.in_flight), String(b.max_concurrent), b.detail ?? ''])]));
      return 0;
    },
  },
  {
    path: ['backend', 'info'],
    args: ['name'],
    summary: "A cluster's partitions, free CPUs/GPUs and pending reasons",
    options: {},
    async run(ctx) {
      const info = await ctx.client().invoke('backends.info', { name: ctx.args[0] });
      if (ctx.json) printJson(ctx, info);
      else {
        ctx.out(table([['PARTITION', 'CPUS IDLE/TOTAL', 'GPUS', 'NODES', 'TIME LIMIT'], ...info.partitions.map((p) => [`${p.name}${p.is_default ? '*' : ''}`, `${p.cpus_idle}/${p.cpus_total}`, String(p.gpus_total), String(p.nodes), p.time_limit ?? '-'])]));
        const reasons = Object.entries(info.pending_reasons);
        if (reasons.length) ctx.out(`Pending: ${reasons.map(([r, n]) => `${n} ${r}`).join(', ')}`);
      }
      return 0;
    },
  },
  {
    path: ['backend', 'commands'],
    args: ['name'],
    summary: 'The commands the app ran on a backend, newest first, and its scheduler RPC count',
    options: { limit: { type: 'string', help: 'how many (default 50)' } },
    async run(ctx) {
      const res = await ctx.client().invoke('backends.commands', { name: ctx.args[0], limit: intOpt(ctx, 'limit', 1) ?? 50 });
      if (ctx.json) printJson(ctx, res);
      else {
        ctx.out(`Commands since the engine started: ${Object.entries(res.counts).map(([k, n]) => `${n} ${k}`).join(', ') || '(none counted)'}`);
        for (const c of res.commands) ctx.out(`${fmtTime(c.at)}  [${c.kind}] exit ${c.exit_code}  ${c.duration_ms} ms  ${c.command.split('\n')[0]}${c.command.includes('\n') ? ' …' : ''}`);
      }
      return 0;
    },
  },
  {
    path: ['jobs', 'list'],
    args: [],
    summary: 'Jobs in the queue that were not submitted by the app',
    options: { backend: { type: 'string', help: 'only this backend' }, all: { type: 'boolean', help: 'include jobs that left the queue' } },
    async run(ctx) {
      const { jobs } = await ctx.client().invoke('jobs.external', { backend: ctx.opts.backend as string | undefined, include_gone: !!ctx.opts.all });
      if (ctx.json) printJson(ctx, { jobs });
      else if (!jobs.length) ctx.out('No external jobs.');
      else ctx.out(table([['BACKEND', 'JOB', 'NAME', 'USER', 'STATE', 'REASON'], ...jobs.map((j) => [j.backend, j.job_id, j.name, j.user, j.gone_at ? `${j.state} (gone)` : j.state, j.reason ?? ''])]));
      return 0;
    },
  },
  {
    path: ['prompts', 'list'],
    args: [],
    summary: 'Questions a backend is waiting on (2FA codes, key passphrases, unknown host keys)',
    options: {},
    async run(ctx) {
      const { prompts } = await ctx.client().invoke('prompts.list', {});
      if (ctx.json) printJson(ctx, { prompts });
      else if (!prompts.length) ctx.out('No backend is waiting for you.');
      else for (const p of prompts) ctx.out(`${p.id}  ${p.backend}  ${p.kind}: ${p.title}\n    ${p.instructions.replace(/\n/g, '\n    ')}${p.prompts.map((q) => `\n    > ${q.prompt}`).join('')}${p.can_remember ? '\n    (answer with --remember to keep it in the OS keychain)' : ''}`);
      return 0;
    },
  },
  {
    path: ['prompts', 'answer'],
    args: ['id', 'answer?'],
    minArgs: 1,
    summary: "Answer a backend's question (asked with no echo; or --stdin; for a host key: yes or no)",
    options: {
      stdin: { type: 'boolean', help: 'read the answer from the first line of stdin' },
      remember: { type: 'boolean', help: 'remember this key passphrase in the OS keychain (only an engine run by the desktop app has one)' },
    },
    async run(ctx) {
      let answer = ctx.args[1];
      if (answer !== undefined) {
        if (looksSecret(answer)) ctx.err('warning: an answer given as an argument stays in your shell history and is visible to other local users while the command runs; leave it out to be asked, or use --stdin.');
      } else if (ctx.opts.stdin) answer = await readLineFromStdin(process.stdin);
      else answer = await readHidden('Answer (not shown): ', { stdin: process.stdin, stderr: process.stderr });
      const decline = /^(no|n)$/i.test(answer);
      const res = await ctx.client().invoke('prompts.respond', { id: ctx.args[0], answers: decline ? null : [answer], ...(ctx.opts.remember ? { remember: true } : {}) });
      if (ctx.json) printJson(ctx, res);
      else ctx.out(decline ? 'Declined.' : 'Answered.');
      return 0;
    },
  },
  {
    path: ['run', 'cost'],
    args: ['id'],
    summary: 'What a run cost: allocation units (backend cost block) or cloud dollars (price snapshot), per task',
    options: {},
    async run(ctx) {
      const c = await ctx.client().invoke('runs.cost', { id: ctx.args[0] });
      if (ctx.json) printJson(ctx, c);
      else {
        const unit = c.currency ?? '';
        const dated = c.price_date ? ` (prices of ${c.price_date})` : '';
        if (c.costed_tasks === 0) ctx.out(`Run ${c.run_id}: not costed — none of its ${c.uncosted_tasks} task(s) could be costed (why below)`);
        else ctx.out(`Run ${c.run_id}: ${figure(c.total)} ${unit}${dated} — ${c.costed_tasks} task(s) costed, ${c.uncosted_tasks} not costed`);
        const rows = c.tasks.map((t) => [t.task_id, t.cost === null ? '-' : figure(t.cost), t.reason ?? '']);
        if (rows.length) ctx.out(table([['TASK', `COST ${unit}`.trim(), 'WHY NOT COSTED'], ...rows]));
      }
      return 0;
    },
  },
  {
    path: ['usage'],
    args: [],
    summary: 'CPU-hours and cost per day, backend or workflow (default: last 30 days, by day)',
    options: {
      since: { type: 'string', help: 'start date (YYYY-MM-DD or ISO time)' },
      by: { type: 'string', help: 'day | backend | workflow | source | hour' },
      split: { type: 'string', help: 'a second grouping per row: backend | workflow | source' },
      tz: { type: 'string', help: 'IANA time zone for days (default: this machine\'s)' },
    },
    async run(ctx) {
      const tz = (ctx.opts.tz as string | undefined) ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
      const u = await ctx.client().invoke('usage.summary', { since: ctx.opts.since as string | undefined, by: ctx.opts.by as string | undefined, tz, ...(ctx.opts.split ? { split: ctx.opts.split as string } : {}) });
      if (ctx.json) printJson(ctx, u);
      else {
        const currencies = [...new Set(u.rows.flatMap((r) => Object.keys(r.cost)))].sort();
        const dated = u.price_date ? ` (cloud prices of ${u.price_date})` : '';
        ctx.out(`Usage since ${u.since.slice(0, 10)} by ${u.by} (${u.time_zone}): ${figure(u.total_cpu_hours)} CPU-hours${dated}`);
        if (u.rows.length) ctx.out(table([[u.by.toUpperCase(), ...(u.split ? [u.split.toUpperCase()] : []), 'CPU-HOURS', 'TASKS', ...currencies], ...u.rows.map((r) => [r.key, ...(u.split ? [r.series ?? ''] : []), figure(r.cpu_hours), String(r.tasks), ...currencies.map((c) => (r.cost[c] === undefined ? '-' : figure(r.cost[c])))])]));
      }
      return 0;
    },
  },
  {
    path: ['status'],
    args: [],
    summary: "The engine's health and configuration state",
    options: {},
    async run(ctx) {
      const h = await ctx.client().invoke('health', {});
      if (ctx.json) printJson(ctx, h);
      else {
        ctx.out(`ScriptHut engine ${h.version} (pid ${h.pid}) — ${h.status}; data in ${h.data_dir}`);
        ctx.out(`Config: ${h.config_file ?? '(none: embedded default)'}${h.config_error ? `\nConfig error (running on the embedded default until it is fixed):\n${h.config_error.message}` : ''}`);
        if (h.log_file) ctx.out(`Log file: ${h.log_file}`);
        // health names only connected or not; the state word is the one `backend list` shows, and a backend
        // that is down also says why (its state and last error).
        const states = await ctx.client().invoke('backends.list', {}).then((r) => r.backends, () => []);
        for (const b of h.backends) {
          const info = states.find((d) => d.name === b.name);
          const why = info ? ` — ${info.state}${info.detail ? `: ${info.detail}` : ''}` : '';
          ctx.out(`  ${b.name} (${b.type}): ${b.connected ? (info?.state ?? 'ready') : `not ready${why}`}`);
        }
        if (h.price_date) ctx.out(`Cloud prices of ${h.price_date} (\`scripthut pricing refresh\` updates them)`);
        for (const a of h.budget_alerts ?? []) ctx.err(`budget: ${a.message}`);
        if (h.disk_warning) ctx.err(`warning: ${h.disk_warning}`);
        for (const w of h.config_warnings ?? []) ctx.err(`warning: ${h.config_file ?? 'config'}${w.line ? `:${w.line}` : ''}: ${w.message}`);
      }
      return h.config_error ? 1 : 0;
    },
  },
  // History database backups: these work on the data folder directly, without an engine running.
  {
    path: ['db', 'backups'],
    args: [],
    summary: 'List the daily backups of the history database (newest first)',
    options: {},
    async run(ctx) {
      const backups = listBackups(cliDataDir(ctx));
      if (ctx.json) printJson(ctx, { backups });
      else if (!backups.length) ctx.out(`No backups yet in ${backupDir(cliDataDir(ctx))} (one is written each day the engine runs).`);
      else ctx.out(table([['DAY', 'SIZE', 'FILE'], ...backups.map((b) => [b.day, `${Math.ceil(b.bytes / 1024)} KiB`, b.file])]));
      return 0;
    },
  },
  {
    path: ['db', 'restore'],
    args: ['file'],
    summary: 'Replace the history database with a backup (the engine must be stopped; the old file is kept)',
    options: {},
    async run(ctx) {
      const dataDir = cliDataDir(ctx);
      let lock: { release(): void };
      try {
        lock = acquireDataDirLock(dataDir);
      } catch (err) {
        throw new ApiError('conflict', `Stop ScriptHut before restoring: ${(err as Error).message}`);
      }
      try {
        if (!fs.existsSync(ctx.args[0] as string)) throw new ApiError('not_found', `No such backup: ${path.resolve(ctx.args[0] as string)}. List them with \`scripthut db backups\`.`);
        const r = restoreBackup(dataDir, ctx.args[0] as string);
        if (ctx.json) printJson(ctx, r);
        else ctx.out(`Restored ${r.restored} from ${path.resolve(ctx.args[0] as string)}.${r.previous ? ` The previous file was kept as ${r.previous}.` : ''}`);
        return 0;
      } finally {
        lock.release();
      }
    },
  },
  ...SOURCE_COMMANDS,
  ...STACK_COMMANDS,
  ...OUTPUT_COMMANDS,
  ...CONFIG_COMMANDS,
  ...USAGE_COMMANDS,
];

function cliDataDir(ctx: CliContext): string {
  const given = ctx.opts['data-dir'];
  return resolveDataDir(typeof given === 'string' && given ? given : undefined);
}

export { isTerminalTask };
