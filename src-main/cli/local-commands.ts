// Commands that never talk to an engine: they work on files and the command table only.
import fs from 'node:fs';
import path from 'node:path';
import { parseConfigText } from '../config/load';
import { completionScript, SHELLS, type CompletionCommand, type Shell } from './completion';
import { UsageError, type CommandDef } from './commands';

export function localCommands(table: () => CompletionCommand[], globals: string[]): CommandDef[] {
  return [
    {
      path: ['config', 'validate'],
      args: ['file'],
      summary: 'Check a scripthut.yaml without an engine (exit 2 on errors)',
      options: {},
      async run(ctx) {
        const file = path.resolve(ctx.args[0]!);
        let text: string;
        try {
          text = fs.readFileSync(file, 'utf8');
        } catch (e) {
          const err = e as NodeJS.ErrnoException;
          const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.message;
          throw new UsageError(`Cannot read ${file}: ${why}.`);
        }
        const loaded = parseConfigText(text, file);
        if (ctx.json) {
          ctx.out(JSON.stringify(loaded.ok ? { file, valid: true, warnings: loaded.warnings, backends: loaded.config.backends.map((b) => ({ name: b.name, type: b.type })) } : { file, valid: false, error: loaded.error, warnings: loaded.warnings ?? [] }, null, 2));
        } else if (loaded.ok) {
          for (const w of loaded.warnings) ctx.err(`warning: ${w}`);
          ctx.out(`${file} is valid: ${loaded.config.backends.length} backend(s)${loaded.config.backends.length ? ` (${loaded.config.backends.map((b) => `${b.name}: ${b.type}`).join(', ')})` : ''}.`);
        } else {
          ctx.err(loaded.error.message);
          for (const w of loaded.warnings ?? []) ctx.err(`warning: ${w}`);
        }
        return loaded.ok ? 0 : 2;
      },
    },
    {
      path: ['completion'],
      args: ['shell'],
      summary: `Print a shell completion script (${SHELLS.join('|')})`,
      options: {},
      async run(ctx) {
        const shell = ctx.args[0] as Shell;
        if (!SHELLS.includes(shell)) throw new UsageError(`Unknown shell '${shell}': choose ${SHELLS.join(', ')}.`);
        const script = completionScript(shell, table(), globals);
        if (ctx.json) ctx.out(JSON.stringify({ shell, script }));
        else process.stdout.write(script);
        return 0;
      },
    },
  ];
}
