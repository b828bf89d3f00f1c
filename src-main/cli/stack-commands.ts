// `scripthut stack list|check|install|delete`: clients of the stacks calls. An install is a run, so --watch
// follows that run and checks the stack when it ends.
import type { StackInfo, StackStatus } from '../../src-shared/api/stack-schemas';
import { isTerminalRun } from '../../src-shared/model/status';
import type { CliContext, CommandDef } from './command-def';
import { UsageError } from './command-def';
import { cliTime } from './time-text';

const printJson = (ctx: CliContext, v: unknown) => ctx.out(JSON.stringify(v, null, 2));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')).join('\n');
}

export function formatSize(bytes: number | null): string {
  if (bytes === null) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** The documented `stack check --json` item, exactly these keys. */
const statusJson = (s: StackStatus) => ({ name: s.name, backend: s.backend, state: s.state, hash: s.hash, path: s.path, last_built: s.last_built, size_bytes: s.size_bytes, error: s.error });

function statusLine(s: StackStatus): string {
  const built = s.state === 'ready' ? ` built ${s.last_built ?? '?'}, ${formatSize(s.size_bytes)}` : '';
  return `${s.name} on ${s.backend}: ${s.state}${built} (${s.path})${s.error ? `\n  ${s.error}` : ''}`;
}

function intervalOf(ctx: CliContext): number {
  const v = ctx.opts.interval;
  if (v === undefined) return 2;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--interval must be a positive number of seconds, got '${String(v)}'.`);
  return n;
}

const common = {
  backend: { type: 'string' as const, help: 'backend name (default: the only one the stack can be built on)' },
  source: { type: 'string' as const, help: "also see the stacks of this source's repository scripthut.yaml" },
};

export const STACK_COMMANDS: CommandDef[] = [
  {
    path: ['stack', 'list'],
    args: [],
    summary: 'Defined stacks and their last checked state on each backend',
    options: { source: common.source },
    async run(ctx) {
      const { stacks, warnings } = await ctx.client().invoke('stacks.list', { source: ctx.opts.source as string | undefined });
      if (ctx.json) printJson(ctx, { stacks, warnings });
      else if (!stacks.length) ctx.out("No stacks defined (add a stacks: section to scripthut.yaml).");
      else {
        const rows = [['NAME', 'SOURCE', 'HASH', 'BACKEND', 'STATE', 'LAST BUILT', 'SIZE', 'CHECKED']];
        for (const s of stacks as StackInfo[]) {
          if (!s.states.length) rows.push([s.name, s.source ?? '-', s.hash, '-', '(no backend can build it)', '-', '-', '-']);
          for (const st of s.states) rows.push([s.name, s.source ?? '-', s.hash, st.backend, st.stale ? `${st.state} (changed)` : st.state, cliTime(st.last_built), formatSize(st.size_bytes), st.checked_at ? cliTime(st.checked_at) : 'never']);
        }
        ctx.out(table(rows));
      }
      for (const w of warnings) ctx.err(`warning: ${w}`);
      return 0;
    },
  },
  {
    path: ['stack', 'check'],
    args: ['name?'],
    minArgs: 0,
    summary: 'Ask the backend (one command) whether a stack is missing, installing or ready; exit 1 unless ready',
    options: common,
    async run(ctx) {
      const client = ctx.client();
      const source = ctx.opts.source as string | undefined;
      const backend = ctx.opts.backend as string | undefined;
      const name = ctx.args[0];
      if (name !== undefined) {
        const s = await client.invoke('stacks.check', { name, backend, source });
        if (ctx.json) printJson(ctx, statusJson(s));
        else ctx.out(statusLine(s));
        return s.state === 'ready' ? 0 : 1;
      }
      // Every stack on every backend it can be built on (or on --backend).
      const { stacks } = await client.invoke('stacks.list', { source });
      const results: StackStatus[] = [];
      for (const st of stacks) {
        for (const b of st.backends.filter((x) => backend === undefined || x === backend)) results.push(await client.invoke('stacks.check', { name: st.name, backend: b, source }));
      }
      if (ctx.json) printJson(ctx, results.map(statusJson));
      else if (!results.length) ctx.out(backend ? `No stack can be built on backend '${backend}'.` : 'No stacks defined.');
      else for (const s of results) ctx.out(statusLine(s));
      return results.every((s) => s.state === 'ready') ? 0 : 1;
    },
  },
  {
    path: ['stack', 'install'],
    args: ['name'],
    summary: 'Build a stack on a backend as a one-task run (nothing to do when it is ready, unless --rebuild)',
    options: {
      ...common,
      rebuild: { type: 'boolean', help: 'remove the existing build and build again' },
      watch: { type: 'boolean', help: 'follow the install run; exit 1 unless the stack ends up ready' },
      interval: { type: 'string', help: 'seconds between checks with --watch (default 2)' },
    },
    async run(ctx) {
      const client = ctx.client();
      const input = { name: ctx.args[0] as string, backend: ctx.opts.backend as string | undefined, source: ctx.opts.source as string | undefined };
      const interval = intervalOf(ctx);
      const run = await client.invoke('stacks.install', { ...input, rebuild: !!ctx.opts.rebuild });
      if (!ctx.opts.watch) {
        if (ctx.json) printJson(ctx, run);
        else ctx.out(`Started install run ${run.id} of stack ${input.name} on ${run.backend_name}. Watch it with: scripthut run watch ${run.id}`);
        return 0;
      }
      if (!ctx.json) ctx.err(`Install run ${run.id} of stack ${input.name} on ${run.backend_name}…`);
      let final: { status: typeof run.status } = run;
      let taskId = '';
      let last = '';
      while (!isTerminalRun(final.status)) {
        await sleep(interval * 1000);
        const detail = await client.invoke('runs.get', { id: run.id });
        taskId = detail.items[0]?.id ?? taskId;
        final = detail;
        if (!ctx.json && final.status !== last) ctx.err(`${run.id} ${final.status}`);
        last = final.status;
      }
      const stack = await client.invoke('stacks.check', { ...input, backend: run.backend_name });
      if (ctx.json) printJson(ctx, { run: final, stack: statusJson(stack) });
      else {
        ctx.out(`Run ${run.id} ${final.status}.`);
        ctx.out(statusLine(stack));
        if (final.status !== 'completed') ctx.out(`See its log: scripthut run logs ${run.id} ${taskId}`);
      }
      return final.status === 'completed' && stack.state === 'ready' ? 0 : 1;
    },
  },
  {
    path: ['stack', 'delete'],
    args: ['name'],
    summary: 'Remove every build of a stack from a backend',
    options: common,
    async run(ctx) {
      const r = await ctx.client().invoke('stacks.delete', { name: ctx.args[0] as string, backend: ctx.opts.backend as string | undefined, source: ctx.opts.source as string | undefined });
      if (ctx.json) printJson(ctx, r);
      else ctx.out(`Deleted stack ${r.name} on ${r.backend}.`);
      return 0;
    },
  },
];
