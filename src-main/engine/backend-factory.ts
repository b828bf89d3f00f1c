// The one composition root for backends: every caller (engine start, CLI, benches, tests) builds them here, from
// the registry. With no backends configured (the embedded default), the engine gets one local backend `local`.
import type { ScripthutConfig } from '../../src-shared/config';
import { buildBackend, defaultLocalBackend, type BackendFactoryContext } from '../backends/registry';
import type { Backend } from '../backends/types';

export type { BackendFactoryContext };
export { defaultLocalBackend };

export function buildBackends(config: ScripthutConfig | null, ctx: BackendFactoryContext): Map<string, Backend> {
  const out = new Map<string, Backend>();
  const list = config?.backends ?? [];
  for (const cfg of list) out.set(cfg.name, buildBackend(cfg, ctx));
  if (list.length === 0 && process.platform !== 'win32') out.set('local', defaultLocalBackend(ctx));
  return out;
}
