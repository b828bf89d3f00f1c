// Generic dispatcher used by every adapter (HTTP host, Electron IPC, in-process CLI): validate the input with the
// contract's schema, call the handler, and return a typed result or an ApiError.
import { ApiError, calls, describeZodError, type CallName, type CallOutput, type EngineEvent } from '../../src-shared/api/contract';
import type { z } from 'zod';
import { isSshError } from '../transport/ssh/errors';

export type Handlers = {
  [N in CallName]: (input: z.output<(typeof calls)[N]['input']>) => Promise<CallOutput<N>> | CallOutput<N>;
};

export interface EngineApi {
  invoke<N extends CallName>(name: N, input: unknown): Promise<CallOutput<N>>;
  /**
   * The call's answer as UTF-8 JSON bytes, when it is a read served off the engine's thread (read-replica.ts);
   * null = not served that way, use invoke. Adapters that send JSON anyway (the HTTP host) save the engine's
   * thread the query, the serialisation and the encoding.
   */
  invokeJson?(name: CallName, input: unknown): Promise<JsonAnswer> | null;
  subscribe(listener: (e: EngineEvent) => void): () => void;
}

/**
 * A read's answer as UTF-8 JSON bytes. etag: a hash of exactly these bytes, so the host can answer a client that
 * already holds them with 304 Not Modified. The bytes may be shared with other callers: read them, never write.
 */
export type JsonAnswer = Uint8Array & { readonly etag?: string };

export function isCallName(name: string): name is CallName {
  return Object.prototype.hasOwnProperty.call(calls, name);
}

export async function dispatch<N extends CallName>(handlers: Handlers, name: N, rawInput: unknown): Promise<CallOutput<N>> {
  const handler = handlers[name] as (input: unknown) => Promise<CallOutput<N>> | CallOutput<N>;
  return await handler(parseCallInput(name, rawInput));
}

/** The call's input checked against the contract (a located bad_input error otherwise). */
export function parseCallInput<N extends CallName>(name: N, rawInput: unknown): z.output<(typeof calls)[N]['input']> {
  const parsed = calls[name].input.safeParse(rawInput ?? {});
  if (!parsed.success) throw new ApiError('bad_input', `Invalid input for ${name}:\n${describeZodError(parsed.error)}`);
  return parsed.data as z.output<(typeof calls)[N]['input']>;
}

/**
 * Turn anything thrown by a handler into an ApiError (unexpected errors become `internal`). A cluster that cannot
 * be reached (sshd down, backing off, host key refused) is a state of the world, not an engine fault: `unavailable`.
 */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ApiError(isSshError(err) ? 'unavailable' : 'internal', message);
}
