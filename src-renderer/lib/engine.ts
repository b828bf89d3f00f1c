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
