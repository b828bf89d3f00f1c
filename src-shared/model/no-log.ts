// Why a task attempt has no log, in words: the engine, the read-only CLI history and the raw-log route give the
// same answer, and a task that will never run does not read as "not submitted yet".
import { isTerminalTask, STATUS_STYLE, type TaskStatus } from './status';

export interface NoLogTask {
  id: string;
  status: TaskStatus;
  attempt: number;
  error: string | null;
}

export function noLogMessage(task: NoLogTask, attemptNo: number): string {
  if (attemptNo !== task.attempt) return `Task '${task.id}' has no attempt ${attemptNo} (its latest is ${task.attempt}); no log exists.`;
  if (isTerminalTask(task.status)) return `Task '${task.id}' never ran in attempt ${attemptNo}: ${whyNotRun(task)}, so it has no log.`;
  return `Task '${task.id}' has not been submitted yet (attempt ${attemptNo}); no log exists.`;
}

// Said once, in plain words: not "(dependency failed: Dependency 'x' failed)".
function whyNotRun(task: NoLogTask): string {
  const label = STATUS_STYLE[task.status].label.toLowerCase();
  const error = task.error?.trim();
  if (!error) return label;
  const dep = /^Dependency '(.*)' (failed|was cancelled)$/.exec(error);
  if (dep) return `its dependency '${dep[1]}' ${dep[2]}`;
  const lower = error.charAt(0).toLowerCase() + error.slice(1);
  return lower.startsWith(label) ? lower : `${label}: ${error}`;
}
