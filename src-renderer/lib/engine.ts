// The window's bridge and event hub, created once. The only module that looks at `window`.
import { electronBridge, httpBridge, type Bridge, type PreloadApi } from './bridge';
import { createEventHub, type EventHub } from './events';
import { takeTokenFromLocation } from './token';

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
