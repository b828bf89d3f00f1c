// One engine event subscription per window, shared by every view. Views register per-event handlers here
// instead of subscribing to the bridge themselves.
import type { EventName, EventPayload } from '../../src-shared/api/contract';
import type { Bridge } from './bridge';

type AnyHandler = (payload: unknown) => void;

export interface EventHub {
  on<E extends EventName>(name: E, handler: (payload: EventPayload<E>) => void): () => void;
  /** Called when the event stream comes back after a drop: events may have been missed, so refetch. */
  onReconnect(handler: () => void): () => void;
  /**
   * Called each time the stream opens after registration: the first open and every reopen. A view whose first
   * read was sent before the stream opened re-reads here, as changes in between reached nobody.
   */
  onOpen(handler: () => void): () => void;
  /** Called with the stream state whenever it changes (and once at registration). */
  onConnection(handler: (connected: boolean) => void): () => void;
}

export function createEventHub(bridge: Bridge): EventHub {
  const handlers = new Map<EventName, Set<AnyHandler>>();
  const reconnectHandlers = new Set<() => void>();
  const connectionHandlers = new Set<(c: boolean) => void>();
  const openHandlers = new Set<() => void>();
  let started = false;
  let connected = false;
  let wasDown = false;
  /**
   * The bridge reports "not connected" at registration, before the first open: that is not a drop. Taken for one,
   * it made every view load twice on start, and a view dropped its first answer for the second (the runs list's
   * first rows waited ~100–200 ms more, bench/ui-runs.bench.ts). Views subscribe before their first read, so the
   * stream is opening before that read is sent.
   */
  let wasUp = false;

  function start(): void {
    if (started) return;
    started = true;
    bridge.on((e) => {
      const set = handlers.get(e.event);
      if (!set) return;
      for (const h of [...set]) {
        try {
          h(e.payload);
        } catch (err) {
          console.error(`scripthut: a "${e.event}" handler failed`, err);
        }
      }
    });
    bridge.onConnection((c) => {
      const opened = c && !connected;
      connected = c;
      for (const h of [...connectionHandlers]) h(c);
      if (!c) wasDown = wasUp;
      else if (wasDown) {
        wasDown = false;
        for (const h of [...reconnectHandlers]) h();
      }
      if (c) wasUp = true;
      if (opened) for (const h of [...openHandlers]) h();
    });
  }

  return {
    on(name, handler) {
      start();
      let set = handlers.get(name);
      if (!set) handlers.set(name, (set = new Set()));
      set.add(handler as AnyHandler);
      return () => set.delete(handler as AnyHandler);
    },
    onReconnect(handler) {
      start();
      reconnectHandlers.add(handler);
      return () => reconnectHandlers.delete(handler);
    },
    onOpen(handler) {
      start();
      openHandlers.add(handler);
      return () => openHandlers.delete(handler);
    },
    onConnection(handler) {
      start();
      connectionHandlers.add(handler);
      handler(connected);
      return () => connectionHandlers.delete(handler);
    },
  };
}
