// The common body of every bash submission script (Slurm, PBS, local). Backends add their own header lines
// (#SBATCH / #PBS directives, or the local log redirection) in front of it.
import { OUTPUT_DIR_VAR, OUTPUT_FILE_VARS } from '../outputs/output-path';
import { normaliseNewlines, shPath, shq } from '../transport/quote';
import type { ScriptContext } from './types';

export interface ScriptShape {
  /** Lines right after the shebang: scheduler directives or local redirections. */
  header: string[];
  loginShell?: boolean;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function exportLine(name: string, value: string): string {
  if (!ENV_NAME.test(name)) throw new Error(`invalid environment variable name '${name}'`);
  return `export ${name}=${shq(value)}`;
}

/** Prints "<label>: <UTC time>"; prefixed so it never clashes with the user's own functions. */
const STAMP_FN = '__scripthut_stamp';

export function buildScript(ctx: ScriptContext, shape: ScriptShape): string {
  const { task } = ctx;
  const lines: string[] = [shape.loginShell ? '#!/bin/bash -l' : '#!/bin/bash', ...shape.header, ''];
  // pipefail, not -e: `cmd | tee log` must report cmd's failure, while `cmd || fallback` must keep working.
  lines.push('set -o pipefail');
  // The stamps and the host name come from bash builtins and /proc where they exist: `$(date)` and
  // `$(hostname)` are a fork and an exec each, which for a short task costs more than the task itself. The
  // lines printed are the same either way.
  lines.push(
    `${STAMP_FN}() { if (( BASH_VERSINFO[0] > 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] >= 3) )); then TZ=UTC builtin printf '%s: %(%Y-%m-%dT%H:%M:%SZ)T\\n' "$1" -1; else echo "$1: $(date -u +%Y-%m-%dT%H:%M:%SZ)"; fi; }`,
  );
  lines.push(
    `echo ${shq(`=== ScriptHut Task: ${task.name} ===`)}`,
    `echo ${shq(`Task ID: ${task.id}`)}`,
    `echo ${shq(`Run: ${ctx.runId} (attempt ${ctx.attempt})`)}`,
    `${STAMP_FN} Started`,
    'if [ -r /proc/sys/kernel/hostname ]; then read -r __scripthut_host < /proc/sys/kernel/hostname; echo "Host: $__scripthut_host"; unset __scripthut_host; else echo "Host: $(hostname)"; fi',
    `echo ${shq(`Working dir: ${ctx.workingDir}`)}`,
    `echo ${shq('==================================')}`,
  );
  // init (module load, conda activate…) runs BEFORE the exports so a user's `set` wins over what modules set.
  if (ctx.init.trim()) lines.push('', '# --- init ---', normaliseNewlines(ctx.init).trimEnd(), '# --- end init ---', '');
  for (const [name, value] of ctx.env) lines.push(exportLine(name, value));
  if (ctx.outputDir) {
    lines.push(exportLine(OUTPUT_DIR_VAR, ctx.outputDir));
    // The summaries live in the task's own folder: one listing finds them, and their relative images resolve
    // against the same files. They name the folder through the variable, so a `~/` folder expands once.
    for (const v of OUTPUT_FILE_VARS) lines.push(`export ${v.name}="$${OUTPUT_DIR_VAR}/${v.file}"`);
    // `[ -d ]` is a builtin: the common case (folder made beforehand) forks nothing.
    lines.push(`[ -d "$${OUTPUT_DIR_VAR}" ] || mkdir -p "$${OUTPUT_DIR_VAR}" 2>/dev/null || true`);
  }
  lines.push(`cd ${shPath(ctx.workingDir)} || { echo ${shq(`ScriptHut: cannot cd to ${ctx.workingDir}`)} >&2; exit 1; }`);
  lines.push('', '# --- task command ---', normaliseNewlines(task.command).trimEnd(), '# --- end task command ---');
  lines.push('EXIT_CODE=$?', '', 'echo "=================================="', `${STAMP_FN} Finished`, 'echo "Exit code: $EXIT_CODE"', 'exit $EXIT_CODE', '');
  return lines.join('\n');
}
