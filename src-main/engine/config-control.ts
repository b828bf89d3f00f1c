// What the engine needs to edit its own config: where the file is, how text is parsed (as the loader does), and
// how one backend is built from a config (through the registry, with the same wiring as at start).
import os from 'node:os';
import type { BackendConfig, ScripthutConfig } from '../../src-shared/config';
import { defaultConfig } from '../../src-shared/config';
import { parseConfigText, type LoadedConfig } from '../config/load';
import { buildBackend, defaultLocalBackend, type BackendFactoryContext } from '../backends/registry';
import type { Backend } from '../backends/types';
import { makeEnvResolver, type EnvLayersConfig, type EnvResolver } from './env';

export interface ConfigControl {
  /** Where Save writes: the file in effect, else the first file the loader would look at. */
  readonly target: string;
  /** The validated config whose backends run now; null = the built-in defaults. */
  current: ScripthutConfig | null;
  parse(text: string): LoadedConfig;
  defaults(): ScripthutConfig;
  /** Builds backend `name` of `config` (null config or no backends = the default local backend). */
  buildBackend(name: string, config: ScripthutConfig | null): Backend;
  envResolver(config: ScripthutConfig): EnvResolver;
}

export function makeConfigControl(o: {
  target: string;
  current: ScripthutConfig | null;
  env: NodeJS.ProcessEnv;
  factory: BackendFactoryContext;
  envLayers: (config: ScripthutConfig | null) => EnvLayersConfig;
}): ConfigControl {
  const cpuCount = Math.max(1, os.cpus().length);
  return {
    target: o.target,
    current: o.current,
    parse: (text) => parseConfigText(text, o.target, o.env, cpuCount),
    defaults: () => defaultConfig({ cpuCount }),
    buildBackend(name, config) {
      const cfg: BackendConfig | undefined = config?.backends.find((b) => b.name === name);
      if (cfg) return buildBackend(cfg, o.factory);
      if (name === 'local' && !config?.backends.length) return defaultLocalBackend(o.factory);
      throw new Error(`internal error: backend '${name}' is not in the config being applied`);
    },
    envResolver: (config) => makeEnvResolver(o.envLayers(config)),
  };
}
