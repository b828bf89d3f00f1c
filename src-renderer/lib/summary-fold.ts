// Whether the run summary card is folded, remembered in this browser profile. Two answers: with a task panel open
// the card is folded by default, since at laptop heights the card, the task table and the panel cannot all fit
// (at 1024×800 each got ~150 px and the whole page scrolled); without a panel it is open by default.

export interface SummaryFold {
  /** Folded while no task panel is open. */
  alone: boolean;
  /** Folded while a task panel is open. */
  withPanel: boolean;
}

export const DEFAULT_SUMMARY_FOLD: SummaryFold = { alone: false, withPanel: true };
const KEY = 'scripthut.runSummaryFold';

interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}
const browserStorage = (): KeyValueStore | null => (globalThis as { localStorage?: KeyValueStore }).localStorage ?? null;

/** A missing or hand-edited value falls back to the defaults, field by field. */
export function parseSummaryFold(text: string | null): SummaryFold {
  try {
    const v = JSON.parse(text ?? '{}') as Partial<Record<keyof SummaryFold, unknown>>;
    return {
      alone: typeof v.alone === 'boolean' ? v.alone : DEFAULT_SUMMARY_FOLD.alone,
      withPanel: typeof v.withPanel === 'boolean' ? v.withPanel : DEFAULT_SUMMARY_FOLD.withPanel,
    };
  } catch {
    return { ...DEFAULT_SUMMARY_FOLD };
  }
}

export function loadSummaryFold(storage: Pick<KeyValueStore, 'getItem'> | null = browserStorage()): SummaryFold {
  return parseSummaryFold(storage?.getItem(KEY) ?? null);
}

export function saveSummaryFold(f: SummaryFold, storage: Pick<KeyValueStore, 'setItem'> | null = browserStorage()): void {
  storage?.setItem(KEY, JSON.stringify(f));
}

/** Flips the fold that applies now (with or without a panel), leaving the other as it was. */
export function toggleSummaryFold(f: SummaryFold, panelOpen: boolean): SummaryFold {
  return panelOpen ? { ...f, withPanel: !f.withPanel } : { ...f, alone: !f.alone };
}
