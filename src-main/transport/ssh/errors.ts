// Transport failures are thrown (a command's own failure is a RunResult with its exit code): callers can tell
// "the cluster is unreachable" from "squeue said no".
export type SshErrorCode =
  | 'backing_off'
  | 'connect_failed'
  | 'auth_failed'
  | 'auth_cancelled'
  | 'host_key_changed'
  | 'host_key_rejected'
  | 'config'
  | 'disconnected'
  | 'closed';

export class SshError extends Error {
  constructor(
    readonly code: SshErrorCode,
    message: string,
    /** For `backing_off`: when the next attempt will be allowed (ms since epoch). */
    readonly retryAt: number | null = null,
  ) {
    super(message);
    this.name = 'SshError';
  }
}

export function isSshError(err: unknown): err is SshError {
  return err instanceof SshError;
}
