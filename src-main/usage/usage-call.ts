// The `usage.summary` call: defaults (last 30 days, by day, the engine's zone) and bad input as `bad_input`.
import { ApiError } from '../../src-shared/api/contract';
import type { Db } from '../store/db';
import type { CostSettings } from '../pricing/settings';
import { checkTimeZone } from './local-days';
import { rightSizingReport } from './right-sizing-query';
import type { RightSizeOptions } from './right-sizing';
import { usageReport, type UsageGroup, type UsageReport, type UsageSplit } from './usage-query';

const NO_COST: CostSettings = { backends: {}, pricing: null, snapshot: null, snapshotError: null };

export function usageSummary(db: Db, cost: CostSettings | undefined, input: { since?: string; by?: UsageGroup; split?: UsageSplit; tz?: string }, now: string): UsageReport {
  const since = input.since ?? new Date(Date.parse(now) - 30 * 86_400_000).toISOString();
  const timeZone = input.tz ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  try {
    checkTimeZone(timeZone);
  } catch (err) {
    throw new ApiError('bad_input', (err as Error).message);
  }
  if (!Number.isFinite(Date.parse(since))) throw new ApiError('bad_input', `'since' must be a date (YYYY-MM-DD) or an ISO time, got '${since}'.`);
  return usageReport(db, cost ?? NO_COST, { since, by: input.by ?? 'day', ...(input.split ? { split: input.split } : {}), timeZone, now });
}

/** `usage.rightsizing`: completed tasks since a date (default: the last 30 days). */
export function usageRightSizing(db: Db, input: { since?: string; workflow?: string; days?: number }, now: string, opts: RightSizeOptions = {}) {
  if (input.since && input.days) throw new ApiError('bad_input', "Give either 'since' or 'days', not both.");
  if (input.days) input = { ...input, since: new Date(Date.parse(now) - input.days * 86_400_000).toISOString() };
  if (input.since && !Number.isFinite(Date.parse(input.since))) throw new ApiError('bad_input', `'since' must be a date (YYYY-MM-DD) or an ISO time, got '${input.since}'.`);
  const since = new Date(input.since ? Date.parse(input.since) : Date.parse(now) - 30 * 86_400_000).toISOString();
  return { since, tasks: rightSizingReport(db, { since, workflow: input.workflow, now }, opts) };
}
