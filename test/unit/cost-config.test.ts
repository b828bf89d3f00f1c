// `backends[].cost` in scripthut.yaml: defaults, partition overrides, and located errors for bad rates.
import { describe, expect, it } from 'vitest';
import { parseConfigObject } from '../../src-shared/config';

describe('backends[].cost', () => {
  it('reads rates, partition overrides and a budget; currency defaults to SU', () => {
    const r = parseConfigObject({ backends: [{ type: 'slurm', name: 'hpc', ssh: { host: 'h' }, cost: { per_cpu_hour: 1, billing_tres: 0.5, monthly_budget: 10000, partitions: { gpu: { per_gpu_hour: 12 } } } }] });
    expect(r.ok && r.config.backends[0]).toMatchObject({ cost: { currency: 'SU', per_cpu_hour: 1, billing_tres: 0.5, monthly_budget: 10000, partitions: { gpu: { per_gpu_hour: 12 } } } });
  });
  it('is optional', () => {
    const r = parseConfigObject({ backends: [{ type: 'local', name: 'l', cost: null }] }, { cpuCount: 2 });
    expect(r.ok && (r.config.backends[0] as { cost?: unknown }).cost).toBeUndefined();
  });
  it.each([
    [{ per_cpu_hour: -1 }, "backends[0] ('l').cost.per_cpu_hour", 'must not be negative'],
    [{ per_gpu_hour: 'lots' }, "backends[0] ('l').cost.per_gpu_hour", 'expected a number'],
    [{ partitions: { gpu: { per_cpu_hour: -2 } } }, "backends[0] ('l').cost.partitions.gpu.per_cpu_hour", 'must not be negative'],
  ])('bad rate %j is located', (cost, where, what) => {
    const r = parseConfigObject({ backends: [{ type: 'local', name: 'l', cost }] }, { cpuCount: 2 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.message).toContain(where);
      expect(r.error.message).toContain(what);
    }
  });
});
