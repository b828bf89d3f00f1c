// Desktop notifications for the engine's `notification` events (run scheduled, task failed, run done).
import { Notification } from 'electron';
import type { EngineEvent } from '../../src-shared/api/contract';
import type { EngineApi } from '../engine/dispatch';

export function showEngineNotifications(api: EngineApi, onClick: (runId: string) => void): () => void {
  // Held until closed: an unreferenced Notification can be collected and lose its click handler.
  const live = new Set<Notification>();
  return api.subscribe((e: EngineEvent) => {
    if (e.event !== 'notification' || !Notification.isSupported()) return;
    const { title, body, level, run_id } = e.payload as EngineEvent<'notification'>['payload'];
    const n = new Notification({ title, body, silent: level === 'info' });
    live.add(n);
    n.on('click', () => onClick(run_id));
    n.on('close', () => live.delete(n));
    n.show();
  });
}
