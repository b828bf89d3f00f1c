// The desktop shell's wiring, with a stand-in for the `electron` module (the real binary cannot run here).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, type EngineEvent } from '../../src-shared/api/contract';
import type { EngineApi } from '../../src-main/engine/dispatch';

const fake = vi.hoisted(() => {
  type Fn = (...args: never[]) => unknown;
  class Emitter {
    handlers = new Map<string, Fn[]>();
    on(name: string, fn: Fn) {
      this.handlers.set(name, [...(this.handlers.get(name) ?? []), fn]);
      return this;
    }
    once(name: string, fn: Fn) {
      return this.on(name, fn);
    }
    emit(name: string, ...args: unknown[]) {
      for (const fn of this.handlers.get(name) ?? []) (fn as (...a: unknown[]) => unknown)(...args);
    }
  }
  const log: string[] = [];
  class FakeWebContents extends Emitter {
    url = '';
    openHandler: ((d: { url: string }) => { action: string }) | null = null;
    sent: unknown[][] = [];
    send(...args: unknown[]) {
      this.sent.push(args);
    }
    getURL() {
      return this.url;
    }
    loadURL(url: string) {
      this.url = url;
      return Promise.resolve();
    }
    isDestroyed() {
      return false;
    }
    setWindowOpenHandler(h: (d: { url: string }) => { action: string }) {
      this.openHandler = h;
    }
  }
  class FakeBrowserWindow extends Emitter {
    static created: FakeBrowserWindow[] = [];
    webContents = new FakeWebContents();
    focused = 0;
    constructor(readonly options: { webPreferences?: Record<string, unknown> } & Record<string, unknown>) {
      super();
      FakeBrowserWindow.created.push(this);
    }
    loadURL(url: string) {
      this.webContents.url = url;
      return Promise.resolve();
    }
    isDestroyed() {
      return false;
    }
    isMinimized() {
      return false;
    }
    isVisible() {
      return true;
    }
    restore() {}
    show() {}
    focus() {
      this.focused++;
    }
  }
  class FakeNotification extends Emitter {
    static shown: { title: string; body: string }[] = [];
    constructor(readonly opts: { title: string; body: string }) {
      super();
    }
    static isSupported() {
      return true;
    }
    show() {
      FakeNotification.shown.push({ title: this.opts.title, body: this.opts.body });
    }
  }
  const app = Object.assign(new Emitter(), {
    lock: true,
    requestSingleInstanceLock: () => app.lock,
    quit: () => log.push('app.quit'),
    exit: (code: number) => log.push(`app.exit:${code}`),
    setPath: (name: string, value: string) => log.push(`setPath:${name}=${value}`),
    whenReady: () => {
      log.push('whenReady');
      return Promise.resolve();
    },
    getVersion: () => '1.2.3',
    setAsDefaultProtocolClient: (scheme: string) => {
      log.push(`protocolClient:${scheme}`);
      return true;
    },
  });
  const ipcMain = { handlers: new Map<string, Fn>(), handle: (ch: string, fn: Fn) => ipcMain.handlers.set(ch, fn), removeHandler: (ch: string) => ipcMain.handlers.delete(ch) };
  const protocol = {
    registerSchemesAsPrivileged: (schemes: unknown) => log.push(`registerSchemes:${JSON.stringify(schemes)}`),
    handle: (scheme: string) => log.push(`protocol.handle:${scheme}`),
  };
  const opened: string[] = [];
  const shell = { openExternal: async (url: string) => void opened.push(url) };
  const errors: { title: string; message: string }[] = [];
  const boxes: Array<{ message: string; detail: string; buttons: string[]; cancelId: number }> = [];
  const boxAnswers: number[] = [];
  const dialog = {
    showErrorBox: (title: string, message: string) => errors.push({ title, message }),
    showMessageBox: async (o: { message: string; detail: string; buttons: string[]; cancelId: number }) => {
      boxes.push(o);
      return { response: boxAnswers.shift() ?? o.cancelId, checkboxChecked: false };
    },
  };
  type PermissionRequestHandler = (contents: unknown, permission: string, callback: (granted: boolean) => void, details: unknown) => void;
  type PermissionCheckHandler = (contents: unknown, permission: string, origin: string, details: unknown) => boolean;
  const session = {
    defaultSession: {
      requestHandler: null as PermissionRequestHandler | null,
      checkHandler: null as PermissionCheckHandler | null,
      setPermissionRequestHandler: (h: PermissionRequestHandler) => void (session.defaultSession.requestHandler = h),
      setPermissionCheckHandler: (h: PermissionCheckHandler) => void (session.defaultSession.checkHandler = h),
    },
  };
  const exposed = new Map<string, unknown>();
  const contextBridge = { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) };
  const ipcRenderer = Object.assign(new Emitter(), {
    replies: new Map<string, unknown>(),
    invoke: async (_ch: string, name: string) => ipcRenderer.replies.get(name),
    removeListener(name: string, fn: Fn) {
      ipcRenderer.handlers.set(name, (ipcRenderer.handlers.get(name) ?? []).filter((f) => f !== fn));
    },
  });
  function reset() {
    log.length = 0;
    opened.length = 0;
    errors.length = 0;
    boxes.length = 0;
    boxAnswers.length = 0;
    app.handlers.clear();
    app.lock = true;
    ipcMain.handlers.clear();
    FakeBrowserWindow.created = [];
    FakeNotification.shown = [];
    session.defaultSession.requestHandler = null;
    session.defaultSession.checkHandler = null;
  }
  return { FakeWebContents, log, app, ipcMain, protocol, shell, dialog, session, contextBridge, ipcRenderer, exposed, opened, errors, boxes, boxAnswers, reset, FakeBrowserWindow, FakeNotification };
});

vi.mock('electron', () => ({
  app: fake.app,
  BrowserWindow: fake.FakeBrowserWindow,
  Notification: fake.FakeNotification,
  ipcMain: fake.ipcMain,
  protocol: fake.protocol,
  shell: fake.shell,
  dialog: fake.dialog,
  session: fake.session,
  contextBridge: fake.contextBridge,
  ipcRenderer: fake.ipcRenderer,
}));

const { startDesktop } = await import('../../src-main/electron/desktop');
const { Store } = await import('../../src-main/store/store');
const { CONTENT_SECURITY_POLICY } = await import('../../src-main/electron/security');
const { EVENT_CHANNEL, INVOKE_CHANNEL } = await import('../../src-main/electron/channels');

function fakeEngine() {
  const listeners = new Set<(e: EngineEvent) => void>();
  const invoke = vi.fn(async (name: string, input: unknown): Promise<unknown> => {
    if (name === 'runs.get') {
      const id = (input as { id: string }).id;
      if (id === 'missing') throw new ApiError('not_found', 'Run missing does not exist.');
      if (id === 'boom') throw new Error('disk on fire');
      if (id === 'bad-json') throw new ApiError('bad_input', 'Workflow is not valid JSON.', { line: 3, column: 7, at: () => 0 });
      return { id, tasks: [] };
    }
    return {};
  });
  const api = {
    invoke,
    subscribe(listener: (e: EngineEvent) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  } as unknown as EngineApi;
  const close = vi.fn(async () => undefined);
  const emit = (e: EngineEvent) => listeners.forEach((l) => l(e));
  return { api, invoke, close, emit, listeners };
}

async function launch(engine = fakeEngine()) {
  const startEngine = vi.fn(async () => ({ api: engine.api, close: engine.close }));
  const desktop = await startDesktop({ startEngine, preloadPath: '/app/out/electron/preload.cjs', rendererDir: '/app/out/renderer', dataDir: '/data/scripthut' });
  const win = fake.FakeBrowserWindow.created[0];
  return { desktop, win, engine, startEngine };
}

type Reply = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } };
function invokeFrom(sender: unknown, frameUrl: string, name: unknown, input?: unknown): Promise<Reply> {
  const handler = fake.ipcMain.handlers.get(INVOKE_CHANNEL) as (e: unknown, n: unknown, i: unknown) => Promise<Reply>;
  expect(handler, 'the invoke channel is registered').toBeTypeOf('function');
  return handler({ sender, senderFrame: { url: frameUrl } }, name, input);
}

beforeEach(() => fake.reset());

describe('desktop startup', () => {
  it('opens one locked-down window on the app:// renderer, with the data folder set before ready', async () => {
    const { win, startEngine } = await launch();
    expect(fake.FakeBrowserWindow.created).toHaveLength(1);
    expect(win?.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      preload: '/app/out/electron/preload.cjs',
    });
    expect(win?.webContents.getURL()).toBe('app://scripthut/index.html');
    expect(fake.log.indexOf('setPath:userData=/data/scripthut')).toBeGreaterThanOrEqual(0);
    expect(fake.log.indexOf('setPath:userData=/data/scripthut')).toBeLessThan(fake.log.indexOf('whenReady'));
    expect(fake.log.findIndex((l) => l.startsWith('registerSchemes:'))).toBeLessThan(fake.log.indexOf('whenReady'));
    expect(startEngine).toHaveBeenCalledWith({ dataDir: '/data/scripthut', configPath: undefined, version: '1.2.3' });
  });

  it('a second instance quits without starting an engine, and the first one comes to the front', async () => {
    fake.app.lock = false;
    const second = await launch();
    expect(second.desktop).toBeNull();
    expect(second.startEngine).not.toHaveBeenCalled();
    expect(fake.FakeBrowserWindow.created).toHaveLength(0);
    expect(fake.log).toContain('app.quit');

    fake.reset();
    const first = await launch();
    fake.app.emit('second-instance');
    expect(first.win?.focused).toBe(1);
  });

  it('registers scripthut:// before ready; a link in a second launch routes the window to the run', async () => {
    const first = await launch();
    expect(fake.log.indexOf('protocolClient:scripthut')).toBeGreaterThanOrEqual(0);
    expect(fake.log.indexOf('protocolClient:scripthut')).toBeLessThan(fake.log.indexOf('whenReady'));
    fake.app.emit('second-instance', {}, ['/opt/ScriptHut/scripthut-desktop', 'scripthut://run/r-42/task/train']);
    expect(first.win?.webContents.getURL()).toBe('app://scripthut/index.html#/runs/r-42/tasks/train');
    expect(first.win?.focused).toBe(1);
    const event = { preventDefault: vi.fn() };
    fake.app.emit('open-url', event, 'scripthut://run/r-43');
    expect(event.preventDefault).toHaveBeenCalled();
    expect(first.win?.webContents.getURL()).toBe('app://scripthut/index.html#/runs/r-43');
  });

  it('shows who owns the data folder and quits when the engine is locked', async () => {
    const startEngine = vi.fn(async () => {
      throw Object.assign(new Error('The data folder /data/scripthut is in use by pid 4242.'), { code: 'ELOCKED' });
    });
    const desktop = await startDesktop({ startEngine, preloadPath: '/p.cjs', rendererDir: '/r', dataDir: '/data/scripthut' });
    expect(desktop).toBeNull();
    expect(fake.errors).toHaveLength(1);
    expect(fake.errors[0]?.title).toMatch(/already running/);
    expect(fake.errors[0]?.message).toContain('pid 4242');
    expect(fake.log).toContain('app.quit');
    expect(fake.FakeBrowserWindow.created).toHaveLength(0);
  });

  it('closes the engine before the app quits', async () => {
    const { engine } = await launch();
    const preventDefault = vi.fn();
    fake.app.emit('before-quit', { preventDefault });
    expect(preventDefault).toHaveBeenCalled();
    expect(engine.close).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(fake.log).toContain('app.quit'));
    // The quit that follows the close goes through.
    const again = vi.fn();
    fake.app.emit('before-quit', { preventDefault: again });
    expect(again).not.toHaveBeenCalled();
  });
});

describe('damaged history database (exit code 4)', () => {
  // A real data folder and the real store: the stand-in engine start opens the database like startEngine does.
  let dataDir: string;
  const db = () => path.join(dataDir, 'scripthut.db');
  const openEngine = (engine = fakeEngine()) =>
    vi.fn(async (o: { dataDir: string }) => {
      new Store(path.join(o.dataDir, 'scripthut.db')).close();
      return { api: engine.api, close: engine.close };
    });
  const damage = () => fs.writeFileSync(db(), Buffer.alloc(8192, 0x5a));

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-damaged-'));
    const good = new Store(db());
    good.close();
    fs.mkdirSync(path.join(dataDir, 'backups'));
    fs.copyFileSync(db(), path.join(dataDir, 'backups', 'scripthut-2026-11-29.db'));
    damage();
  });

  it('names the file and, on "Restore the latest backup", restores it and starts', async () => {
    fake.boxAnswers.push(0);
    const startEngine = openEngine();
    const desktop = await startDesktop({ startEngine, preloadPath: '/p.cjs', rendererDir: '/r', dataDir });
    expect(desktop).not.toBeNull();
    expect(fake.boxes).toHaveLength(1);
    expect(fake.boxes[0]?.message).toContain(db());
    expect(fake.boxes[0]?.buttons).toEqual(['Restore the latest backup (2026-11-29)', 'Start with a new database (the damaged one is kept)', 'Quit']);
    expect(startEngine).toHaveBeenCalledTimes(2);
    expect(fs.readFileSync(db())).toEqual(fs.readFileSync(path.join(dataDir, 'backups', 'scripthut-2026-11-29.db')));
    const kept = fs.readdirSync(dataDir).filter((n) => n.startsWith('scripthut.db.before-restore-'));
    expect(kept).toHaveLength(1);
    expect(fs.readFileSync(path.join(dataDir, kept[0]!))).toEqual(Buffer.alloc(8192, 0x5a));
    expect(fake.FakeBrowserWindow.created).toHaveLength(1);
  });

  it('on "Start with a new database" keeps the damaged file aside and starts on an empty one', async () => {
    fake.boxAnswers.push(1);
    const desktop = await startDesktop({ startEngine: openEngine(), preloadPath: '/p.cjs', rendererDir: '/r', dataDir });
    expect(desktop).not.toBeNull();
    const kept = fs.readdirSync(dataDir).filter((n) => /^scripthut\.db\.damaged-/.test(n));
    expect(kept).toHaveLength(1);
    expect(fs.readFileSync(path.join(dataDir, kept[0]!))).toEqual(Buffer.alloc(8192, 0x5a));
    expect(fs.readFileSync(db()).subarray(0, 15).toString()).toBe('SQLite format 3');
  });

  it('on "Quit" changes nothing and exits with code 4, like the CLI', async () => {
    fake.boxAnswers.push(2);
    const startEngine = openEngine();
    expect(await startDesktop({ startEngine, preloadPath: '/p.cjs', rendererDir: '/r', dataDir })).toBeNull();
    expect(fake.log).toContain('app.exit:4');
    expect(startEngine).toHaveBeenCalledTimes(1);
    expect(fs.readFileSync(db())).toEqual(Buffer.alloc(8192, 0x5a));
    expect(fake.FakeBrowserWindow.created).toHaveLength(0);
  });

  it('without a backup offers only a new database or quitting; a damaged backup is not offered twice', async () => {
    fs.rmSync(path.join(dataDir, 'backups'), { recursive: true });
    await startDesktop({ startEngine: openEngine(), preloadPath: '/p.cjs', rendererDir: '/r', dataDir });
    expect(fake.boxes[0]?.buttons).toEqual(['Start with a new database (the damaged one is kept)', 'Quit']);
    expect(fake.boxes[0]?.detail).toMatch(/There is no backup in/);

    fake.reset();
    fs.mkdirSync(path.join(dataDir, 'backups'));
    fs.writeFileSync(path.join(dataDir, 'backups', 'scripthut-2026-11-28.db'), Buffer.alloc(4096, 0x5a));
    fake.boxAnswers.push(0, 0);
    const desktop = await startDesktop({ startEngine: openEngine(), preloadPath: '/p.cjs', rendererDir: '/r', dataDir });
    expect(fake.boxes.map((b) => b.buttons[0])).toEqual(['Restore the latest backup (2026-11-28)', 'Start with a new database (the damaged one is kept)']);
    expect(desktop).not.toBeNull();
  });
});

describe('navigation guards', () => {
  it('refuses to navigate away; web links open in the OS browser', async () => {
    const { win } = await launch();
    const contents = win!.webContents;
    const navigate = (url: string) => {
      const event = { preventDefault: vi.fn() };
      contents.emit('will-navigate', event, url);
      return event.preventDefault.mock.calls.length > 0;
    };
    expect(navigate('https://evil.example/phish')).toBe(true);
    expect(navigate('file:///etc/passwd')).toBe(true);
    expect(navigate('app://scripthut/other.html')).toBe(true);
    expect(navigate('app://scripthut/index.html#/runs/42')).toBe(false);
    expect(fake.opened).toEqual(['https://evil.example/phish']);
  });

  it('denies every window.open and sends http(s) links to the OS browser', async () => {
    const { win } = await launch();
    const open = win!.webContents.openHandler!;
    expect(open({ url: 'https://docs.example/guide' })).toEqual({ action: 'deny' });
    expect(open({ url: 'app://scripthut/index.html' })).toEqual({ action: 'deny' });
    expect(open({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(fake.opened).toEqual(['https://docs.example/guide']);
  });
});

describe('app-wide security wiring', () => {
  it('the window CSP restricts base-uri, object-src, form-action and frame-ancestors', () => {
    const directives = new Map(CONTENT_SECURITY_POLICY.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v.join(' ')]));
    expect(directives.get('default-src')).toBe("'self'");
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('base-uri')).toBe("'none'");
    expect(directives.get('object-src')).toBe("'none'");
    expect(directives.get('form-action')).toBe("'none'");
    expect(directives.get('frame-ancestors')).toBe("'none'");
  });

  it('guards every web contents the app creates, not only the main window', async () => {
    await launch();
    const other = new fake.FakeWebContents();
    other.url = 'app://scripthut/index.html';
    fake.app.emit('web-contents-created', {}, other);
    const nav = { preventDefault: vi.fn() };
    other.emit('will-navigate', nav, 'https://evil.example/');
    expect(nav.preventDefault).toHaveBeenCalled();
    const webview = { preventDefault: vi.fn() };
    other.emit('will-attach-webview', webview, {}, {});
    expect(webview.preventDefault).toHaveBeenCalled();
    const redirect = { preventDefault: vi.fn() };
    other.emit('will-redirect', redirect, 'https://evil.example/');
    expect(redirect.preventDefault).toHaveBeenCalled();
    expect(other.openHandler?.({ url: 'https://x.example/' })).toEqual({ action: 'deny' });
  });

  it('installs one app-wide guard, and guards each web contents only once', async () => {
    const { win } = await launch();
    expect(fake.app.handlers.get('web-contents-created')).toHaveLength(1);
    // Electron also reports the main window's contents through web-contents-created.
    fake.app.emit('web-contents-created', {}, win!.webContents);
    win!.webContents.emit('will-navigate', { preventDefault: vi.fn() }, 'https://docs.example/once');
    expect(fake.opened).toEqual(['https://docs.example/once']);
  });

  it('denies every permission request and check', async () => {
    await launch();
    const { requestHandler, checkHandler } = fake.session.defaultSession;
    expect(requestHandler).toBeTypeOf('function');
    expect(checkHandler).toBeTypeOf('function');
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen']) {
      const granted: boolean[] = [];
      requestHandler!({}, permission, (g) => granted.push(g), { requestingUrl: 'app://scripthut/index.html' });
      expect(granted, permission).toEqual([false]);
      expect(checkHandler!({}, permission, 'app://scripthut', {}), permission).toBe(false);
    }
  });
});

describe('IPC adapter', () => {
  const APP_PAGE = 'app://scripthut/index.html';

  it('forwards a valid call to the engine and returns its result', async () => {
    const { win, engine } = await launch();
    const reply = await invokeFrom(win!.webContents, APP_PAGE, 'runs.get', { id: 'r1' });
    expect(reply).toEqual({ ok: true, result: { id: 'r1', tasks: [] } });
    expect(engine.invoke).toHaveBeenCalledWith('runs.get', { id: 'r1' });
  });

  it('rejects an unknown call name without reaching the engine', async () => {
    const { win, engine } = await launch();
    const reply = await invokeFrom(win!.webContents, APP_PAGE, 'system.exec', { cmd: 'rm -rf ~' });
    expect(reply.ok).toBe(false);
    expect(!reply.ok && reply.error.code).toBe('not_found');
    expect(!reply.ok && reply.error.message).toContain('runs.get');
    const inherited = await invokeFrom(win!.webContents, APP_PAGE, 'constructor', {});
    expect(!inherited.ok && inherited.error.code).toBe('not_found');
    expect(engine.invoke).not.toHaveBeenCalled();
  });

  it('refuses calls from another webContents or from a page that is not ours', async () => {
    const { win, engine } = await launch();
    const stranger = new fake.FakeBrowserWindow({}).webContents;
    const foreign = await invokeFrom(stranger, APP_PAGE, 'health', {});
    expect(!foreign.ok && foreign.error.code).toBe('unauthorized');
    const injected = await invokeFrom(win!.webContents, 'https://evil.example/', 'health', {});
    expect(!injected.ok && injected.error.code).toBe('unauthorized');
    expect(engine.invoke).not.toHaveBeenCalled();
  });

  it('answers bad input with bad_input naming the field', async () => {
    const { win, engine } = await launch();
    const reply = await invokeFrom(win!.webContents, APP_PAGE, 'runs.get', { id: '' });
    expect(reply.ok).toBe(false);
    expect(!reply.ok && reply.error.code).toBe('bad_input');
    expect(!reply.ok && reply.error.message).toMatch(/^Invalid input for runs\.get:\nid: /);
    expect(engine.invoke).not.toHaveBeenCalled();
  });

  it('turns engine errors into {ok:false} replies instead of throwing across IPC', async () => {
    const { win } = await launch();
    await expect(invokeFrom(win!.webContents, APP_PAGE, 'runs.get', { id: 'missing' })).resolves.toEqual({
      ok: false,
      error: { code: 'not_found', message: 'Run missing does not exist.' },
    });
    await expect(invokeFrom(win!.webContents, APP_PAGE, 'runs.get', { id: 'boom' })).resolves.toEqual({
      ok: false,
      error: { code: 'internal', message: 'disk on fire' },
    });
    // Details survive as plain data (functions dropped) so the page can point at the faulty line.
    await expect(invokeFrom(win!.webContents, APP_PAGE, 'runs.get', { id: 'bad-json' })).resolves.toEqual({
      ok: false,
      error: { code: 'bad_input', message: 'Workflow is not valid JSON.', details: { line: 3, column: 7 } },
    });
  });

  it('pushes engine events to the window on the one event channel, and notifications to the desktop', async () => {
    const { win, engine } = await launch();
    engine.emit({ event: 'run.deleted', payload: { id: 'r9' } });
    const note = { kind: 'task_failed', level: 'error', title: 'Task failed', body: 'align-3 exited with 2', run_id: 'r9', task_id: 'align-3' } as const;
    engine.emit({ event: 'notification', payload: note });
    expect(win!.webContents.sent).toEqual([
      [EVENT_CHANNEL, { event: 'run.deleted', payload: { id: 'r9' } }],
      [EVENT_CHANNEL, { event: 'notification', payload: note }],
    ]);
    expect(fake.FakeNotification.shown).toEqual([{ title: 'Task failed', body: 'align-3 exited with 2' }]);
  });
});

describe('preload bridge', () => {
  it('exposes exactly invoke and on as window.scripthut', async () => {
    await import('../../src-main/electron/preload');
    expect([...fake.exposed.keys()]).toEqual(['scripthut']);
    const bridge = fake.exposed.get('scripthut') as Record<string, unknown>;
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'on']);
  });

  it('resolves with the result, and rejects with the code and message of a failed call', async () => {
    await import('../../src-main/electron/preload');
    const bridge = fake.exposed.get('scripthut') as { invoke(n: string, i?: unknown): Promise<unknown> };
    fake.ipcRenderer.replies.set('health', { ok: true, result: { status: 'ok' } });
    fake.ipcRenderer.replies.set('runs.get', { ok: false, error: { code: 'not_found', message: 'Run r1 does not exist.' } });
    fake.ipcRenderer.replies.set('runs.createFromWorkflow', { ok: false, error: { code: 'bad_input', message: 'Bad JSON', details: { line: 2 } } });
    await expect(bridge.invoke('health', {})).resolves.toEqual({ status: 'ok' });
    // A plain object, not an Error: contextBridge would strip `code` from an Error on its way to the page.
    await expect(bridge.invoke('runs.get', { id: 'r1' })).rejects.toMatchObject({ name: 'ApiError', code: 'not_found', message: 'Run r1 does not exist.' });
    await expect(bridge.invoke('runs.createFromWorkflow', {})).rejects.toMatchObject({ code: 'bad_input', details: { line: 2 } });
  });

  it('delivers events as {event, payload} without the IPC event, until unsubscribed', async () => {
    await import('../../src-main/electron/preload');
    const bridge = fake.exposed.get('scripthut') as { on(l: (e: unknown) => void): () => void };
    const seen: unknown[] = [];
    const off = bridge.on((e) => seen.push(e));
    fake.ipcRenderer.emit(EVENT_CHANNEL, { sender: 'ipcRenderer' }, { event: 'run.deleted', payload: { id: 'a' } });
    off();
    fake.ipcRenderer.emit(EVENT_CHANNEL, { sender: 'ipcRenderer' }, { event: 'run.deleted', payload: { id: 'b' } });
    expect(seen).toEqual([{ event: 'run.deleted', payload: { id: 'a' } }]);
  });
});
