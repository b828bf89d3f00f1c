// The runs page's first read sent before the app's code loads, and taken by the bridge for its first identical GET.
import { afterEach, describe, expect, it } from 'vitest';
import { EARLY_READ_MAX_AGE_MS, startEarlyRead, takeEarlyRead } from '../../src-renderer/lib/early-read';
import { httpBridge } from '../../src-renderer/lib/bridge';

const ORIGIN = 'http://127.0.0.1:4321';
const FIRST = `${ORIGIN}/api/v1/runs?limit=500`;

function places(hash: string, o: { stored?: string | null; ipc?: unknown; now?: number } = {}) {
  const sent: Array<{ url: string; headers: Record<string, string> }> = [];
  return {
    sent,
    p: {
      origin: ORIGIN,
      hash,
      storage: { getItem: () => o.stored ?? null },
      ipc: o.ipc,
      fetch: (url: string, init: { headers: Record<string, string> }) => {
        sent.push({ url, headers: init.headers });
        return Promise.resolve(new Response(JSON.stringify({ runs: [{ id: 'early' }], total: 1, next_cursor: null }), { status: 200 }));
      },
      now: () => o.now ?? 1000,
    },
  };
}

afterEach(() => {
  // Spend whatever a case left behind.
  takeEarlyRead(FIRST, null, 0);
});

describe('early read', () => {
  it('sends the runs page first request with the token from the address, on the runs page only', () => {
    const a = places('#token=abc');
    startEarlyRead(a.p);
    expect(a.sent).toEqual([{ url: FIRST, headers: { Accept: 'application/json', Authorization: 'Bearer abc' } }]);
    takeEarlyRead(FIRST, 'abc', 1000);

    const runs = places('#/runs', { stored: 'kept' });
    startEarlyRead(runs.p);
    expect(runs.sent[0]?.headers.Authorization).toBe('Bearer kept');
    takeEarlyRead(FIRST, 'kept', 1000);

    for (const other of ['#/runs/r1', '#/settings', '#/overview']) {
      const x = places(other, { stored: 'kept' });
      startEarlyRead(x.p);
      expect(x.sent, other).toEqual([]);
    }
    // Electron: the bridge is IPC, nothing goes over HTTP.
    const e = places('#token=abc', { ipc: {} });
    startEarlyRead(e.p);
    expect(e.sent).toEqual([]);
  });

  it('reads the answer as soon as it arrives, before the app takes it', async () => {
    let read = false;
    const a = places('#token=abc');
    startEarlyRead({
      ...a.p,
      fetch: () =>
        Promise.resolve({
          status: 200,
          statusText: 'OK',
          headers: new Headers({ 'content-type': 'application/json' }),
          text: async () => {
            read = true;
            return JSON.stringify({ runs: [{ id: 'early' }], total: 1, next_cursor: null });
          },
        } as Response),
    });
    await new Promise((r) => setTimeout(r, 0));
    expect(read).toBe(true);
    const res = await takeEarlyRead(FIRST, 'abc', 1000);
    expect(res?.status).toBe(200);
    expect(JSON.parse((await res?.text()) ?? '')).toEqual({ runs: [{ id: 'early' }], total: 1, next_cursor: null });
  });

  it('keeps an error answer as it came (status and body)', async () => {
    const a = places('#token=abc');
    startEarlyRead({ ...a.p, fetch: () => Promise.resolve(new Response(JSON.stringify({ code: 'unauthorized', message: 'no' }), { status: 401, statusText: 'Unauthorized' })) });
    const res = await takeEarlyRead(FIRST, 'abc', 1000);
    expect(res?.status).toBe(401);
    expect(res?.ok).toBe(false);
    expect(await res?.json()).toEqual({ code: 'unauthorized', message: 'no' });
  });

  it('is taken once, for the same URL and token, while fresh', () => {
    startEarlyRead(places('#token=abc').p);
    expect(takeEarlyRead(`${FIRST}&q=x`, 'abc', 1000)).toBeNull();
    expect(takeEarlyRead(FIRST, 'abc', 1000)).not.toBeNull();
    expect(takeEarlyRead(FIRST, 'abc', 1000)).toBeNull();

    startEarlyRead(places('#token=abc').p);
    expect(takeEarlyRead(FIRST, 'other', 1000)).toBeNull();

    startEarlyRead(places('#token=abc').p);
    expect(takeEarlyRead(FIRST, 'abc', 1000 + EARLY_READ_MAX_AGE_MS + 1)).toBeNull();
  });

  it('the bridge answers its first runs.list from the early read and sends the next one to the engine', async () => {
    startEarlyRead(places('#token=abc', { now: Date.now() }).p);
    const fetched: string[] = [];
    const bridge = httpBridge({
      origin: ORIGIN,
      token: 'abc',
      fetchImpl: (async (url: string) => {
        fetched.push(url);
        return new Response(JSON.stringify({ runs: [{ id: 'engine' }], total: 1, next_cursor: null }), { status: 200 });
      }) as typeof fetch,
    });
    const first = (await bridge.invoke('runs.list', { limit: 500 })) as { runs: Array<{ id: string }> };
    expect(first.runs[0]?.id).toBe('early');
    expect(fetched).toEqual([]);
    const second = (await bridge.invoke('runs.list', { limit: 500 })) as { runs: Array<{ id: string }> };
    expect(second.runs[0]?.id).toBe('engine');
    expect(fetched).toEqual([FIRST]);
  });
});
