// Settings from scripthut.yaml that decide things before an engine exists: which data folder to use and which
// port the headless host listens on. Command-line flags win, then the environment, then the config file, then the
// platform default. A config that does not load is ignored here (the engine reports it, located, once it runs).
import path from 'node:path';
import { defaultDataDir } from '../platform/paths';
import { loadConfig, type LoadedConfig } from './load';

export interface SettingsLookup {
  configPath?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** An already loaded config (saves reading it twice). */
  loaded?: LoadedConfig;
}

function load(o: SettingsLookup): LoadedConfig | null {
  if (o.loaded) return o.loaded;
  try {
    return loadConfig({ configPath: o.configPath, env: o.env, cwd: o.cwd });
  } catch {
    return null;
  }
}

/** `--data-dir`, else $SCRIPTHUT_DATA_DIR, else settings.data_dir (relative to the config file), else the platform folder. */
export function resolveDataDir(flag: string | undefined, o: SettingsLookup = {}): string {
  const env = o.env ?? process.env;
  if (flag) return path.resolve(o.cwd ?? process.cwd(), flag);
  if (env.SCRIPTHUT_DATA_DIR) return path.resolve(env.SCRIPTHUT_DATA_DIR);
  const loaded = load(o);
  const fromConfig = loaded?.ok ? loaded.config.settings.data_dir : undefined;
  if (loaded?.ok && fromConfig) return path.resolve(loaded.file ? path.dirname(loaded.file) : (o.cwd ?? process.cwd()), fromConfig);
  return defaultDataDir(env);
}

/** `--port`, else settings.server_port when the config sets it, else 0 (a free port). */
export function resolveServerPort(flag: number | undefined, o: SettingsLookup = {}): number {
  if (flag !== undefined) return flag;
  const loaded = load(o);
  return (loaded?.ok ? loaded.config.settings.server_port : undefined) ?? 0;
}
