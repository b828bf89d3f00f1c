// App lifecycle of the desktop shell: one instance, one engine, one window. Everything the user can do goes
// through the engine's contract (ipc.ts); this file only wires Electron's pieces together.
import { app, dialog, ipcMain, protocol, session, shell, type BrowserWindow } from 'electron';
import type { EngineApi } from '../engine/dispatch';
import { resolveDataDir } from '../config/settings-defaults';
import { handleAppProtocol, registerAppScheme } from './app-protocol';
import { installDeepLinks } from './deep-link';
import { forwardEvents, registerIpc } from './ipc';
import { showEngineNotifications } from './notifications';
import { createMainWindow, revealWindow } from './window';
import { denyAllPermissions, installNavigationGuards } from './security';
import { asDamagedDatabase, recoverDamagedDatabase, type Recovery } from './damaged-db';
import { DAMAGED_DB_EXIT_CODE } from '../store/integrity';

export interface EngineHandle {
  api: EngineApi;
  close(): Promise<void>;
}

export type StartEngine = (opts: { dataDir: string; configPath?: string; version: string }) => Promise<EngineHandle>;

export interface DesktopOptions {
  startEngine: StartEngine;
  preloadPath: string;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  iconPath?: string;
  dataDir?: string;
  configPath?: string;
}

export interface Desktop {
  window(): BrowserWindow | null;
  engine: EngineHandle;
}

/** `--config <file>`, `--config=<file>` or `-c <file>` on the command line. */
export function configPathFromArgv(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a.startsWith('--config=')) return a.slice('--config='.length) || undefined;
    if (a === '--config' || a === '-c') return argv[i + 1];
  }
  return undefined;
}

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

function explainStartFailure(err: unknown): { title: string; message: string } {
  const detail = err instanceof Error ? err.message : String(err);
  if (errorCode(err) === 'ELOCKED') {
    return {
      title: 'ScriptHut is already running',
      // The engine's message already names the owning pid and how to resolve it.
      message: detail,
    };
  }
  return { title: 'ScriptHut could not start', message: `${detail}\n\nFix the problem above and start ScriptHut Desktop again.` };
}

/**
 * Starts the desktop app. Resolves to null when this process quits instead (another instance owns the app, or
 * the engine could not start). The synchronous part (lock, scheme, data folder) runs before `app` is ready, as
 * Electron requires.
 */
export async function startDesktop(opts: DesktopOptions): Promise<Desktop | null> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  const dataDir = opts.dataDir ?? resolveDataDir(undefined, { configPath: opts.configPath });
  // Electron's own files (cache, local storage) go next to the engine's, not into ~/.config/<productName>.
  app.setPath('userData', dataDir);
  registerAppScheme(protocol);
  // Every web contents (windows, devtools, anything a dependency opens) gets the same navigation, new-window
  // and webview refusals as the main window, from the moment it exists.
  app.on('web-contents-created', (_event, contents) => installNavigationGuards(contents, shell));

  let win: BrowserWindow | null = null;
  let openWindow: (() => void) | null = null;
  // A link while the app runs without a window (macOS) opens one; before ready, the first window opens at it.
  const links = installDeepLinks(app, { window: () => win, reveal: () => revealWindow(win), openWindow: () => openWindow?.(), defaultApp: process.defaultApp === true });

  await app.whenReady();

  let engine: EngineHandle | null = null;
  const restoredBackups = new Set<string>();
  while (!engine) {
    try {
      engine = await opts.startEngine({ dataDir, configPath: opts.configPath, version: app.getVersion() });
    } catch (err) {
      const damaged = asDamagedDatabase(err);
      if (damaged) {
        let recovery: Recovery;
        try {
          recovery = await recoverDamagedDatabase((o) => dialog.showMessageBox(o), dataDir, damaged, restoredBackups);
        } catch (fixErr) {
          dialog.showErrorBox('ScriptHut could not repair its database', `${(fixErr as Error).message}\n\n${(err as Error).message}`);
          app.exit(DAMAGED_DB_EXIT_CODE);
          return null;
        }
        if (recovery.action !== 'quit') continue;
        // Same exit code as the CLI's for a damaged database, so scripts and supervisors can tell.
        app.exit(DAMAGED_DB_EXIT_CODE);
        return null;
      }
      const { title, message } = explainStartFailure(err);
      dialog.showErrorBox(title, message);
      app.quit();
      return null;
    }
  }
  const running: EngineHandle = engine;

  // The page needs no camera, geolocation, etc.; notifications are shown by this process.
  denyAllPermissions(session.defaultSession);
  handleAppProtocol(protocol, opts.rendererDir);

  const trusted = () => (win && !win.isDestroyed() ? win.webContents : null);
  const cleanups = [
    registerIpc(ipcMain, { api: running.api, trustedContents: trusted, onRefused: (r) => console.warn(`ScriptHut IPC: ${r}`) }),
    forwardEvents(running.api, trusted),
    showEngineNotifications(running.api, () => revealWindow(win)),
  ];

  openWindow = (): void => {
    if (win) return;
    win = createMainWindow({ preloadPath: opts.preloadPath, iconPath: opts.iconPath, url: links.initialUrl() });
    win.on('closed', () => {
      win = null;
    });
  };
  openWindow();

  app.on('activate', () => {
    if (!win) openWindow?.();
  });
  // On macOS the app (and the engine watching jobs) stays alive without windows, as users expect there.
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  let closed = false;
  app.on('before-quit', (event) => {
    if (closed) return;
    // Let the engine finish its current step and release the data-folder lock before the process exits.
    event.preventDefault();
    closed = true;
    for (const cleanup of cleanups) cleanup();
    running
      .close()
      .catch((err: unknown) => console.error(`ScriptHut: engine did not close cleanly: ${String(err)}`))
      .finally(() => app.quit());
  });

  return { window: () => win, engine: running };
}
