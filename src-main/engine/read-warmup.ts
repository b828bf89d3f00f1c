// A host start answers the runs list's first page once before it listens. Right after a start, that page cost
// ~400–700 ms more than warm (ui-runs bench, 10,000 runs): the read worker thread starting (its own better-sqlite3
// and connection), SQLite's first reads of the runs table and its counts from disk, V8 compiling the query path.
// Done here it overlaps the window loading its bundle, and its answer stays in the worker's cache until a commit.
import type { CallName } from '../../src-shared/api/contract';
import { FIRST_RUNS_PAGE } from '../../src-shared/api/first-page';

export interface WarmableReads {
  invokeJson?(name: CallName, input: unknown): Promise<unknown> | null;
}

/**
 * Resolves with the warm-up's time in ms, null when reads are served in-thread (nothing to warm) or it failed;
 * never later than `capMs`, so a slow disk delays listening by at most that much.
 */
export async function warmReads(api: WarmableReads, capMs = 3000): Promise<number | null> {
  const t0 = Date.now();
  const answer = api.invokeJson?.('runs.list', FIRST_RUNS_PAGE);
  if (!answer) return null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const cap = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), capMs);
    timer.unref?.();
  });
  try {
    return await Promise.race([answer.then(() => Date.now() - t0), cap]);
  } catch {
    // The same read fails again, with its error, when a page asks for it.
    return null;
  } finally {
    clearTimeout(timer);
  }
}
