// Electron entry point (bundled to out/electron/main.cjs by scripts/build-main.mjs).
import fs from 'node:fs';
import path from 'node:path';
import { app, safeStorage } from 'electron';
import { startEngine } from '../engine/start';
import { makeShellBackendFactory } from '../engine/ssh-wiring';
import { createFileLogger, installConsoleSink, logProcessFailures, type FileLogger } from '../logging/logger';
import { logDirFor } from '../logging/log-dir';
import { withLogFile } from '../logging/health-log-file';
import { configPathFromArgv, startDesktop } from './desktop';
import { checkForUpdates } from './updater';
import { runCli } from '../cli/main';
import { openKeychain } from './keychain';

// In the bundle this file is out/electron/main.cjs: the preload sits beside it, the renderer in ../renderer,
// and resources/ (icon, demo workflow) at the app root, inside app.asar once packaged.
const outDir = path.resolve(__dirname, '..');
const appRoot = path.resolve(outDir, '..');
const resourcesDir = path.join(appRoot, 'resources');

/**
 * better-sqlite3 in node_modules is built for Node's ABI (the CLI and tests use it); the Electron main process
 * loads the Electron build made by scripts/electron-native.mjs. Native files cannot be loaded from inside
 * app.asar, so packaged apps read it from app.asar.unpacked.
 */
function electronSqliteBinding(): string | undefined {
  const file = path.join(outDir, 'native', 'electron', 'better_sqlite3.node').replace(`app.asar${path.sep}`, `app.asar.unpacked${path.sep}`);
  if (fs.existsSync(file)) return file;
  console.error(`ScriptHut Desktop: ${file} is missing (run \`node scripts/electron-native.mjs\`); trying node_modules' better-sqlite3, which only loads if it was built for Electron.`);
  return undefined;
}

let fileLogger: FileLogger | null = null;

/**
 * `ScriptHut Desktop --scripthut-cli <args>`: the installers' `scripthut` launcher runs the CLI through the app's
 * own executable (the runAsNode fuse is off, so ELECTRON_RUN_AS_NODE cannot be used, and no separate Node is
 * shipped). No window, no single-instance lock.
 */
export const CLI_FLAG = '--scripthut-cli';

const cliAt = process.argv.indexOf(CLI_FLAG);
if (cliAt >= 0) {
  const binding = electronSqliteBinding();
  void runCli(process.argv.slice(cliAt + 1), { appRoot, version: app.getVersion(), sqliteBinding: binding, selfCommand: [process.execPath, CLI_FLAG] })
    .then((code) => app.exit(code))
    .catch((err: unknown) => {
      process.stderr.write(`scripthut: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      app.exit(1);
    });
} else {
  startApp();
}

function startApp(): void {
  startDesktop({
    startEngine: async (opts) => {
      try {
        fileLogger = createFileLogger(logDirFor(opts.dataDir), { name: 'scripthut-desktop' });
        installConsoleSink(fileLogger.logger);
        logProcessFailures(fileLogger.logger);
        fileLogger.logger.info({ version: opts.version, electron: process.versions.electron, data_dir: opts.dataDir }, 'ScriptHut Desktop starting');
      } catch (err) {
        console.error('ScriptHut Desktop: cannot open the log file; logging to the console only:', err);
      }
      // Key passphrases are only remembered when the OS keychain really encrypts them; otherwise never offered.
      const keychain = openKeychain(safeStorage, opts.dataDir);
      if (!keychain.store) console.info(`ScriptHut Desktop: key passphrases cannot be remembered: ${keychain.reason}.`);
      const engine = await startEngine({ ...opts, resourcesDir, makeShellBackend: makeShellBackendFactory, nativeBinding: electronSqliteBinding(), passphrases: keychain.store });
      void checkForUpdates((message, err) => (err ? console.error(message, err) : console.info(message)));
      return { ...engine, api: withLogFile(engine.api, fileLogger?.file ?? null) };
    },
    preloadPath: path.join(outDir, 'electron', 'preload.cjs'),
    rendererDir: path.join(outDir, 'renderer'),
    iconPath: path.join(resourcesDir, 'icon.png'),
    configPath: configPathFromArgv(process.argv),
  }).catch((err: unknown) => {
    console.error('ScriptHut Desktop failed to start:', err);
    app.exit(1);
  });
}
