// The window's shared minute clock as reactive state: views that show relative times read minuteNow() in their
// markup and are re-labelled together when it moves (see minute-tick.ts for why it is one tick a minute).
import { createMinuteTick } from './minute-tick';

const tick = createMinuteTick();
const clock = $state({ now: Date.now() });
let started = false;

/** Now, moved on once a minute; reading it in markup re-renders that markup on the minute. */
export function minuteNow(): number {
  // Started on first use and kept for the window's life: one interval, whichever pages come and go.
  if (!started) {
    started = true;
    tick.subscribe((now) => (clock.now = now));
  }
  return clock.now;
}
