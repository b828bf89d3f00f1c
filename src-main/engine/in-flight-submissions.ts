// Submissions whose backend call is under way. Shared by the submit step (which owns them), the observe step
// (an intent being submitted is not an orphan to reconcile) and cancel (which must wait for the job id).
export const taskKey = (runId: string, taskId: string) => `${runId}\u0000${taskId}`;

export class InFlightSubmissions {
  private readonly submitting = new Set<string>();
  private readonly cancelAfter = new Set<string>();

  begin(runId: string, taskId: string): void {
    this.submitting.add(taskKey(runId, taskId));
  }
  end(runId: string, taskId: string): void {
    this.submitting.delete(taskKey(runId, taskId));
  }
  isSubmitting(runId: string, taskId: string): boolean {
    return this.submitting.has(taskKey(runId, taskId));
  }
  /** A cancel that arrived while the job id was unknown; honoured as soon as the submission returns. */
  cancelWhenSubmitted(runId: string, taskId: string): void {
    this.cancelAfter.add(taskKey(runId, taskId));
  }
  takeCancelRequest(runId: string, taskId: string): boolean {
    return this.cancelAfter.delete(taskKey(runId, taskId));
  }
}
