// The renderer's plain-TypeScript parts (no browser needed): routes from the contract, the HTTP bridge, the
// shared event hub, the log follower and the small view helpers.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BridgeError, httpBridge, type Bridge, type SocketLike } from '../../src-renderer/lib/bridge';
import { createEventHub } from '../../src-renderer/lib/events';
import { LogFollower, TAIL_LINES, type FetchLog, type LogSink } from '../../src-renderer/lib/log-follower';
import { takeTokenFromLocation } from '../../src-renderer/lib/token';
import { visibleWindow } from '../../src-renderer/lib/virtual';
import { errorLines, fileStem, runActions, upsertRun } from '../../src-renderer/lib/runs';
import type { LogChunk, RunSummary } from '../../src-shared/api/schemas';
import type { EngineEvent } from '../../src-shared/api/contract';

class FakeSocket implements SocketLike {
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  closed = false;
  constructor(readonly url: string) {}
  close(): void {
    this.closed = true;
  }
  drop(): void {
    this.onclose?.({});
  }
}

describe('httpBridge', () => {
  afterEach(() => vi.useRealTimers());

  it('sends the bearer token and returns the JSON answer', async () => {
    const seen: Array<{ url: string; init: RequestInit | undefined }> = [];
    const fetchImpl = (async (url: string, init?: RequestInit) => {
      seen.push({ url, init });
      return new Response(JSON.stringify({ runs: [] }), { status: 200 });
    }) as unknown as typeof fetch;
    const b = httpBridge({ origin: 'http://127.0.0.1:9', token: 'T0K', fetchImpl });
    await expect(b.invoke('runs.list', { limit: 5 })).resolves.toEqual({ runs: [] });
    expect(seen[0]?.url).toBe('http://127.0.0.1:9/api/v1/runs?limit=5');
    expect((seen[0]?.init?.headers as Record<string, string>).Authorization).toBe('Bearer T0K');
  });

  it('puts path params in the route, GET input in the query and POST input in a JSON body', async () => {
    const seen: Array<{ url: string; method?: string; body?: unknown }> = [];
    const fetchImpl = (async (url: string, init?: RequestInit) => {
      seen.push({ url, method: init?.method, body: init?.body });
      return new Response('{}', { status: 200 });
    }) as unknown as typeof fetch;
    const b = httpBridge({ origin: 'http://h', token: 't', fetchImpl });
    await b.invoke('tasks.log', { run_id: 'r1', task_id: 'a/b c', type: 'error', offset: 120 });
    await b.invoke('runs.rerun', { id: 'r9', failed_only: true });
    await b.invoke('runs.delete', { id: 'x' });
    expect(seen).toEqual([
      { url: 'http://h/api/v1/runs/r1/tasks/a%2Fb%20c/logs?type=error&offset=120', method: 'GET', body: undefined },
      { url: 'http://h/api/v1/runs/r9/rerun', method: 'POST', body: '{"failed_only":true}' },
      { url: 'http://h/api/v1/runs/x', method: 'DELETE', body: undefined },
    ]);
  });

  it('turns an error body into a BridgeError with the engine code and message', async () => {
    const fetchImpl = (async () =>
      new Response(JSON.stringify({ code: 'bad_input', message: 'tasks[0].id: required' }), { status: 422 })) as unknown as typeof fetch;
    const b = httpBridge({ origin: 'http://h', token: null, fetchImpl });
    const err = await b.invoke('runs.createFromWorkflow', { text: '[]' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BridgeError);
    expect(err).toMatchObject({ code: 'bad_input', message: 'tasks[0].id: required' });
  });

  it('reports an unreachable engine as a network error naming the address', async () => {
    const fetchImpl = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    const b = httpBridge({ origin: 'http://127.0.0.1:1', token: null, fetchImpl });
    await expect(b.invoke('health', {})).rejects.toMatchObject({ code: 'network', message: expect.stringContaining('127.0.0.1:1') });
  });

  it('opens one WebSocket with the token, delivers events and reconnects with backoff after a drop', async () => {
    vi.useFakeTimers();
    const sockets: FakeSocket[] = [];
    const b = httpBridge({ origin: 'http://127.0.0.1:7', token: 'a b', backoff: { min: 100, max: 400 }, openSocket: (u) => (sockets.push(new FakeSocket(u)), sockets.at(-1) as FakeSocket) });
    const got: EngineEvent[] = [];
    const states: boolean[] = [];
    b.on((e) => got.push(e));
    b.onConnection((c) => states.push(c));
    expect(sockets).toHaveLength(1);
    expect(sockets[0]?.url).toBe('ws://127.0.0.1:7/api/v1/events?token=a%20b');
    sockets[0]?.onopen?.({});
    sockets[0]?.onmessage?.({ data: JSON.stringify({ event: 'run.deleted', payload: { id: 'r1' } }) });
    sockets[0]?.onmessage?.({ data: 'not json' });
    expect(got).toEqual([{ event: 'run.deleted', payload: { id: 'r1' } }]);
    sockets[0]?.drop();
    expect(states).toEqual([false, true, false]);
    await vi.advanceTimersByTimeAsync(99);
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(2);
    sockets[1]?.drop(); // never opened: the next wait doubles
    await vi.advanceTimersByTimeAsync(199);
    expect(sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(3);
    sockets[2]?.onopen?.({});
    expect(states.at(-1)).toBe(true);
  });
});

function fakeBridge(): Bridge & { emit(e: EngineEvent): void; setConnected(c: boolean): void; subscriptions: number } {
  const ls = new Set<(e: EngineEvent) => void>();
  const cs = new Set<(c: boolean) => void>();
  const fb = {
    subscriptions: 0,
    invoke: () => Promise.reject(new Error('not used')),
    on(l: (e: EngineEvent) => void) {
      fb.subscriptions++;
      ls.add(l);
      return () => ls.delete(l);
    },
    onConnection(l: (c: boolean) => void) {
      cs.add(l);
      return () => cs.delete(l);
    },
    emit: (e: EngineEvent) => ls.forEach((l) => l(e)),
    setConnected: (c: boolean) => cs.forEach((l) => l(c)),
  };
  return fb as never;
}

describe('event hub', () => {
  it('subscribes to the bridge once for all views and routes events by name', () => {
    const fb = fakeBridge();
    const hub = createEventHub(fb);
    const a: string[] = [];
    const b: string[] = [];
    const offA = hub.on('run.deleted', (p) => a.push(p.id));
    hub.on('run.deleted', (p) => b.push(p.id));
    hub.on('notification', () => a.push('note'));
    fb.emit({ event: 'run.deleted', payload: { id: 'r1' } });
    offA();
    fb.emit({ event: 'run.deleted', payload: { id: 'r2' } });
    expect(fb.subscriptions).toBe(1);
    expect(a).toEqual(['r1']);
    expect(b).toEqual(['r1', 'r2']);
  });

  it('asks views to refetch when the stream comes back after a drop', () => {
    const fb = fakeBridge();
    const hub = createEventHub(fb);
    let refetches = 0;
    hub.onReconnect(() => refetches++);
    fb.setConnected(true);
    expect(refetches).toBe(0);
    fb.setConnected(false);
    fb.setConnected(true);
    expect(refetches).toBe(1);
  });

  it('does not take the first open for a reconnect (views would load twice on start)', () => {
    const fb = fakeBridge();
    const hub = createEventHub(fb);
    let refetches = 0;
    hub.onReconnect(() => refetches++);
    // httpBridge says "not connected" at registration, then opens.
    fb.setConnected(false);
    fb.setConnected(true);
    expect(refetches).toBe(0);
    fb.setConnected(false);
    fb.setConnected(true);
    expect(refetches).toBe(1);
  });

  it('tells views each time the stream opens (first open and reopen), not when it was already open', () => {
    const fb = fakeBridge();
    const hub = createEventHub(fb);
    let opens = 0;
    hub.onOpen(() => opens++);
    fb.setConnected(false);
    fb.setConnected(true);
    expect(opens).toBe(1);
    // A repeated "connected" is not a new open.
    fb.setConnected(true);
    expect(opens).toBe(1);
    // A view that registers while the stream is up read after it opened: nothing to catch up on.
    let late = 0;
    hub.onOpen(() => late++);
    expect(late).toBe(0);
    fb.setConnected(false);
    fb.setConnected(true);
    expect([opens, late]).toEqual([2, 1]);
  });

  it('with the real HTTP bridge: no refetch on the first open, one after a drop', () => {
    const sockets: FakeSocket[] = [];
    const b = httpBridge({ origin: 'http://127.0.0.1:9', token: null, openSocket: (u) => (sockets.push(new FakeSocket(u)), sockets.at(-1)!), backoff: { min: 1, max: 1 } });
    const hub = createEventHub(b);
    let refetches = 0;
    hub.onReconnect(() => refetches++);
    sockets[0]!.onopen?.({});
    expect(refetches).toBe(0);
  });
});

function chunk(p: Partial<LogChunk>): LogChunk {
  return { run_id: 'r', task_id: 't', attempt: 1, type: 'output', content: '', offset: 0, next_offset: 0, complete: false, missing: false, ...p };
}

function recordingSink(): LogSink & { text: string; calls: string[] } {
  const s = {
    text: '',
    calls: [] as string[],
    reset(t: string, cut: boolean) {
      s.text = t;
      s.calls.push(`reset${cut ? ' (truncated)' : ''}`);
    },
    append(t: string) {
      s.text += t;
      s.calls.push('append');
    },
    missing(done: boolean) {
      s.calls.push(`missing${done ? ' complete' : ''}`);
    },
    error(m: string) {
      s.calls.push(`error ${m}`);
    },
    following(on: boolean) {
      s.calls.push(on ? 'following' : 'done');
    },
  };
  return s;
}

describe('LogFollower', () => {
  afterEach(() => vi.useRealTimers());

  it('loads the tail, then asks only for new bytes until the log is complete', async () => {
    vi.useFakeTimers();
    const answers = [
      chunk({ content: 'a\nb\n', offset: 0, next_offset: 4 }),
      chunk({ content: '', offset: 4, next_offset: 4 }),
      chunk({ content: 'c\n', offset: 4, next_offset: 6 }),
      chunk({ content: 'd\n', offset: 6, next_offset: 8, complete: true }),
      chunk({ content: '', offset: 8, next_offset: 8, complete: true }),
    ];
    const asked: Array<{ tail?: number; offset?: number }> = [];
    const fetchLog: FetchLog = async (input) => {
      asked.push({ tail: input.tail, offset: input.offset });
      return answers.shift() as LogChunk;
    };
    const sink = recordingSink();
    new LogFollower(fetchLog, { run_id: 'r', task_id: 't', type: 'output' }, sink, { intervalMs: 1000 }).start();
    await vi.advanceTimersByTimeAsync(5000);
    expect(sink.text).toBe('a\nb\nc\nd\n');
    expect(asked).toEqual([
      { tail: TAIL_LINES, offset: undefined },
      { tail: undefined, offset: 4 },
      { tail: undefined, offset: 4 },
      { tail: undefined, offset: 6 },
      { tail: undefined, offset: 8 },
    ]);
    expect(sink.calls).toEqual(['following', 'reset', 'append', 'append', 'done']);
  });

  it('a finished log read in capped pieces is read to its end, not stopped at the first "complete"', async () => {
    vi.useFakeTimers();
    // The task ended while the follower was behind: each read from an offset brings at most one piece.
    const answers = [
      chunk({ content: 'a\n', offset: 0, next_offset: 2 }),
      chunk({ content: 'b\n', offset: 2, next_offset: 4, complete: true }),
      chunk({ content: 'c\n', offset: 4, next_offset: 6, complete: true }),
      chunk({ content: '', offset: 6, next_offset: 6, complete: true }),
    ];
    const fetchLog: FetchLog = async () => answers.shift() ?? chunk({ content: 'never asked\n', complete: true });
    const sink = recordingSink();
    new LogFollower(fetchLog, { run_id: 'r', task_id: 't', type: 'output' }, sink, { intervalMs: 1000 }).start();
    await vi.advanceTimersByTimeAsync(3000);
    expect(sink.text).toBe('a\nb\nc\n');
    expect(sink.calls).toEqual(['following', 'reset', 'append', 'append', 'done']);
    expect(answers).toEqual([]);
  });

  it('says older lines were cut, waits for a missing log and stops when told', async () => {
    vi.useFakeTimers();
    const answers = [chunk({ missing: true }), chunk({ content: 'x\n', offset: 0, next_offset: 2 }), chunk({ content: 'y\n', offset: 2, next_offset: 4 })];
    let calls = 0;
    const fetchLog: FetchLog = async () => {
      calls++;
      return answers.shift() as LogChunk;
    };
    const sink = recordingSink();
    const f = new LogFollower(fetchLog, { run_id: 'r', task_id: 't', type: 'output' }, sink, { intervalMs: 1000 });
    f.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(sink.calls).toEqual(['following', 'missing', 'reset']);
    expect(sink.text).toBe('x\n');
    f.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toBe(2);

    const cut = recordingSink();
    new LogFollower(async () => chunk({ content: 'tail\n', offset: 9000, next_offset: 9005, complete: true }), { run_id: 'r', task_id: 't', type: 'error' }, cut).start();
    await vi.advanceTimersByTimeAsync(0);
    expect(cut.calls).toEqual(['following', 'reset (truncated)', 'done']);
  });
});

describe('view helpers', () => {
  it('moves the token from the URL fragment to session storage', () => {
    const store = new Map<string, string>();
    let replaced = '';
    const places = {
      location: { hash: '#token=XYZ', pathname: '/', search: '' },
      storage: { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) },
      history: { state: null, replaceState: (_s: unknown, _u: string, url: string) => void (replaced = url) },
    };
    expect(takeTokenFromLocation(places)).toBe('XYZ');
    expect(replaced).toBe('/');
    places.location.hash = '';
    expect(takeTokenFromLocation(places)).toBe('XYZ');
  });

  it('windows only big tables', () => {
    expect(visibleWindow(50, 36, 0, 600)).toEqual({ start: 0, end: 50, padTop: 0, padBottom: 0 });
    const w = visibleWindow(10_000, 36, 36 * 5000, 720);
    expect(w.start).toBe(4980);
    expect(w.end).toBe(5040);
    expect(w.padTop + (w.end - w.start) * 36 + w.padBottom).toBe(10_000 * 36);
  });

  it('offers the actions that fit the run state', () => {
    expect(runActions({ status: 'running', status_counts: {} })).toEqual({ cancel: true, rerun: false, rerunFailed: false, delete: false });
    expect(runActions({ status: 'failed', status_counts: { completed: 2, failed: 1, dep_failed: 1 } })).toEqual({ cancel: false, rerun: true, rerunFailed: true, delete: true });
    // Cancelled tasks are not failures: with nothing failed, only the full rerun is offered.
    expect(runActions({ status: 'cancelled', status_counts: { completed: 2, cancelled: 1, dep_failed: 1 } }).rerunFailed).toBe(false);
    expect(runActions({ status: 'completed', status_counts: { completed: 3 } }).rerunFailed).toBe(false);
  });

  it('keeps runs newest first and replaces in place', () => {
    const r = (id: string, created_at: string) => ({ id, created_at }) as RunSummary;
    let list = [r('b', '2024-01-02T00:00:00Z'), r('a', '2024-01-01T00:00:00Z')];
    list = upsertRun(list, r('c', '2024-01-03T00:00:00Z'));
    list = upsertRun(list, { ...r('a', '2024-01-01T00:00:00Z'), status: 'failed' } as RunSummary);
    expect(list.map((x) => x.id)).toEqual(['c', 'b', 'a']);
    expect(list[2]?.status).toBe('failed');
  });

  it('names a workflow after its file and splits engine errors into lines', () => {
    expect(fileStem('/tmp/my.flow.json')).toBe('my.flow');
    expect(fileStem('C:\\x\\demo.json')).toBe('demo');
    expect(errorLines('Invalid input:\n  tasks[0].id: required\n\n')).toEqual(['Invalid input:', '  tasks[0].id: required']);
  });
});
