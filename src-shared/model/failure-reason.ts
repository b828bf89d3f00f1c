// Why a task failed, in plain words, from what the engine recorded (status, exit code, scheduler state, error).
// Shared by the UI (table cells, the task panel) and the CLI (`run view`, `run watch`) so both say the same thing.
import type { TaskView } from '../api/schemas';

const SIGNALS: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 6: 'SIGABRT', 9: 'SIGKILL', 11: 'SIGSEGV', 13: 'SIGPIPE', 15: 'SIGTERM' };

export interface FailureReason {
  /** Short, for table cells. */
  short: string;
  /** One or two sentences for the task panel. */
  long: string;
}

type FailureFields = Pick<TaskView, 'status' | 'exit_code' | 'error' | 'scheduler_state' | 'memory' | 'time_limit'>;

export function failureReason(t: FailureFields): FailureReason | null {
  if (t.status === 'dep_failed') return { short: 'A dependency failed', long: `It did not run because a task it depends on failed.${t.error ? ` (${t.error})` : ''}` };
  if (t.status !== 'failed') return null;
  const text = `${t.scheduler_state ?? ''} ${t.error ?? ''}`;
  if (/\bOUT_OF_ME|\bOOM\b|out of memory|oom[-_ ]kill/i.test(text))
    return { short: 'Out of memory', long: `It ran out of memory: it used more than its ${t.memory} limit and was killed. Ask for more memory.` };
  if (/\bTIMEOUT\b|time ?limit|timed out|walltime/i.test(text))
    return { short: 'Ran out of time', long: `It ran past its time limit (${t.time_limit}) and was stopped. Ask for more time.` };
  if (/\bNODE_FAIL\b|node fail/i.test(text)) return { short: 'Node failure', long: 'The machine it ran on failed; the task itself may be fine. Rerun it.' };
  if (/\bPREEMPT/i.test(text)) return { short: 'Preempted', long: 'The scheduler stopped it to make room for other work. Rerun it.' };
  if (/\bBOOT_FAIL\b|launch fail|failed to start|submission fail|sbatch|qsub/i.test(text) && t.exit_code === null)
    return { short: 'Could not start', long: `It could not be started: ${t.error ?? 'the scheduler refused it'}.` };
  if (t.exit_code !== null && t.exit_code > 128 && SIGNALS[t.exit_code - 128]) {
    const sig = SIGNALS[t.exit_code - 128] as string;
    const hint = sig === 'SIGKILL' ? ' — often the system killing it for using too much memory' : sig === 'SIGSEGV' ? ' — the program crashed' : '';
    return { short: `Killed (${sig})`, long: `It was killed by ${sig} (exit code ${t.exit_code})${hint}.` };
  }
  if (t.exit_code !== null && t.exit_code !== 0)
    return { short: `Exit code ${t.exit_code}`, long: `The command exited with code ${t.exit_code}. The end of its error output is below.` };
  return { short: t.error ?? 'Failed', long: t.error ?? 'It failed without an exit code; see the error output.' };
}
