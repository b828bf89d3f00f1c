// The one application window: locked-down web preferences, navigation guards, renderer from app://.
import { BrowserWindow, shell } from 'electron';
import { APP_ENTRY_URL, installNavigationGuards, secureWebPreferences } from './security';

export interface MainWindowOptions {
  preloadPath: string;
  iconPath?: string;
  /** Overrides the entry page (tests). */
  url?: string;
}

export function createMainWindow(opts: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    title: 'ScriptHut Desktop',
    width: 1280,
    height: 820,
    minWidth: 720,
    minHeight: 480,
    show: false,
    backgroundColor: '#0f172a',
    ...(opts.iconPath ? { icon: opts.iconPath } : {}),
    webPreferences: secureWebPreferences(opts.preloadPath),
  });
  installNavigationGuards(win.webContents, shell);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(opts.url ?? APP_ENTRY_URL).catch((err: unknown) => {
    console.error(`ScriptHut: could not load the window (${opts.url ?? APP_ENTRY_URL}): ${String(err)}`);
  });
  return win;
}

/** Bring the window to the front (second launch, notification click). */
export function revealWindow(win: BrowserWindow | null): void {
  if (!win || win.isDestroyed()) return;
  if (win.isMinimized()) win.restore();
  if (!win.isVisible()) win.show();
  win.focus();
}
