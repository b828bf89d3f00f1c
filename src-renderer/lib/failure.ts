// Failure wording lives in src-shared (the CLI words failures the same way); CPU efficiency is UI-only.
export { failureReason, type FailureReason } from '../../src-shared/model/failure-reason';

/** CPU efficiency as the engine stores it (a percentage, e.g. 75 for 75 %). */
export function formatCpuEfficiency(pct: number | null): string | null {
  if (pct === null || !Number.isFinite(pct)) return null;
  return `${pct >= 10 ? Math.round(pct) : Math.round(pct * 10) / 10}%`;
}
