// Keyboard shortcuts: one table, read by the key handler and by the help overlay, so the two never disagree.

export interface Shortcut {
  keys: string;
  what: string;
}

export const SHORTCUTS: Shortcut[] = [
  { keys: 'Ctrl K / ⌘ K', what: 'Command palette: jump to a run, a task or an action' },
  { keys: '?', what: 'This help' },
  { keys: 'n', what: 'New run' },
  { keys: 'g r', what: 'Go to runs' },
  { keys: 'g b', what: 'Go to backends' },
  { keys: 'g s', what: 'Go to settings' },
  { keys: '/', what: 'Search (the log, or the tasks)' },
  { keys: 'Esc', what: 'Close the dialog or the task panel' },
  { keys: '← →', what: 'Switch task tabs (when a tab has focus)' },
  { keys: 'Alt ←  / Alt →', what: 'Back / Forward' },
];

/** True when a key press belongs to what the user is typing, not to a shortcut. */
export function isTyping(target: EventTarget | null): boolean {
  const el = target as { tagName?: string; isContentEditable?: boolean; type?: string } | null;
  if (!el?.tagName) return false;
  if (el.isContentEditable) return true;
  const tag = el.tagName.toLowerCase();
  if (tag === 'textarea' || tag === 'select') return true;
  return tag === 'input' && !['checkbox', 'radio', 'button', 'submit'].includes(el.type ?? '');
}

export type ShortcutAction = 'palette' | 'help' | 'new-run' | 'go-runs' | 'go-backends' | 'go-settings' | 'search' | null;

/** Two-key sequences ("g r") keep the first key as `pending`. */
export function readShortcut(e: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean }, pending: string | null): { action: ShortcutAction; pending: string | null } {
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') return { action: 'palette', pending: null };
  if (e.ctrlKey || e.metaKey || e.altKey) return { action: null, pending: null };
  if (pending === 'g') {
    const to: Record<string, ShortcutAction> = { r: 'go-runs', b: 'go-backends', s: 'go-settings' };
    return { action: to[e.key] ?? null, pending: null };
  }
  if (e.key === 'g') return { action: null, pending: 'g' };
  if (e.key === '?') return { action: 'help', pending: null };
  if (e.key === 'n') return { action: 'new-run', pending: null };
  if (e.key === '/') return { action: 'search', pending: null };
  return { action: null, pending: null };
}

export interface PaletteItem {
  kind: 'action' | 'run' | 'task';
  label: string;
  hint: string;
  run: () => void;
}
