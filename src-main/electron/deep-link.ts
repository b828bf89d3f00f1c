// Electron's side of scripthut:// links: register the scheme with the OS and hand every link to the pure router
// (deep-link-route.ts), which decides what opens and when. The OS delivers a link three ways: macOS `open-url`,
// Windows/Linux as an argument of the first launch or of a second one (second-instance).
import path from 'node:path';
import type { App, BrowserWindow } from 'electron';
import { APP_ENTRY_URL } from './security';
import { DEEP_LINK_SCHEME, DeepLinkRouter, deepLinkInArgv } from './deep-link-route';

export { DEEP_LINK_SCHEME, deepLinkInArgv, parseDeepLink, routeOfDeepLink } from './deep-link-route';

export interface DeepLinks {
  /** Route a link now, or as soon as the window exists. */
  open(link: string): void;
  /** The URL a new window loads: the entry page, at the route of a link that came before the window. */
  initialUrl(): string;
}

/**
 * Registers the scheme with the OS and listens for links (open-url, second-instance, the first command line). Call
 * before `app.whenReady()`: macOS delivers the link that launched the app through `open-url` before ready.
 */
export function installDeepLinks(
  app: Pick<App, 'setAsDefaultProtocolClient' | 'on'>,
  opts: { window: () => BrowserWindow | null; reveal: () => void; openWindow?: () => void; argv?: readonly string[]; defaultApp?: boolean; log?: (msg: string) => void },
): DeepLinks {
  const argv = opts.argv ?? process.argv;
  const log = opts.log ?? ((m: string) => console.warn(m));
  // Run from source (`electron .`): the OS must start electron with the app's folder, not electron alone.
  const registered = opts.defaultApp && argv[1] ? app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME, process.execPath, [path.resolve(argv[1])]) : app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME);
  if (!registered) log(`ScriptHut: could not register as the handler of ${DEEP_LINK_SCHEME}:// links; they will not open this app.`);

  const router = new DeepLinkRouter({
    navigate(hash) {
      const win = opts.window();
      if (!win || win.isDestroyed()) return false;
      // Same document, new fragment: a same-page navigation, so the renderer's hash router moves (no reload).
      void win.webContents.loadURL(`${APP_ENTRY_URL}${hash}`).catch((err: unknown) => log(`ScriptHut: could not open ${hash}: ${String(err)}`));
      return true;
    },
    reveal: opts.reveal,
    log,
    noWindow: opts.openWindow,
  });

  app.on('open-url', (event, url) => {
    event.preventDefault();
    router.receive(url);
  });
  // Windows and Linux start a second process for a scripthut:// link; it quits and its argv lands here.
  app.on('second-instance', (_event, secondArgv: string[] | undefined) => router.secondInstance(secondArgv ?? []));
  const first = deepLinkInArgv(argv);
  if (first) router.receive(first);

  return {
    open: (link) => void router.receive(link),
    initialUrl: () => `${APP_ENTRY_URL}${router.takeInitialHash()}`,
  };
}
