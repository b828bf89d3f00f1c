// Small in-window toasts: engine notifications and the results of the user's own actions.
export type ToastLevel = 'info' | 'success' | 'error';

export interface Toast {
  id: number;
  level: ToastLevel;
  title: string;
  body: string;
  run_id: string | null;
}

const LIFETIME_MS: Record<ToastLevel, number> = { info: 5000, success: 6000, error: 12000 };
/** More would climb up the window over the page; older ones give way to newer. */
export const MAX_VISIBLE = 3;

let nextId = 1;
export const toasts = $state<{ items: Toast[] }>({ items: [] });

export function pushToast(t: Omit<Toast, 'id' | 'run_id'> & { run_id?: string | null }): void {
  const toast: Toast = { id: nextId++, run_id: t.run_id ?? null, level: t.level, title: t.title, body: t.body };
  toasts.items = [...toasts.items, toast].slice(-MAX_VISIBLE);
  setTimeout(() => dismissToast(toast.id), LIFETIME_MS[toast.level]);
}

export function dismissToast(id: number): void {
  toasts.items = toasts.items.filter((t) => t.id !== id);
}

export function toastError(what: string, err: unknown): void {
  pushToast({ level: 'error', title: what, body: err instanceof Error ? err.message : String(err) });
}
