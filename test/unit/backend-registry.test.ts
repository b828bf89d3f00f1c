// The registry builds every configured backend from its `type`: scheduler types get their dialect (PBS flavour
// chosen by `flavor`), AWS types get their cloud backends, and nothing SSH-reached is built without wiring.
import { describe, expect, it } from 'vitest';
import { buildBackends } from '../../src-main/engine/backend-factory';
import { pbsDialect, pbsProDialect } from '../../src-main/backends/dialects/pbs';
import { slurmDialect } from '../../src-main/backends/dialects/slurm';
import type { SchedulerDialect } from '../../src-main/backends/shell/dialect';
import { UnavailableBackend } from '../../src-main/backends/unavailable';
import { ScripthutConfigSchema, type ScripthutConfig } from '../../src-shared/config';

const ssh = { host: 'h' };
const config = ScripthutConfigSchema.parse({
  backends: [
    { name: 'a', type: 'slurm', ssh },
    { name: 'b', type: 'pbs', ssh },
    { name: 'c', type: 'pbs', ssh, flavor: 'pro', queue: 'workq' },
    { name: 'd', type: 'batch', aws: { region: 'eu-west-1', job_queue: 'q' } },
  ],
}) as ScripthutConfig;

describe('backend registry', () => {
  it('hands each scheduler backend its dialect, by type and PBS flavour', () => {
    const seen = new Map<string, SchedulerDialect>();
    const built = buildBackends(config, {
      dataDir: '/tmp/x',
      settings: null,
      makeShellBackend: (cfg, dialect) => {
        seen.set(cfg.name, dialect);
        return new UnavailableBackend(cfg.name, cfg.type, 'test');
      },
    });
    expect([...built.keys()]).toEqual(['a', 'b', 'c', 'd']);
    expect(seen.get('a')).toBe(slurmDialect);
    expect(seen.get('b')).toBe(pbsDialect);
    expect(seen.get('c')).toBe(pbsProDialect);
    // AWS types come from their own factory (no SSH wiring involved).
    expect(built.get('d')?.kind).toBe('batch');
    expect(built.get('d')).not.toBeInstanceOf(UnavailableBackend);
  });

  it('reports SSH backends unavailable when the build has no SSH wiring', () => {
    const built = buildBackends(config, { dataDir: '/tmp/x', settings: null });
    expect(built.get('b')?.kind).toBe('pbs');
    expect(built.get('b')?.status()).toMatchObject({ state: 'error', detail: 'pbs backends are not available in this build.' });
  });
});
