// The renderer's only way to reach the engine. Two transports behind one typed interface:
// Electron (preload exposes window.scripthut) and a browser talking HTTP + one WebSocket to the headless host.
import type { CallInput, CallName, CallOutput, EngineEvent, ErrorCode } from '../../src-shared/api/contract';
import { buildHttpRequest, EVENTS_PATH } from '../../src-shared/api/routes';
import { takeEarlyRead } from './early-read';

export type EventListener = (e: EngineEvent) => void;
/** `false` while the event stream is down: views should refetch when it comes back (events were missed). */
export type ConnectionListener = (connected: boolean) => void;

export interface Bridge {
  invoke<N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>>;
  on(listener: EventListener): () => void;
  onConnection(listener: ConnectionListener): () => void;
}

export class BridgeError extends Error {
  constructor(
    readonly code: ErrorCode | 'network',
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'BridgeError';
  }
}

/** What the Electron preload exposes through contextBridge. */
export interface PreloadApi {
  invoke(name: string, input: unknown): Promise<unknown>;
  on(listener: (e: EngineEvent) => void): (() => void) | void;
}

function asBridgeError(err: unknown): BridgeError {
  if (err instanceof BridgeError) return err;
  const e = err as { code?: unknown; message?: unknown; details?: unknown } | null;
  const code = typeof e?.code === 'string' ? (e.code as ErrorCode) : 'internal';
  const message = typeof e?.message === 'string' ? e.message : String(err);
  return new BridgeError(code, message, e?.details);
}

export function electronBridge(api: PreloadApi): Bridge {
  return {
    async invoke(name, input) {
      try {
        return (await api.invoke(name, input)) as never;
      } catch (err) {
        throw asBridgeError(err);
      }
    },
    on(listener) {
      const off = api.on(listener);
      return () => off?.();
    },
    onConnection(listener) {
      listener(true);
      return () => {};
    },
  };
}

/** The part of the browser WebSocket the bridge uses (kept structural so it is easy to fake). */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  close(): void;
}

export interface HttpBridgeOptions {
  origin: string;
  token: string | null;
  fetchImpl?: typeof fetch;
  openSocket?: (url: string) => SocketLike;
  /** Reconnect delays grow from min to max (ms). */
  backoff?: { min: number; max: number };
}

export function httpBridge(opts: HttpBridgeOptions): Bridge {
  const doFetch = opts.fetchImpl ?? fetch.bind(globalThis);
  const openSocket = opts.openSocket ?? ((url: string) => new (globalThis as unknown as { WebSocket: new (u: string) => SocketLike }).WebSocket(url));
  const backoff = opts.backoff ?? { min: 500, max: 10_000 };
  const listeners = new Set<EventListener>();
  const connListeners = new Set<ConnectionListener>();
  let socket: SocketLike | null = null;
  let connected = false;
  let delay = backoff.min;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;

  function setConnected(v: boolean): void {
    if (v === connected) return;
    connected = v;
    for (const l of connListeners) l(v);
  }

  function connect(): void {
    const wsOrigin = opts.origin.replace(/^http/, 'ws');
    const url = `${wsOrigin}${EVENTS_PATH}${opts.token ? `?token=${encodeURIComponent(opts.token)}` : ''}`;
    const ws = openSocket(url);
    socket = ws;
    ws.onopen = () => {
      delay = backoff.min;
      setConnected(true);
    };
    ws.onmessage = (msg) => {
      let parsed: EngineEvent;
      try {
        parsed = JSON.parse(String(msg.data)) as EngineEvent;
      } catch {
        console.warn('scripthut: ignoring an event that is not JSON', msg.data);
        return;
      }
      if (!parsed || typeof parsed.event !== 'string') return;
      for (const l of listeners) l(parsed);
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      setConnected(false);
      if (listeners.size === 0 && connListeners.size === 0) return;
      retryTimer = setTimeout(() => {
        retryTimer = null;
        connect();
      }, delay);
      delay = Math.min(backoff.max, delay * 2);
    };
  }

  function ensureSocket(): void {
    if (!socket && !retryTimer) connect();
  }

  function maybeClose(): void {
    if (listeners.size || connListeners.size) return;
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
    const ws = socket;
    socket = null;
    ws?.close();
    connected = false;
  }

  return {
    async invoke(name, input) {
      const plan = buildHttpRequest(name, input as Record<string, unknown>);
      const body = plan.body === undefined ? undefined : JSON.stringify(plan.body);
      const headers: Record<string, string> = { Accept: 'application/json' };
      if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      let res: Response;
      try {
        const early = plan.method === 'GET' ? takeEarlyRead(opts.origin + plan.url, opts.token, Date.now()) : null;
        res = await (early ?? doFetch(opts.origin + plan.url, { method: plan.method, headers, body }));
      } catch (err) {
        throw new BridgeError('network', `Cannot reach the ScriptHut engine at ${opts.origin}: ${(err as Error).message}. Is it still running?`);
      }
      const text = await res.text();
      let answer: unknown = undefined;
      try {
        answer = text ? JSON.parse(text) : undefined;
      } catch {
        /* non-JSON error pages are reported below with their status */
      }
      if (!res.ok) {
        const b = answer as { code?: string; message?: string; details?: unknown } | undefined;
        if (b && typeof b.message === 'string') throw new BridgeError((b.code as ErrorCode) ?? 'internal', b.message, b.details);
        throw new BridgeError('internal', `${name} failed: HTTP ${res.status} ${res.statusText}${text ? ` — ${text.slice(0, 200)}` : ''}`);
      }
      return answer as never;
    },
    on(listener) {
      listeners.add(listener);
      ensureSocket();
      return () => {
        listeners.delete(listener);
        maybeClose();
      };
    },
    onConnection(listener) {
      connListeners.add(listener);
      ensureSocket();
      listener(connected);
      return () => {
        connListeners.delete(listener);
        maybeClose();
      };
    },
  };
}
