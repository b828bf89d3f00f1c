// Parser of the public AWS price list ("offer file") for EC2, turning it into snapshot entries. The download
// itself is in refresh.ts; this part is pure so it is tested on a small sample in the offer-file format.
import type { InstancePrice } from './snapshot';

interface OfferProduct {
  sku: string;
  productFamily?: string;
  attributes?: Record<string, string>;
}
interface OfferFile {
  publicationDate?: string;
  products?: Record<string, OfferProduct>;
  terms?: { OnDemand?: Record<string, Record<string, { priceDimensions?: Record<string, { unit?: string; pricePerUnit?: Record<string, string> }> }>> };
}

/** On-demand Linux, shared tenancy, no pre-installed software, capacity "Used": the price a plain instance costs. */
function isPlainLinux(a: Record<string, string>): boolean {
  return a.operatingSystem === 'Linux' && a.tenancy === 'Shared' && (a.preInstalledSw ?? 'NA') === 'NA' && (a.capacitystatus ?? 'Used') === 'Used' && (a.licenseModel ?? 'No License required') === 'No License required';
}

export interface ParsedPriceList {
  date: string | null;
  region: string;
  instances: Record<string, InstancePrice>;
}

export function parseAwsPriceList(json: unknown, region: string): ParsedPriceList {
  if (!json || typeof json !== 'object') throw new Error('AWS price list: expected a JSON object');
  const offer = json as OfferFile;
  if (!offer.products || !offer.terms?.OnDemand) throw new Error("AWS price list: missing 'products' or 'terms.OnDemand' (is this an EC2 offer file?)");
  const instances: Record<string, InstancePrice> = {};
  for (const p of Object.values(offer.products)) {
    const a = p.attributes ?? {};
    if (p.productFamily !== 'Compute Instance' || !a.instanceType || !isPlainLinux(a)) continue;
    if (a.regionCode && a.regionCode !== region) continue;
    const vcpus = Number(a.vcpu);
    if (!(vcpus > 0)) continue;
    let price: number | null = null;
    for (const term of Object.values(offer.terms.OnDemand[p.sku] ?? {})) {
      for (const d of Object.values(term.priceDimensions ?? {})) {
        const usd = Number(d.pricePerUnit?.USD);
        if (d.unit === 'Hrs' && usd > 0) price = usd;
      }
    }
    if (price === null) continue;
    const memory = Number.parseFloat(a.memory ?? '');
    instances[a.instanceType] = { vcpus, memory_gib: Number.isFinite(memory) ? memory : 0, pricing: { [region]: { ondemand: price } } };
  }
  const date = typeof offer.publicationDate === 'string' ? offer.publicationDate.slice(0, 10) : null;
  return { date, region, instances };
}
