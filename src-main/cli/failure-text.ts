// The ERROR text of `run view` and `run watch`. The engine records a generic "Non-zero exit code" for any failed
// exit; the CLI words it as the UI does ("Exit code 3", "Killed (SIGKILL)") and keeps specific errors as recorded.
// `--json` keeps the raw `error`.
import type { TaskView } from '../../src-shared/api/schemas';
import { failureReason } from '../../src-shared/model/failure-reason';

const GENERIC = 'Non-zero exit code';

type Fields = Pick<TaskView, 'status' | 'exit_code' | 'error' | 'scheduler_state' | 'memory' | 'time_limit'>;

export function failureText(t: Fields): string {
  if (t.status === 'failed' && (t.error === null || t.error === GENERIC)) return failureReason(t)?.short ?? t.error ?? '';
  return t.error ?? '';
}
