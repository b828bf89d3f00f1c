import os from 'node:os';
import path from 'node:path';

/** Where the engine keeps its database, spool and logs. Electron uses the same folder (app.setPath). */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SCRIPTHUT_DATA_DIR) return path.resolve(env.SCRIPTHUT_DATA_DIR);
  const home = os.homedir();
  switch (process.platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', 'ScriptHut');
    case 'win32':
      return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'ScriptHut');
    default:
      return path.join(env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'scripthut');
  }
}

/** The user-global config file: ~/.config/scripthut/scripthut.yaml (XDG_CONFIG_HOME respected); on Windows %APPDATA%\\ScriptHut\\scripthut.yaml. */
export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'), 'ScriptHut', 'scripthut.yaml');
  const base = env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config');
  return path.join(base, 'scripthut', 'scripthut.yaml');
}
