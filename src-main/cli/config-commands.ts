// `scripthut config show` and `scripthut config apply FILE`: the settings editor's calls from a terminal, against
// the running engine (the same checks, the same atomic write, applied without a restart).
import fs from 'node:fs';
import path from 'node:path';
import type { ConfigDiagnosticView } from '../../src-shared/api/config-schemas';
import type { CliContext, CommandDef } from './command-def';
import { UsageError } from './command-def';

const printJson = (ctx: CliContext, v: unknown) => ctx.out(JSON.stringify(v, null, 2));
const located = (file: string, d: ConfigDiagnosticView) => `${file}${d.line ? `:${d.line}` : ''}: ${d.severity}: ${d.message}`;

export const CONFIG_COMMANDS: CommandDef[] = [
  {
    path: ['config', 'show'],
    args: [],
    summary: 'The configuration the engine is using: its file (or why the defaults are in use) and text',
    options: {},
    async run(ctx) {
      const doc = await ctx.client().invoke('config.get', {});
      if (ctx.json) printJson(ctx, doc);
      else {
        ctx.err(doc.defaults_reason ? `# The embedded default is in use because ${doc.defaults_reason}.` : `# In effect: ${doc.file}`);
        if (doc.config_error) ctx.err(doc.config_error.message);
        for (const w of doc.warnings) ctx.err(`warning: ${doc.target}${w.line ? `:${w.line}` : ''}: ${w.message}`);
        // A broken file is shown as written (to fix it); with no file, the embedded default in effect.
        const shown = doc.config_error || !doc.embedded_default ? doc.text : doc.effective_text;
        if (shown) ctx.out(shown.replace(/\n$/, ''));
      }
      return doc.config_error ? 1 : 0;
    },
  },
  {
    path: ['config', 'apply'],
    args: ['file'],
    summary: "Check FILE and make it the engine's config without a restart (written to the config in effect, old one kept as .bak)",
    options: { 'dry-run': { type: 'boolean', help: 'check and say what would change; write nothing' } },
    async run(ctx) {
      const from = path.resolve(ctx.args[0]!);
      let text: string;
      try {
        text = fs.readFileSync(from, 'utf8');
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        throw new UsageError(`Cannot read ${from}: ${err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.message}.`);
      }
      const r = await ctx.client().invoke('config.save', { text, dry_run: ctx.opts['dry-run'] === true });
      if (ctx.json) {
        printJson(ctx, r);
        return r.ok ? 0 : 2;
      }
      for (const d of [...r.errors, ...r.warnings]) ctx.err(located(from, d));
      if (!r.ok) return 2;
      const a = r.applied;
      const what = a ? [['added', a.added], ['rebuilt', a.changed], ['removed', a.removed]].filter(([, l]) => (l as string[]).length).map(([k, l]) => `${k as string} ${(l as string[]).join(', ')}`) : [];
      ctx.out(`${r.saved ? `Saved to ${r.file} and applied` : `Valid; would be saved to ${r.file}`}: backends ${what.length ? what.join('; ') : 'unchanged'}.`);
      if (r.restart_needed.length) ctx.out(`Takes effect at the next engine start: ${r.restart_needed.join(', ')}.`);
      return 0;
    },
  },
];
