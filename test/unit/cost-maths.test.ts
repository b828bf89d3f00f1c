// Tables for the cost formulas: cloud share formula, real instance hours, cluster allocation units, billing TRES.
import path from 'node:path';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clusterTaskCost, cloudTaskCost, elapsedHours, gresGpus, memoryGb, summarise, type CostInput } from '../../src-main/pricing/cost';
import { loadSnapshot, parseSnapshot, SNAPSHOT_FILE } from '../../src-main/pricing/snapshot';
import { parseAwsPriceList } from '../../src-main/pricing/aws-price-list';

const REPO = path.resolve(__dirname, '..', '..');
const snapshot = loadSnapshot(path.join(REPO, 'resources', 'pricing', SNAPSHOT_FILE));
const NOW = '2026-11-30T12:00:00.000Z';
const task = (over: Partial<CostInput> = {}): CostInput => ({
  task_id: 't',
  cpus: 1,
  memory: '4G',
  gres: null,
  partition: 'cpu',
  started_at: '2026-11-30T10:00:00.000Z',
  finished_at: '2026-11-30T10:30:00.000Z',
  ...over,
});

describe('elapsed hours', () => {
  it.each([
    ['half an hour', '2026-11-30T10:00:00Z', '2026-11-30T10:30:00Z', 0.5],
    ['running task counts to now', '2026-11-30T11:00:00Z', null, 1],
    ['finish before start counts as 0', '2026-11-30T11:00:00Z', '2026-11-30T10:00:00Z', 0],
    ['never started', null, null, null],
  ])('%s', (_what, start, end, hours) => expect(elapsedHours(start, end, NOW)).toBe(hours));
});

describe('memory and gres text', () => {
  it.each([
    ['4G', 4],
    ['512M', 0.5],
    ['1.5T', 1536],
    ['2048', 2],
    ['8GB', 8],
    ['lots', null],
  ])('%s -> %s GB', (text, gb) => expect(memoryGb(text)).toBe(gb));
  it.each([
    [null, 0],
    ['gpu:2', 2],
    ['gpu:a100:4', 4],
    ['gpu', 1],
    ['shard:3', 0],
  ])('%s -> %s GPUs', (gres, n) => expect(gresGpus(gres)).toBe(n));
});

describe('cloud cost (elapsed h x cpus / vCPUs x price)', () => {
  const pricing = { region: 'us-east-1', price_type: 'ondemand' as const, partitions: { cpu: 'c5.xlarge', big: 'nope.huge' } };
  it.each([
    // 0.5 h x 2/4 x 0.17
    ['partial hour, share of the instance', task({ cpus: 2 }), 0.0425, null],
    ['running task costs up to now', task({ cpus: 4, started_at: '2026-11-30T11:00:00Z', finished_at: null }), 0.17, null],
    ['never started', task({ started_at: null }), null, 'never started (no start time)'],
    ['unmapped partition', task({ partition: 'gpu' }), null, "partition 'gpu' is not in pricing.partitions"],
    ['no partition', task({ partition: null }), null, 'no partition to price (set one or map it in pricing.partitions)'],
    ['unknown instance type', task({ partition: 'big' }), null, `instance type 'nope.huge' is not in the price snapshot of ${snapshot.date}`],
  ])('%s', (_what, t, cost, reason) => {
    const r = cloudTaskCost(t, pricing, snapshot, NOW);
    expect(r.cost).toBe(cost);
    expect(r.reason).toBe(reason);
  });
  it('real instance hours for EC2/Batch tasks: the whole instance, spot priced as spot', () => {
    const usage = { instanceType: 'm5.xlarge', startedAt: '2026-11-30T09:00:00Z', stoppedAt: '2026-11-30T11:00:00Z' };
    expect(cloudTaskCost(task({ usage }), pricing, snapshot, NOW).cost).toBe(0.384);
    const spot = cloudTaskCost(task({ usage: { ...usage, spot: true } }), pricing, snapshot, NOW).cost!;
    expect(spot).toBeCloseTo(2 * snapshot.instances['m5.xlarge']!.pricing['us-east-1']!.spot_avg!, 4);
    expect(spot).toBeLessThan(0.384);
  });
  it('region without a price says so', () => {
    const r = cloudTaskCost(task(), { ...pricing, region: 'ap-south-9' }, snapshot, NOW);
    expect(r.reason).toBe(`no ondemand price for 'c5.xlarge' in ap-south-9 in the price snapshot of ${snapshot.date}`);
  });
});

describe('cluster allocation units (allocated x elapsed)', () => {
  const su = { currency: 'SU', per_cpu_hour: 1, per_gpu_hour: 10, partitions: { gpu: { per_cpu_hour: 2 }, free: { per_cpu_hour: 0 } } };
  it.each([
    ['cpus x hours', task({ cpus: 4 }), su, 2, null],
    ['partition rate overrides the backend rate', task({ cpus: 4, partition: 'gpu', gres: 'gpu:2' }), su, 14, null],
    ['free partition', task({ cpus: 8, partition: 'free' }), su, 0, null],
    ['running task to now', task({ cpus: 2, started_at: '2026-11-30T09:00:00Z', finished_at: null }), su, 6, null],
    ['AllocTRES wins over the request', task({ cpus: 1, alloc_tres: 'billing=8,cpu=8,mem=16G,node=1' }), su, 4, null],
    ['GB-hours from memory', task({ memory: '8G' }), { currency: 'CHF', per_gb_hour: 0.01 }, 0.04, null],
    ['billing TRES when the centre bills by it', task({ alloc_tres: 'billing=12,cpu=4,mem=8G,node=1' }), { currency: 'core-hours', billing_tres: 1 }, 6, null],
    ['billing TRES asked for but not reported', task(), { currency: 'core-hours', billing_tres: 1 }, null, 'the scheduler reported no billing TRES for it'],
    ['no rate at all', task(), { currency: 'SU', partitions: {} }, null, "no rate for partition 'cpu'"],
    ['never started', task({ started_at: null }), su, null, 'never started (no start time)'],
    ['memory that is not a size', task({ memory: 'lots' }), { currency: 'SU', per_gb_hour: 1 }, null, "memory 'lots' is not a size"],
  ])('%s', (_what, t, c, cost, reason) => {
    const r = clusterTaskCost(t, c, NOW);
    expect(r.cost).toBe(cost);
    expect(r.reason).toBe(reason);
  });
  it('a run summary counts costed and uncosted tasks and rounds to 4 dp', () => {
    const s = summarise([{ task_id: 'a', cost: 0.12345, reason: null }, { task_id: 'b', cost: null, reason: 'x' }, { task_id: 'c', cost: 1, reason: null }], 'SU');
    expect(s).toMatchObject({ total: 1.1235, currency: 'SU', costed_tasks: 2, uncosted_tasks: 1 });
  });
});

describe('price snapshot and AWS price list', () => {
  it('the shipped snapshot is dated and covers common families in several regions', () => {
    expect(snapshot.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const t of ['c5.xlarge', 'm5.large', 'r5.large', 't3.medium', 'g4dn.xlarge']) {
      for (const r of ['us-east-1', 'eu-west-1']) expect(snapshot.instances[t]?.pricing[r]?.ondemand).toBeGreaterThan(0);
    }
  });
  it('a broken snapshot names the bad entry', () => {
    expect(() => parseSnapshot({ date: '2026-01-01', instances: { 'x.large': { vcpus: 0, pricing: {} } } }, 'snap.json')).toThrow('snap.json: instances.x.large.vcpus must be a positive number');
    expect(() => parseSnapshot({ date: 'yesterday', instances: {} }, 'snap.json')).toThrow("'date' must be YYYY-MM-DD");
  });
  it('parses plain Linux on-demand prices from the offer-file layout, skipping Windows, dedicated and unpriced', () => {
    const json: unknown = JSON.parse(fs.readFileSync(path.join(REPO, 'test', 'fixtures', 'pricing', 'aws-ec2-offer-sample.json'), 'utf8'));
    const parsed = parseAwsPriceList(json, 'us-east-1');
    expect(parsed.date).toBe('2026-11-01');
    expect(parsed.instances).toEqual({ 'c5.xlarge': { vcpus: 4, memory_gib: 8, pricing: { 'us-east-1': { ondemand: 0.17 } } } });
    expect(() => parseAwsPriceList({ products: {} }, 'us-east-1')).toThrow("missing 'products' or 'terms.OnDemand'");
  });
});
