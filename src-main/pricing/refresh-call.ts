// The `pricing.refresh` call: download, write, and switch the running engine to the new snapshot at once.
import { ApiError } from '../../src-shared/api/contract';
import { PriceRefreshError, refreshPriceSnapshot } from './refresh';
import type { CostSettings } from './settings';

export async function pricingRefresh(dataDir: string, cost: CostSettings | undefined, input: { regions?: string[] }, now: string) {
  const previous = cost?.snapshot ?? null;
  const regions = input.regions ?? [cost?.pricing?.region ?? 'us-east-1'];
  try {
    const { result, snapshot } = await refreshPriceSnapshot({ dataDir, base: previous, regions, today: now.slice(0, 10) });
    if (cost) {
      cost.snapshot = snapshot;
      cost.snapshotError = null;
    }
    return { ...result, previous_date: previous?.date ?? null };
  } catch (err) {
    if (!(err instanceof PriceRefreshError)) throw err;
    const stays = previous ? ` Prices of ${previous.date} stay in use.` : ' No price snapshot is in use.';
    throw new ApiError('unavailable', `${err.message}${/[.?!]$/.test(err.message) ? '' : '.'}${stays}`);
  }
}
