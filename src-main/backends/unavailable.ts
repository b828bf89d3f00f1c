// Stands in for a configured backend this build cannot drive (yet), so the engine still starts, history stays
// browsable, and the user sees why the backend is unavailable instead of a crash.
import type { BackendKind } from '../../src-shared/model/backend-kinds';
import type { Backend, BackendCapabilities, LogRead, PollResult, SubmitResult } from './types';
import type { BackendStatus } from '../model/connection-state';
import type { Verdict } from '../model/verdict';

export class UnavailableBackend implements Backend {
  readonly pollIntervalMs = 60_000;
  // Nothing can be submitted or polled; one submission at a time keeps a failing call from fanning out.
  readonly capabilities: BackendCapabilities = { sharedQueue: false, submitConcurrency: 1 };
  readonly maxConcurrent: number;
  constructor(
    readonly name: string,
    readonly kind: BackendKind,
    private readonly reason: string,
    maxConcurrent = 0,
  ) {
    this.maxConcurrent = maxConcurrent;
  }
  status(): BackendStatus {
    return { state: 'error', detail: this.reason, retryAt: null };
  }
  onStatusChange(): () => void {
    return () => undefined;
  }
  defaultLogPaths(): { output: string; error: string } {
    return { output: '', error: '' };
  }
  outputDir(): string | null {
    return null;
  }
  buildScript(): string {
    throw new Error(this.reason);
  }
  submit(): Promise<SubmitResult> {
    return Promise.reject(new Error(this.reason));
  }
  findByTags(): Promise<Map<string, string>> {
    return Promise.reject(new Error(this.reason));
  }
  poll(): Promise<PollResult> {
    return Promise.reject(new Error(this.reason));
  }
  accounting(): Promise<Map<string, Verdict>> {
    return Promise.reject(new Error(this.reason));
  }
  cancel(): Promise<void> {
    return Promise.reject(new Error(this.reason));
  }
  readLog(): Promise<LogRead> {
    return Promise.reject(new Error(this.reason));
  }
  readFile(): Promise<string> {
    return Promise.reject(new Error(this.reason));
  }
  async close(): Promise<void> {}
}
