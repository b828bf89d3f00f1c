import os from 'node:os';
import path from 'node:path';
import { defaultDataDir } from '../platform/paths';

/**
 * Where the engine writes its log files. An explicit data folder (--data-dir, SCRIPTHUT_DATA_DIR) keeps its logs
 * inside it, so separate engines (and tests) never share a log; otherwise the platform's log folder, where
 * users and support scripts look for it.
 */
export function logDirFor(dataDir: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.SCRIPTHUT_LOG_DIR) return path.resolve(env.SCRIPTHUT_LOG_DIR);
  const builtIn = defaultDataDir({ ...env, SCRIPTHUT_DATA_DIR: undefined });
  if (path.resolve(dataDir) !== builtIn) return path.join(dataDir, 'logs');
  return platformLogDir(env, platform);
}

export function platformLogDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = env.HOME || os.homedir();
  switch (platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Logs', 'ScriptHut');
    case 'win32':
      return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'ScriptHut', 'logs');
    default:
      return path.join(env.XDG_STATE_HOME ?? path.join(home, '.local', 'state'), 'scripthut', 'logs');
  }
}
