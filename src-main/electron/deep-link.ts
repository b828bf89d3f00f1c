// scripthut:// links (from notifications, chat, a terminal's `scripthut open`): scripthut://run/ID and
// scripthut://run/ID/task/TID (also scripthut://task/RUN/TID) open that run in the window. The OS hands a link over
// three ways: macOS `open-url`, Windows/Linux as an argument of a second launch (second-instance) or of the first.
import path from 'node:path';
import type { App, BrowserWindow } from 'electron';
import { APP_ENTRY_URL } from './security';

export const DEEP_LINK_SCHEME = 'scripthut';

/** Ids are engine-made (letters, digits, - _ .); anything else in a link is refused, not passed to the window. */
const ID = /^[A-Za-z0-9._-]{1,200}$/;

/** The renderer's hash route for a scripthut:// link, or null when it is not one we open. */
export function routeOfDeepLink(link: string): string | null {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return null;
  }
  if (url.protocol !== `${DEEP_LINK_SCHEME}:`) return null;
  // scripthut://run/ID parses with host "run" and path "/ID"; scripthut:run/ID has no host.
  const parts = [url.hostname, ...url.pathname.split('/')].filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return '';
    }
  });
  const [kind, runId, third, taskId] = parts;
  if (!runId || !ID.test(runId)) return null;
  const run = `#/runs/${encodeURIComponent(runId)}`;
  if (kind === 'run' && parts.length === 2) return run;
  if (kind === 'run' && (third === 'task' || third === 'tasks') && taskId && parts.length === 4) {
    return ID.test(taskId) ? `${run}/tasks/${encodeURIComponent(taskId)}` : null;
  }
  if (kind === 'task' && third && parts.length === 3) return ID.test(third) ? `${run}/tasks/${encodeURIComponent(third)}` : null;
  return null;
}

/** The first scripthut:// argument of a command line (Windows and Linux pass the link as an argument). */
export function deepLinkInArgv(argv: readonly string[]): string | null {
  return argv.find((a) => a.toLowerCase().startsWith(`${DEEP_LINK_SCHEME}:`)) ?? null;
}

export interface DeepLinks {
  /** Route a link now, or as soon as the window exists. */
  open(link: string): void;
  /** The URL a new window loads: the entry page, at the route of a link that came before the window. */
  initialUrl(): string;
}

/**
 * Registers the scheme with the OS and listens for links. Call before `app.whenReady()`: macOS delivers the link
 * that launched the app through `open-url` before ready.
 */
export function installDeepLinks(app: Pick<App, 'setAsDefaultProtocolClient' | 'on'>, opts: { window: () => BrowserWindow | null; reveal: () => void; argv?: readonly string[]; defaultApp?: boolean; log?: (msg: string) => void }): DeepLinks {
  const argv = opts.argv ?? process.argv;
  const log = opts.log ?? ((m: string) => console.warn(m));
  // Run from source (`electron .`): the OS must start electron with the app's folder, not electron alone.
  const registered = opts.defaultApp && argv[1] ? app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME, process.execPath, [path.resolve(argv[1])]) : app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME);
  if (!registered) log(`ScriptHut: could not register as the handler of ${DEEP_LINK_SCHEME}:// links; they will not open this app.`);
  let pending: string | null = null;

  const route = (hash: string): void => {
    const win = opts.window();
    if (!win || win.isDestroyed()) {
      pending = hash;
      return;
    }
    // Same document, new fragment: a same-page navigation, so the renderer's hash router moves (no reload).
    void win.webContents.loadURL(`${APP_ENTRY_URL}${hash}`).catch((err: unknown) => log(`ScriptHut: could not open ${hash}: ${String(err)}`));
    opts.reveal();
  };
  const open = (link: string): void => {
    const hash = routeOfDeepLink(link);
    if (hash) route(hash);
    else log(`ScriptHut: ignored a link it does not understand: ${link.slice(0, 200)}`);
  };

  app.on('open-url', (event, url) => {
    event.preventDefault();
    open(url);
  });
  const first = deepLinkInArgv(argv);
  if (first) open(first);

  return {
    open,
    initialUrl() {
      const hash = pending ?? '';
      pending = null;
      return `${APP_ENTRY_URL}${hash}`;
    },
  };
}
