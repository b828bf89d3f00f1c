// Pieces every AWS backend shares: log paths in the data folder, the script (same body as Slurm/local), the
// environment handed to the container, and the shape of a verdict.
import path from 'node:path';
import { safeSegment } from '../local/spool';
import { buildScript } from '../script-body';
import type { BackendCapabilities, ScriptContext } from '../types';
import type { Verdict } from '../../model/verdict';

// Polled even with nothing in flight: that poll is what finds expired credentials before anything is submitted
// (the backend shows the fix) and, on EC2, orphaned instances to terminate. It costs one cheap call per cycle.
export const AWS_CAPABILITIES: BackendCapabilities = { sharedQueue: true, submitConcurrency: 4 };

export function awsLogPaths(dataDir: string, backend: string, runId: string, taskId: string, attempt: number): { output: string; error: string } {
  const base = path.join(dataDir, 'aws-logs', safeSegment(backend), safeSegment(runId), `${safeSegment(taskId)}.${attempt}`);
  return { output: `${base}.out`, error: `${base}.err` };
}

/**
 * The script the container (or instance) runs. The environment is exported by the script itself, so a job
 * resubmitted after a restart runs with exactly what was recorded; the container also gets it as its env array.
 */
export function awsScript(ctx: ScriptContext, kindLabel: string): string {
  return buildScript(ctx, { header: [`# ScriptHut ${kindLabel} job ${ctx.jobName.replace(/[\r\n]/g, ' ')} (${ctx.tag})`] });
}

/** Environment array derived from a script's exports (KEY='value' lines), for the container definition. */
export function envFromScript(script: string): Array<{ name: string; value: string }> {
  const out: Array<{ name: string; value: string }> = [];
  for (const line of script.split('\n')) {
    const m = /^export ([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    const raw = m[2]!;
    const quoted = /^'((?:[^']|'\\'')*)'$/.exec(raw);
    if (quoted) out.push({ name: m[1]!, value: quoted[1]!.replace(/'\\''/g, "'") });
    else if (/^[A-Za-z0-9_\-+=.,/:@%^]+$/.test(raw)) out.push({ name: m[1]!, value: raw });
  }
  return out;
}

export function isoOrNull(ms: number | Date | undefined | null): string | null {
  if (ms === undefined || ms === null) return null;
  const d = ms instanceof Date ? ms : new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** The evidence rule: completed only on a recorded exit code 0. */
export function exitVerdict(exitCode: number | null | undefined, schedulerState: string, failReason: string | null, extra: Partial<Verdict>): Verdict {
  if (exitCode === 0) return { outcome: 'completed', exitCode: 0, reason: null, schedulerState, ...extra };
  if (exitCode === null || exitCode === undefined) return { outcome: 'failed', exitCode: null, reason: failReason ?? 'lost: no exit code was recorded', schedulerState, ...extra };
  const reason = failReason ?? (exitCode > 128 && exitCode < 160 ? `Killed by signal ${exitCode - 128}` : 'Non-zero exit code');
  return { outcome: 'failed', exitCode, reason, schedulerState, ...extra };
}
