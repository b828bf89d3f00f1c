// scripthut:// links: the wiring that registers the scheme and routes a link to the window (with stand-ins for
// Electron's app and window: the real binary cannot run here). Which links open what, and in which order links
// are delivered, is test/unit/deep-link-route.test.ts.
import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({}));
const { installDeepLinks } = await import('../../src-main/electron/deep-link');

type Listener = (...args: unknown[]) => void;
function fakeApp(registerOk = true) {
  const handlers = new Map<string, Listener>();
  const registered: unknown[][] = [];
  return {
    handlers,
    registered,
    setAsDefaultProtocolClient: (...args: unknown[]) => {
      registered.push(args);
      return registerOk;
    },
    on(name: string, fn: Listener) {
      handlers.set(name, fn);
      return this;
    },
  };
}
function fakeWindow() {
  const loaded: string[] = [];
  return { loaded, isDestroyed: () => false, webContents: { loadURL: async (u: string) => void loaded.push(u) } };
}

describe('installDeepLinks', () => {
  it('registers the scheme (with the app folder when run from source)', () => {
    const app = fakeApp();
    installDeepLinks(app as never, { window: () => null, reveal: () => undefined, argv: ['/usr/bin/electron'] });
    expect(app.registered).toEqual([['scripthut']]);
    const dev = fakeApp();
    installDeepLinks(dev as never, { window: () => null, reveal: () => undefined, argv: ['/usr/bin/electron', 'out/electron/main.cjs'], defaultApp: true });
    expect(dev.registered[0]?.[0]).toBe('scripthut');
    expect(String((dev.registered[0]?.[2] as string[])[0])).toMatch(/out\/electron\/main\.cjs$/);
  });

  it('says so when the OS refuses the registration', () => {
    const logs: string[] = [];
    installDeepLinks(fakeApp(false) as never, { window: () => null, reveal: () => undefined, argv: [], log: (m) => logs.push(m) });
    expect(logs.join('\n')).toMatch(/could not register as the handler of scripthut:\/\//);
  });

  it('a link that launched the app (argv, or macOS open-url before the window) opens in the first window', () => {
    const app = fakeApp();
    const links = installDeepLinks(app as never, { window: () => null, reveal: () => undefined, argv: ['/app', 'scripthut://run/r7'] });
    expect(links.initialUrl()).toBe('app://scripthut/index.html#/runs/r7');
    // Used once: a window opened later (macOS re-activation) starts on the entry page.
    expect(links.initialUrl()).toBe('app://scripthut/index.html');
  });

  it('macOS open-url routes the window to the run and brings it to the front', () => {
    const app = fakeApp();
    const win = fakeWindow();
    const reveal = vi.fn();
    installDeepLinks(app as never, { window: () => win as never, reveal, argv: [] });
    const event = { preventDefault: vi.fn() };
    app.handlers.get('open-url')?.(event, 'scripthut://run/r9/task/train');
    expect(event.preventDefault).toHaveBeenCalled();
    expect(win.loaded).toEqual(['app://scripthut/index.html#/runs/r9/tasks/train']);
    expect(reveal).toHaveBeenCalledTimes(1);
  });

  it('ignores links it does not understand, saying so', () => {
    const app = fakeApp();
    const win = fakeWindow();
    const logs: string[] = [];
    installDeepLinks(app as never, { window: () => win as never, reveal: () => undefined, argv: [], log: (m) => logs.push(m) });
    app.handlers.get('open-url')?.({ preventDefault: () => undefined }, 'scripthut://run/<script>');
    expect(win.loaded).toEqual([]);
    expect(logs[0]).toMatch(/Ignored the link "scripthut:\/\/run\/<script>": "<script>" is not a run id/);
  });

  it('a second launch with a link routes the window; without one it brings the window forward', () => {
    const app = fakeApp();
    const win = fakeWindow();
    const reveal = vi.fn();
    installDeepLinks(app as never, { window: () => win as never, reveal, argv: [] });
    app.handlers.get('second-instance')?.({}, ['/opt/ScriptHut/scripthut-desktop', 'scripthut://run/r1/task/t/errors']);
    expect(win.loaded).toEqual(['app://scripthut/index.html#/runs/r1/tasks/t/errors']);
    app.handlers.get('second-instance')?.({}, ['/opt/ScriptHut/scripthut-desktop']);
    expect(win.loaded).toHaveLength(1);
    expect(reveal).toHaveBeenCalledTimes(2);
  });

  it('a link while the app runs without a window (macOS) asks for one, which opens at the link', () => {
    const app = fakeApp();
    let links: ReturnType<typeof installDeepLinks> | null = null;
    const opened: string[] = [];
    links = installDeepLinks(app as never, { window: () => null, reveal: () => undefined, openWindow: () => opened.push(links!.initialUrl()), argv: [] });
    app.handlers.get('open-url')?.({ preventDefault: () => undefined }, 'scripthut://run/r3');
    expect(opened).toEqual(['app://scripthut/index.html#/runs/r3']);
  });
});

describe('packaging', () => {
  it('declares the scheme in electron-builder.yml (electron-builder writes the Linux .desktop MimeType from it)', async () => {
    const fs = await import('node:fs');
    const { parse } = await import('yaml');
    const { DEEP_LINK_SCHEME } = await import('../../src-main/electron/deep-link');
    const c = parse(fs.readFileSync('electron-builder.yml', 'utf8')) as { protocols?: Array<{ schemes: string[] }> };
    expect(c.protocols?.flatMap((p) => p.schemes)).toContain(DEEP_LINK_SCHEME);
    // The Linux target turns every protocol scheme into x-scheme-handler/<scheme> in the desktop entry.
    const helper = fs.readFileSync('node_modules/app-builder-lib/out/targets/LinuxTargetHelper.js', 'utf8');
    expect(helper).toContain('x-scheme-handler/${scheme}');
  });
});
