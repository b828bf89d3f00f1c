// The runs list's "Created" cell: "3 min ago", the clock time under it and the hover title. Rows come and go as
// the window scrolls and come back when it scrolls back, so each row's labels are formatted once per minute of
// the shared clock (and per zone setting) and then reused: a row entering the window costs a map lookup, not four
// Intl formats.
import { formatLocal, formatLocalFull, formatRelative, timeZoneMode } from './time';

export interface CreatedLabels {
  /** "3 min ago" (or the date, past a week). */
  ago: string;
  /** The clock time (date too when not today). */
  local: string;
  /** Created and finished with zone and UTC, for the hover title. */
  title: string;
}

/** Labels kept at most: about twenty pages of the runs list, far more than one minute of scrolling touches. */
const MAX_KEPT = 10_000;

export interface CreatedLabelCache {
  labels(created: string, finished: string | null, now: number): CreatedLabels;
  readonly size: number;
}

export function createdLabelCache(zone: () => string = timeZoneMode): CreatedLabelCache {
  let kept = new Map<string, CreatedLabels>();
  let epoch = '';
  return {
    labels(created, finished, now) {
      // Everything here changes at most with the minute (relative words, "today" vs a date) or the zone setting.
      const e = `${Math.floor(now / 60_000)}|${zone()}`;
      if (e !== epoch || kept.size >= MAX_KEPT) {
        epoch = e;
        kept = new Map();
      }
      const key = finished ? `${created}|${finished}` : created;
      let l = kept.get(key);
      if (!l) {
        const local = formatLocal(created);
        const full = `Created ${formatLocalFull(created)}`;
        l = {
          ago: formatRelative(created, now, local),
          local,
          title: finished ? `${full}\nFinished ${formatLocalFull(finished)} (${formatRelative(finished, now)})` : full,
        };
        kept.set(key, l);
      }
      return l;
    },
    get size() {
      return kept.size;
    },
  };
}

/** The window's one cache (the runs list is the only long list of relative times). */
export const createdLabels = createdLabelCache();
