// The window's bridge and event hub, created once. The only module that looks at `window`.
import { electronBridge, httpBridge, type Bridge, type PreloadApi } from './bridge';
import { createEventHub, type EventHub } from './events';
import { takeTokenFromLocation } from './token';
import type { CallInput, CallName, CallOutput } from '../../src-shared/api/contract';

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in a plain browser. */
    scripthut?: PreloadApi;
  }
}

let current: Bridge | null = null;
let hub: EventHub | null = null;

export function bridge(): Bridge {
  if (current) return current;
  if (window.scripthut) {
    current = electronBridge(window.scripthut);
  } else {
    const token = takeTokenFromLocation({ location: window.location, storage: window.sessionStorage, history: window.history });
    current = httpBridge({ origin: window.location.origin, token });
  }
  return current;
}

export function events(): EventHub {
  if (!hub) hub = createEventHub(bridge());
  return hub;
}

export type Answer<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Call the engine from inside an `$effect` and return the effect's cleanup: an answer that arrives after the
 * effect re-ran (new input) or the view went away is dropped instead of overwriting newer state.
 */
export function invokeForEffect<N extends CallName>(name: N, input: CallInput<N>, onAnswer: (a: Answer<CallOutput<N>>) => void): () => void {
  let alive = true;
  bridge()
    .invoke(name, input)
    .then(
      (value) => alive && onAnswer({ ok: true, value }),
      (err: Error) => alive && onAnswer({ ok: false, message: err.message }),
    );
  return () => {
    alive = false;
  };
}

export interface LogFileRef {
  run_id: string;
  task_id: string;
  type: 'output' | 'error';
  attempt?: number;
}

export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The raw-log route (streamed by the host); its path mirrors the contract's routes. */
export function rawLogPath(ref: LogFileRef): string {
  const q = new URLSearchParams({ type: ref.type });
  if (ref.attempt !== undefined) q.set('attempt', String(ref.attempt));
  return `/api/v1/runs/${encodeURIComponent(ref.run_id)}/tasks/${encodeURIComponent(ref.task_id)}/log/raw?${q.toString()}`;
}

/**
 * Save a task's whole log. In a browser the host streams it from the raw route (the bearer token goes in a
 * header, so the route cannot be a plain link); without that route (Electron, older host) the whole log is read
 * through the contract instead.
 */
export async function downloadLog(ref: LogFileRef): Promise<void> {
  const name = `${ref.task_id}${ref.attempt !== undefined ? `.attempt${ref.attempt}` : ''}.${ref.type === 'error' ? 'err' : 'out'}.log`;
  if (!window.scripthut) {
    const token = window.sessionStorage.getItem('scripthut.token');
    const res = await fetch(rawLogPath(ref), { headers: token ? { authorization: `Bearer ${token}` } : {} }).catch(() => null);
    if (res?.ok) {
      saveBlob(await res.blob(), name);
      return;
    }
  }
  const chunk = await bridge().invoke('tasks.log', { run_id: ref.run_id, task_id: ref.task_id, type: ref.type, ...(ref.attempt === undefined ? {} : { attempt: ref.attempt }) });
  saveBlob(new Blob([chunk.content], { type: 'text/plain' }), name);
}
