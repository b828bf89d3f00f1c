// Which runs' workflow-warning panels the user closed in this session. The panel hides until the run has more
// warnings than when it was closed (a generator can add some later), and comes back in a new session: warnings are
// about the workflow file, which the user may still need to fix.

interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}
const sessionStore = (): KeyValueStore | null => (globalThis as { sessionStorage?: KeyValueStore }).sessionStorage ?? null;

const KEY = 'scripthut.dismissedWarnings';

function read(store: KeyValueStore | null): Record<string, number> {
  try {
    const v = JSON.parse(store?.getItem(KEY) ?? '{}') as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
    return Object.fromEntries(Object.entries(v).filter((e): e is [string, number] => typeof e[1] === 'number'));
  } catch {
    return {}; // not what we wrote: nothing dismissed
  }
}

/** Show the panel of a run that has `count` warnings? */
export function warningsVisible(runId: string, count: number, store: KeyValueStore | null = sessionStore()): boolean {
  return count > (read(store)[runId] ?? 0);
}

/** Hide the panel of a run for this session, until it has more than `count` warnings. */
export function dismissWarnings(runId: string, count: number, store: KeyValueStore | null = sessionStore()): void {
  if (!store) return;
  try {
    store.setItem(KEY, JSON.stringify({ ...read(store), [runId]: count }));
  } catch {
    // storage full or disabled: the panel simply closes for this page's life
  }
}
