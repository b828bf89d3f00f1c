import type { EngineEvent, EventName, EventPayload } from '../../src-shared/api/contract';

type Listener = (e: EngineEvent) => void;

/** In-process event bus; adapters (IPC, WebSocket) subscribe once and fan out to their clients. */
export class EventBus {
  private listeners = new Set<Listener>();
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const l of this.listeners) {
      try {
        l({ event, payload } as EngineEvent);
      } catch {
        // A misbehaving subscriber must not break the engine step that emitted the event.
      }
    }
  }
}
