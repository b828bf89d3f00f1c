// `scripthut run outputs|summary|output`: the files tasks left in $SCRIPTHUT_OUTPUT_DIR, the run summary built from
// their $SCRIPTHUT_RUN_SUMMARY fragments, and one file's bytes on stdout (`run output ID TASK PATH > file`).
import type { CommandDef } from './command-def';

function size(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

export const OUTPUT_COMMANDS: CommandDef[] = [
  {
    path: ['run', 'outputs'],
    args: ['id', 'task?'],
    summary: 'Files the tasks of a run (or one task) wrote to $SCRIPTHUT_OUTPUT_DIR, and what was skipped',
    options: {},
    async run(ctx) {
      const task = ctx.args[1];
      const res = await ctx.client().invoke('outputs.list', { run_id: ctx.args[0], ...(task === undefined ? {} : { task_id: task }) });
      if (ctx.json) {
        // Documented shape: {"outputs":[{"task_id","path","size","kind"}]} (+ stored, skipped, collections).
        ctx.out(JSON.stringify(res, null, 2));
        return 0;
      }
      if (!res.collections.length) ctx.err(task === undefined ? `No outputs collected for run ${res.run_id} yet (they are collected when tasks finish).` : `No outputs collected for task ${task} yet (they are collected when it finishes).`);
      const rows = res.outputs.map((o) => [o.task_id, o.path, size(o.size), o.kind, o.skipped ? `skipped: ${o.skipped}` : o.stored ? 'kept' : '']);
      if (rows.length) {
        const all = [['TASK', 'PATH', 'SIZE', 'KIND', ''], ...rows];
        const widths = all[0]!.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
        ctx.out(all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n'));
      } else if (res.collections.length) ctx.out('No output files.');
      for (const c of res.collections) {
        if (c.error) ctx.err(`${c.task_id}: ${c.error}`);
        for (const n of c.notes) ctx.err(`${c.task_id}: ${n}`);
      }
      return 0;
    },
  },
  {
    path: ['run', 'summary'],
    args: ['id'],
    summary: "The run summary (markdown): each task's $SCRIPTHUT_RUN_SUMMARY fragment, in task order",
    options: {},
    async run(ctx) {
      const res = await ctx.client().invoke('outputs.summary', { run_id: ctx.args[0] });
      if (ctx.json) ctx.out(JSON.stringify(res, null, 2));
      else if (res.markdown === null) ctx.err(`No task of run ${res.run_id} wrote a run summary ($SCRIPTHUT_RUN_SUMMARY) yet.`);
      else process.stdout.write(res.markdown);
      return 0;
    },
  },
  {
    path: ['run', 'output'],
    args: ['id', 'task', 'path'],
    summary: "One output file's bytes on stdout (`run output ID TASK PATH > file`); PATH is inside the task's output folder",
    options: {},
    async run(ctx) {
      const res = await ctx.client().invoke('outputs.file', { run_id: ctx.args[0], task_id: ctx.args[1], path: ctx.args[2] });
      if (ctx.json) {
        ctx.out(JSON.stringify(res));
        return 0;
      }
      const bytes = Buffer.from(res.content_base64, 'base64');
      await new Promise<void>((resolve, reject) => process.stdout.write(bytes, (err) => (err ? reject(err) : resolve())));
      return 0;
    },
  },
];
