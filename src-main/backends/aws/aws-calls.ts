// Every AWS call of a backend goes through here: logged and counted in the same command log as the scheduler
// commands, and its failures turned into the backend's status (throttled -> backing off until retryAt; missing or
// expired credentials -> error with the command that fixes it). While backing off, calls are refused locally so
// a throttled account is not hammered further.
import type { CommandLogSink } from '../../transport/runner';
import type { BackendStatus } from '../../model/connection-state';

const THROTTLE_NAMES = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded', 'ThrottledException', 'RequestThrottled', 'RequestThrottledException', 'SlowDown']);
const CREDENTIAL_NAMES = new Set([
  'CredentialsProviderError',
  'ExpiredTokenException',
  'ExpiredToken',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'AuthFailure',
  'TokenRefreshRequired',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'UnauthorizedException',
]);

export type AwsErrorClass = 'throttled' | 'credentials' | 'unknown_outcome' | 'other';

/** The request may or may not have reached AWS (lost reply, reset, timeout, AWS-side 5xx). */
const UNKNOWN_OUTCOME_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'NetworkingError', 'InternalError', 'InternalFailure', 'ServiceUnavailable', 'ServiceUnavailableException', 'ServerException']);
const UNKNOWN_OUTCOME_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNREFUSED', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED']);

export function classifyAwsError(err: unknown): AwsErrorClass {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number }; message?: string };
  const name = e?.name ?? e?.Code ?? '';
  if (THROTTLE_NAMES.has(name) || e?.$metadata?.httpStatusCode === 429) return 'throttled';
  if (CREDENTIAL_NAMES.has(name) || /sso session|token (has )?expired|could not load credentials/i.test(e?.message ?? '')) return 'credentials';
  const code = (err as { code?: string })?.code ?? '';
  if (UNKNOWN_OUTCOME_NAMES.has(name) || UNKNOWN_OUTCOME_CODES.has(code) || (e?.$metadata?.httpStatusCode ?? 0) >= 500) return 'unknown_outcome';
  return 'other';
}

/** An error after which the engine should keep the submission intent and reconcile by tag (outcome unknown). */
export class TransientAwsError extends Error {
  readonly transient = true;
}

export interface AwsCallsOptions {
  backend: string;
  profile?: string;
  sink?: CommandLogSink;
  now?: () => number;
  /** First back-off after throttling (ms); doubles per consecutive throttle up to maxBackoffMs. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
}

export class AwsCalls {
  private readonly listeners = new Set<(s: BackendStatus) => void>();
  private current: BackendStatus = { state: 'ready', detail: null, retryAt: null };
  private throttles = 0;
  private retryAt = 0;
  private readonly counts = { aws: 0, errors: 0, throttled: 0 };
  private readonly now: () => number;

  constructor(private readonly o: AwsCallsOptions) {
    this.now = o.now ?? Date.now;
  }

  status(): BackendStatus {
    // Back-off over: ready to try again (the next successful call confirms it to the listeners).
    if (this.current.state === 'backing_off' && this.now() >= this.retryAt) return { state: 'ready', detail: null, retryAt: null };
    return this.current;
  }

  /**
   * Whether the backend should make a cheap call this cycle to learn its state: at start (so missing
   * credentials show before anything is submitted) and while in error (so `aws sso login` is noticed).
   */
  needsHealthCheck(): boolean {
    return !this.checked || this.current.state === 'error';
  }
  private checked = false;
  async healthCheck(label: string, fn: () => Promise<unknown>): Promise<void> {
    this.checked = true;
    try {
      await this.call(label, fn);
    } catch (err) {
      // Credentials and throttling are already in the status; anything else (permissions on the probe call) is
      // not a reason to stop: the real calls will say what is wrong.
      if (!(err instanceof TransientAwsError)) return;
    }
  }
  onStatusChange(fn: (s: BackendStatus) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  commandCounts(): Record<string, number> {
    return { ...this.counts };
  }

  /** Credentials hint shown in the backend's status. */
  credentialHint(): string {
    return this.o.profile
      ? `run \`aws sso login --profile ${this.o.profile}\` (or refresh the credentials of profile '${this.o.profile}')`
      : 'set AWS credentials (environment variables, ~/.aws/credentials, `aws sso login`, or an instance role)';
  }

  /** `label` is what the command log shows, e.g. "batch:DescribeJobs jobs=3". */
  async call<T>(label: string, fn: () => Promise<T>): Promise<T> {
    const at = this.now();
    if (at < this.retryAt) {
      throw new TransientAwsError(`AWS backend '${this.o.backend}' is backing off after throttling until ${new Date(this.retryAt).toISOString()}`);
    }
    this.counts.aws += 1;
    try {
      const out = await fn();
      this.log(label, at, 0, summarise(out), null);
      this.throttles = 0;
      if (this.current.state !== 'ready') this.set({ state: 'ready', detail: null, retryAt: null });
      return out;
    } catch (err) {
      this.counts.errors += 1;
      const kind = classifyAwsError(err);
      const e = err as Error;
      const msg = `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`;
      this.log(label, at, 1, '', msg);
      if (kind === 'throttled') {
        this.counts.throttled += 1;
        this.throttles += 1;
        const delay = Math.min(this.o.maxBackoffMs ?? 300_000, (this.o.baseBackoffMs ?? 5_000) * 2 ** (this.throttles - 1));
        this.retryAt = this.now() + delay;
        this.set({ state: 'backing_off', detail: `AWS throttled ${label.split(' ')[0]} (${e?.name}); retrying later`, retryAt: new Date(this.retryAt).toISOString() });
        throw new TransientAwsError(`AWS throttled ${label}: ${msg}`);
      }
      if (kind === 'credentials') {
        this.set({ state: 'error', detail: `AWS credentials missing or expired for backend '${this.o.backend}': ${e?.message ?? e}. Fix: ${this.credentialHint()}.`, retryAt: null });
        throw new TransientAwsError(`AWS credentials missing or expired (${msg}); ${this.credentialHint()}`);
      }
      if (kind === 'unknown_outcome') {
        // A submission cut off here may exist: the engine keeps the intent and finds it by tag.
        throw new TransientAwsError(`AWS ${label} did not complete (${msg}); outcome unknown`);
      }
      throw err;
    }
  }

  /** True when the last call proved the credentials bad: submissions wait instead of failing the run. */
  credentialsBad(): boolean {
    return this.current.state === 'error';
  }

  private log(command: string, at: number, exitCode: number, stdout: string, error: string | null): void {
    this.o.sink?.({ backend: this.o.backend, at: new Date(at).toISOString(), command, kind: 'aws', exitCode, durationMs: Math.max(0, this.now() - at), stdout, stderr: '', error });
  }

  private set(s: BackendStatus): void {
    this.current = s;
    for (const l of this.listeners) l(s);
  }
}

function summarise(out: unknown): string {
  try {
    const { $metadata: _m, ...rest } = (out ?? {}) as Record<string, unknown>;
    const text = JSON.stringify(rest);
    return text.length > 2048 ? `${text.slice(0, 2048)}... (truncated)` : text;
  } catch {
    return '';
  }
}
