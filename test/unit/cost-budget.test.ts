// Monthly budget thresholds: 80 % and 100 %, each announced once per backend and month.
import { describe, expect, it } from 'vitest';
import { budgetAlerts, budgetKey } from '../../src-main/usage/budget';

describe('budget alerts', () => {
  it.each([
    ['under 80 %', 79.9, []],
    ['at 80 %', 80, [0.8]],
    ['over 100 % crosses both', 120, [0.8, 1]],
  ])('%s', (_w, spent, thresholds) => {
    expect(budgetAlerts([{ backend: 'hpc', spent, budget: 100, currency: 'SU' }], '2026-11', new Set()).map((a) => a.threshold)).toEqual(thresholds);
  });
  it('announces each threshold once per month, again the next month; no budget, no alert', () => {
    const first = budgetAlerts([{ backend: 'hpc', spent: 85, budget: 100, currency: 'SU' }], '2026-11', new Set());
    expect(first[0]!.message).toBe('hpc has used 85 % of its 2026-11 budget (85.00 of 100 SU)');
    const seen = new Set(first.map(budgetKey));
    expect(budgetAlerts([{ backend: 'hpc', spent: 90, budget: 100, currency: 'SU' }], '2026-11', seen)).toEqual([]);
    expect(budgetAlerts([{ backend: 'hpc', spent: 90, budget: 100, currency: 'SU' }], '2026-12', seen)).toHaveLength(1);
    expect(budgetAlerts([{ backend: 'free', spent: 1e9, budget: undefined, currency: 'SU' }], '2026-11', new Set())).toEqual([]);
  });
});
