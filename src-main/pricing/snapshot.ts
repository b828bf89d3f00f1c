// The cloud price snapshot: instance type -> vCPUs and hourly price per region and price type. Shipped in
// resources/pricing so costs work offline; `date` travels with every figure computed from it.
import fs from 'node:fs';

export const PRICE_TYPES = ['ondemand', 'spot_avg', 'spot_min', 'spot_max'] as const;
export type PriceType = (typeof PRICE_TYPES)[number];

export interface InstancePrice {
  vcpus: number;
  memory_gib: number;
  pricing: Record<string, Partial<Record<PriceType, number>>>;
}

export interface PriceSnapshot {
  /** Day the prices were taken (YYYY-MM-DD). */
  date: string;
  currency: string;
  source: string;
  instances: Record<string, InstancePrice>;
}

export const SNAPSHOT_FILE = 'aws-ec2-snapshot.json';

/** Check a snapshot's shape; errors name the first bad entry so a hand-edited file is easy to fix. */
export function parseSnapshot(value: unknown, where: string): PriceSnapshot {
  const fail = (msg: string): never => {
    throw new Error(`${where}: ${msg}`);
  };
  if (!value || typeof value !== 'object') fail('expected a JSON object');
  const v = value as Record<string, unknown>;
  if (typeof v.date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v.date)) fail("'date' must be YYYY-MM-DD");
  if (!v.instances || typeof v.instances !== 'object') fail("'instances' must be an object");
  for (const [type, raw] of Object.entries(v.instances as Record<string, unknown>)) {
    const i = raw as Partial<InstancePrice> | null;
    if (!i || typeof i.vcpus !== 'number' || !(i.vcpus > 0)) fail(`instances.${type}.vcpus must be a positive number`);
    if (!i?.pricing || typeof i.pricing !== 'object') fail(`instances.${type}.pricing must be an object`);
  }
  return { date: v.date as string, currency: typeof v.currency === 'string' ? v.currency : 'USD', source: typeof v.source === 'string' ? v.source : '', instances: v.instances as Record<string, InstancePrice> };
}

export function loadSnapshot(file: string): PriceSnapshot {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read the price snapshot ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message})`);
  }
  return parseSnapshot(json, file);
}

export type PriceLookup = { ok: true; vcpus: number; price: number } | { ok: false; reason: string };

export function lookupPrice(s: PriceSnapshot, instanceType: string, region: string, priceType: PriceType): PriceLookup {
  const i = s.instances[instanceType];
  if (!i) return { ok: false, reason: `instance type '${instanceType}' is not in the price snapshot of ${s.date}` };
  const price = i.pricing[region]?.[priceType];
  if (typeof price !== 'number') return { ok: false, reason: `no ${priceType} price for '${instanceType}' in ${region} in the price snapshot of ${s.date}` };
  return { ok: true, vcpus: i.vcpus, price };
}
