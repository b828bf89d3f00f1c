// How each run was last looked at — which tab (table, graph, timeline), whether the table was grouped and which
// groups were collapsed — kept in this browser profile so a reload or a return to the run shows it the same way.
// Only the most recently seen runs are kept, so the store cannot grow without end.

export const RUN_VIEWS = ['table', 'graph', 'timeline'] as const;
export type RunView = (typeof RUN_VIEWS)[number];

export interface RunViewState {
  view: RunView;
  grouped: boolean;
  collapsed: string[];
}

export const DEFAULT_RUN_VIEW: RunViewState = { view: 'table', grouped: false, collapsed: [] };
const KEY = 'scripthut.runViews';
export const RUNS_KEPT = 50;

interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}
const browserStorage = (): KeyValueStore | null => (globalThis as { localStorage?: KeyValueStore }).localStorage ?? null;

type Stored = Array<[string, RunViewState]>;

/** A stored value that is not what we wrote (hand-edited, older build) reads as the defaults. */
export function parseRunViews(text: string | null): Map<string, RunViewState> {
  const out = new Map<string, RunViewState>();
  try {
    const v = JSON.parse(text ?? '[]') as unknown;
    if (!Array.isArray(v)) return out;
    for (const e of v as unknown[]) {
      if (!Array.isArray(e) || typeof e[0] !== 'string' || typeof e[1] !== 'object' || e[1] === null) continue;
      const s = e[1] as Partial<Record<keyof RunViewState, unknown>>;
      out.set(e[0], {
        view: (RUN_VIEWS as readonly unknown[]).includes(s.view) ? (s.view as RunView) : 'table',
        grouped: s.grouped === true,
        collapsed: Array.isArray(s.collapsed) ? s.collapsed.filter((g): g is string => typeof g === 'string') : [],
      });
    }
  } catch {
    /* unreadable: defaults */
  }
  return out;
}

export function loadRunView(runId: string, storage: Pick<KeyValueStore, 'getItem'> | null = browserStorage()): RunViewState {
  const s = parseRunViews(storage?.getItem(KEY) ?? null).get(runId);
  return s ? { ...s, collapsed: [...s.collapsed] } : { ...DEFAULT_RUN_VIEW, collapsed: [] };
}

/** Saves one run's state as the most recent, dropping the oldest beyond RUNS_KEPT. */
export function saveRunView(runId: string, state: RunViewState, storage: KeyValueStore | null = browserStorage()): void {
  if (!storage) return;
  const all = parseRunViews(storage.getItem(KEY));
  all.delete(runId);
  all.set(runId, state);
  const kept: Stored = [...all.entries()].slice(-RUNS_KEPT);
  storage.setItem(KEY, JSON.stringify(kept));
}
