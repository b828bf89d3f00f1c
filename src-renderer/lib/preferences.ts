// Settings kept in this browser profile (localStorage): how times are shown and the colour theme. Unknown or
// missing stored values fall back to the defaults, so a hand-edited store cannot break the UI.

export type TimeZoneMode = 'local' | 'utc';
export type ThemeMode = 'system' | 'light' | 'dark';
export interface Preferences {
  timeZone: TimeZoneMode;
  theme: ThemeMode;
}

export const DEFAULT_PREFERENCES: Preferences = { timeZone: 'local', theme: 'system' };
const KEY = 'scripthut.preferences';

export function parsePreferences(text: string | null): Preferences {
  try {
    const v = JSON.parse(text ?? '{}') as Partial<Record<keyof Preferences, unknown>>;
    return {
      timeZone: v.timeZone === 'utc' ? 'utc' : 'local',
      theme: v.theme === 'light' || v.theme === 'dark' ? v.theme : 'system',
    };
  } catch {
    return { ...DEFAULT_PREFERENCES };
  }
}

interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}
// Typed by hand: this module is also compiled (for its tests) without the DOM library.
const browserStorage = (): KeyValueStore | null => (globalThis as { localStorage?: KeyValueStore }).localStorage ?? null;

export function loadPreferences(storage: Pick<KeyValueStore, 'getItem'> | null = browserStorage()): Preferences {
  return parsePreferences(storage?.getItem(KEY) ?? null);
}

export function savePreferences(p: Preferences, storage: Pick<KeyValueStore, 'setItem'> | null = browserStorage()): void {
  storage?.setItem(KEY, JSON.stringify(p));
}
