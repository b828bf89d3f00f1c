// Tasks the user is cancelling right now. Between the backend's cancel call and the cancel's own commit, a poll
// can observe the killed job first; its verdict must still say the user did it, not just "Cancelled".
import { taskKey } from './in-flight-submissions';

export class UserCancels {
  private readonly pending = new Map<string, number>();

  begin(runId: string, taskId: string): void {
    const k = taskKey(runId, taskId);
    this.pending.set(k, (this.pending.get(k) ?? 0) + 1);
  }
  end(runId: string, taskId: string): void {
    const k = taskKey(runId, taskId);
    const n = (this.pending.get(k) ?? 0) - 1;
    if (n > 0) this.pending.set(k, n);
    else this.pending.delete(k);
  }
  has(runId: string, taskId: string): boolean {
    return this.pending.has(taskKey(runId, taskId));
  }
}
