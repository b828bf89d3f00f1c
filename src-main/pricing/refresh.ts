// `pricing refresh`: download the public AWS EC2 price list for the configured regions and write a snapshot into
// the data folder, where it wins over the shipped one. Spot figures are not in the offer file: they are kept from
// the snapshot in use. Nothing is written unless every region was fetched and parsed.
import fs from 'node:fs';
import path from 'node:path';
import { parseAwsPriceList } from './aws-price-list';
import { SNAPSHOT_FILE, type InstancePrice, type PriceSnapshot } from './snapshot';

/** `{region}` is replaced; SCRIPTHUT_PRICE_LIST_URL overrides it (mirrors, tests). */
export const DEFAULT_PRICE_LIST_URL = 'https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/{region}/index.json';

export class PriceRefreshError extends Error {
  constructor(
    message: string,
    readonly offline: boolean,
  ) {
    super(message);
  }
}

export interface PriceRefreshResult {
  file: string;
  date: string;
  regions: string[];
  instance_types: number;
  source: string;
}

export function priceListUrl(template: string, region: string): string {
  return template.includes('{region}') ? template.replaceAll('{region}', encodeURIComponent(region)) : template;
}

async function download(url: string, timeoutMs: number, fetchImpl: typeof fetch): Promise<unknown> {
  let res: Response;
  try {
    res = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (err as Error).message;
    throw new PriceRefreshError(`Cannot reach the AWS price list at ${url} (${why}); are you offline?`, true);
  }
  if (!res.ok) throw new PriceRefreshError(`The AWS price list at ${url} answered HTTP ${res.status} ${res.statusText}`.trim(), false);
  try {
    return await res.json();
  } catch (err) {
    throw new PriceRefreshError(`The AWS price list at ${url} is not valid JSON (${(err as Error).message})`, false);
  }
}

/** Pure merge: on-demand prices of the fetched regions replace the base ones; everything else is kept. */
export function mergePriceLists(base: PriceSnapshot | null, fetched: Array<{ region: string; instances: Record<string, InstancePrice> }>, date: string, source: string): PriceSnapshot {
  const instances: Record<string, InstancePrice> = structuredClone(base?.instances ?? {});
  for (const f of fetched) {
    for (const [type, p] of Object.entries(f.instances)) {
      const ondemand = p.pricing[f.region]?.ondemand;
      if (ondemand === undefined) continue;
      const cur = (instances[type] ??= { vcpus: p.vcpus, memory_gib: p.memory_gib, pricing: {} });
      cur.vcpus = p.vcpus;
      cur.memory_gib = p.memory_gib || cur.memory_gib;
      cur.pricing[f.region] = { ...cur.pricing[f.region], ondemand };
    }
  }
  return { date, currency: 'USD', source, instances };
}

export async function refreshPriceSnapshot(o: {
  dataDir: string;
  base: PriceSnapshot | null;
  regions: string[];
  urlTemplate?: string;
  today: string;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}): Promise<{ result: PriceRefreshResult; snapshot: PriceSnapshot }> {
  const template = o.urlTemplate ?? process.env.SCRIPTHUT_PRICE_LIST_URL ?? DEFAULT_PRICE_LIST_URL;
  const regions = [...new Set(o.regions)];
  const fetched: Array<{ region: string; instances: Record<string, InstancePrice> }> = [];
  let published: string | null = null;
  for (const region of regions) {
    const url = priceListUrl(template, region);
    const json = await download(url, o.timeoutMs ?? 300_000, o.fetchImpl ?? fetch);
    let parsed: ReturnType<typeof parseAwsPriceList>;
    try {
      parsed = parseAwsPriceList(json, region);
    } catch (err) {
      throw new PriceRefreshError(`${url}: ${(err as Error).message}`, false);
    }
    if (!Object.keys(parsed.instances).length) throw new PriceRefreshError(`${url}: no on-demand Linux instance prices for region ${region}`, false);
    if (parsed.date && (!published || parsed.date > published)) published = parsed.date;
    fetched.push({ region, instances: parsed.instances });
  }
  // The day the prices were fetched: the list's own publication date can be weeks old while still current.
  const date = o.today;
  const source = `AWS price list ${published ? `published ${published}, ` : ''}fetched ${o.today} from ${priceListUrl(template, '{region}')}`;
  const snapshot = mergePriceLists(o.base, fetched, date, source);
  const dir = path.join(o.dataDir, 'pricing');
  fs.mkdirSync(dir, { recursive: true });
  const text = `${JSON.stringify(snapshot, null, 1)}\n`;
  // A dated copy stays as a record of what was charged at the time; the undated file is the one in use.
  fs.writeFileSync(path.join(dir, `aws-ec2-snapshot-${date}.json`), text);
  const file = path.join(dir, SNAPSHOT_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
  return { result: { file, date, regions, instance_types: Object.keys(snapshot.instances).length, source }, snapshot };
}
