// What the engine needs to put a price on a task: each backend's allocation rates, the cloud pricing section and
// the price snapshot (loaded once; a missing or broken snapshot only makes cloud figures uncostable, with why).
import path from 'node:path';
import type { ScripthutConfig } from '../../src-shared/config';
import type { BackendCostConfig } from '../../src-shared/config/schema';
import type { CloudPricing } from './cost';
import { loadSnapshot, SNAPSHOT_FILE, type PriceSnapshot } from './snapshot';

export interface CostSettings {
  backends: Record<string, BackendCostConfig | undefined>;
  pricing: CloudPricing | null;
  snapshot: PriceSnapshot | null;
  snapshotError: string | null;
}

export function costSettingsFrom(config: ScripthutConfig | null, resourcesDir: string | undefined, dataDir: string): CostSettings {
  const backends: CostSettings['backends'] = {};
  for (const b of config?.backends ?? []) backends[b.name] = (b as { cost?: BackendCostConfig }).cost;
  const p = config?.pricing;
  const pricing = p && Object.keys(p.partitions).length > 0 ? { region: p.region, price_type: p.price_type, partitions: p.partitions } : null;
  let snapshot: PriceSnapshot | null = null;
  let snapshotError: string | null = null;
  // A refreshed snapshot in the data folder wins over the shipped one.
  const candidates = [path.join(dataDir, 'pricing', SNAPSHOT_FILE), ...(resourcesDir ? [path.join(resourcesDir, 'pricing', SNAPSHOT_FILE)] : [])];
  for (const file of candidates) {
    try {
      snapshot = loadSnapshot(file);
      snapshotError = null;
      break;
    } catch (err) {
      snapshotError ??= (err as Error).message;
    }
  }
  if (!snapshot && !resourcesDir) snapshotError = 'no price snapshot is bundled with this build';
  return { backends, pricing, snapshot, snapshotError };
}
