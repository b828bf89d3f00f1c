// The run summary card's fold, remembered per situation (with or without a task panel open).
import { describe, expect, it } from 'vitest';
import { DEFAULT_SUMMARY_FOLD, loadSummaryFold, parseSummaryFold, saveSummaryFold, toggleSummaryFold } from '../../src-renderer/lib/summary-fold';

describe('run summary fold', () => {
  it('is open alone and folded beside a task panel by default, and survives damaged stored values field by field', () => {
    expect(parseSummaryFold(null)).toEqual({ alone: false, withPanel: true });
    expect(parseSummaryFold('not json')).toEqual(DEFAULT_SUMMARY_FOLD);
    expect(parseSummaryFold('{"alone":"yes","withPanel":false}')).toEqual({ alone: false, withPanel: false });
    expect(parseSummaryFold('[]')).toEqual(DEFAULT_SUMMARY_FOLD);
  });

  it('toggles only the fold that applies now, and round-trips through storage', () => {
    const withPanelOpened = toggleSummaryFold(DEFAULT_SUMMARY_FOLD, true);
    expect(withPanelOpened).toEqual({ alone: false, withPanel: false });
    const aloneFolded = toggleSummaryFold(withPanelOpened, false);
    expect(aloneFolded).toEqual({ alone: true, withPanel: false });
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    saveSummaryFold(aloneFolded, storage);
    expect(loadSummaryFold(storage)).toEqual(aloneFolded);
  });
});
