// `usage rightsizing` and `pricing refresh`: clients of usage.rightsizing and pricing.refresh.
import type { CliContext, CommandDef } from './command-def';
import { UsageError } from './command-def';
import { padVisible, visibleLength } from './text';

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => visibleLength(r[i] ?? '')))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : padVisible(c, widths[i] ?? 0))).join('  ')).join('\n');
}
const printJson = (ctx: CliContext, value: unknown) => ctx.out(JSON.stringify(value, null, 2));
const gb = (n: number | null) => (n === null ? '-' : `${n.toFixed(2)}G`);

export const USAGE_COMMANDS: CommandDef[] = [
  {
    path: ['usage', 'rightsizing'],
    args: [],
    summary: 'Requested vs used memory/cpus/time of completed tasks, with suggested requests and what they save',
    options: {
      workflow: { type: 'string', help: 'only this workflow' },
      days: { type: 'string', help: 'look back this many days (default 30)' },
    },
    async run(ctx) {
      const raw = ctx.opts.days as string | undefined;
      if (raw !== undefined && !/^[1-9]\d{0,3}$/.test(raw)) throw new UsageError(`--days must be a whole number of days (1-9999), got '${raw}'.`);
      const r = await ctx.client().invoke('usage.rightsizing', { workflow: ctx.opts.workflow as string | undefined, ...(raw ? { days: Number(raw) } : {}) });
      if (ctx.json) printJson(ctx, r);
      else if (!r.tasks.length) ctx.out(`No completed tasks since ${r.since.slice(0, 10)}${ctx.opts.workflow ? ` in workflow '${String(ctx.opts.workflow)}'` : ''}.`);
      else {
        ctx.out(`Right-sizing of completed tasks since ${r.since.slice(0, 10)}:`);
        ctx.out(
          table([
            ['WORKFLOW', 'TASK', 'RUNS', 'MEM ASKED', 'MEM USED', 'SUGGESTED', 'GB-H SAVED', 'CPU EFF', 'SUGG CPUS'],
            ...r.tasks.map((t) => [t.workflow, t.name, String(t.runs), gb(t.memory_requested_gb), gb(t.memory_max_used_gb), t.suggested_memory ?? '-', t.memory_gb_hours_saved === null ? '-' : t.memory_gb_hours_saved.toFixed(2), t.cpu_efficiency_mean === null ? '-' : `${t.cpu_efficiency_mean.toFixed(0)} %`, t.suggested_cpus === null ? '-' : String(t.suggested_cpus)]),
          ]),
        );
        for (const t of r.tasks) for (const a of t.advice) ctx.out(`  ${t.workflow}/${t.name}: ${a}`);
      }
      return 0;
    },
  },
  {
    path: ['pricing', 'refresh'],
    args: [],
    summary: 'Download current AWS EC2 prices into the data folder (they then override the shipped snapshot)',
    options: { region: { type: 'string', help: 'comma-separated AWS regions (default: pricing.region of the config)' } },
    async run(ctx) {
      const regions = typeof ctx.opts.region === 'string' ? ctx.opts.region.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
      const r = await ctx.client().invoke('pricing.refresh', regions ? { regions } : {});
      if (ctx.json) printJson(ctx, r);
      else ctx.out(`Prices of ${r.date} for ${r.regions.join(', ')} (${r.instance_types} instance types) written to ${r.file}${r.previous_date ? `; they replace prices of ${r.previous_date}` : ''}.`);
      return 0;
    },
  },
];
