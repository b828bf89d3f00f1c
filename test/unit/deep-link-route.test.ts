// scripthut:// links → renderer routes, and the order links are delivered in, without Electron: the mapping and
// the router are pure (src-main/electron/deep-link-route.ts). Each accepted route is also read back by the
// renderer's own router, so the two cannot drift apart.
import { describe, expect, it } from 'vitest';
import { DeepLinkRouter, deepLinkInArgv, parseDeepLink, routeOfDeepLink, type DeepLinkSink } from '../../src-main/electron/deep-link-route';
import { parseRoute } from '../../src-renderer/lib/router';

describe('parseDeepLink: links that open something', () => {
  it.each([
    ['scripthut://run/r-20260101-abc', '#/runs/r-20260101-abc', { page: 'run', runId: 'r-20260101-abc', taskId: null, tab: null }],
    ['scripthut://run/r1/', '#/runs/r1', { page: 'run', runId: 'r1', taskId: null, tab: null }],
    ['SCRIPTHUT://run/r1', '#/runs/r1', { page: 'run', runId: 'r1', taskId: null, tab: null }],
    ['scripthut:run/r1', '#/runs/r1', { page: 'run', runId: 'r1', taskId: null, tab: null }],
    ['scripthut://run/r1/task/prep.fetch', '#/runs/r1/tasks/prep.fetch', { page: 'run', runId: 'r1', taskId: 'prep.fetch', tab: null }],
    ['scripthut://run/r1/tasks/t_2', '#/runs/r1/tasks/t_2', { page: 'run', runId: 'r1', taskId: 't_2', tab: null }],
    ['scripthut://run/r1/task/train/errors', '#/runs/r1/tasks/train/errors', { page: 'run', runId: 'r1', taskId: 'train', tab: 'error' }],
    ['scripthut://run/r1/task/train/error', '#/runs/r1/tasks/train/errors', { page: 'run', runId: 'r1', taskId: 'train', tab: 'error' }],
    ['scripthut://run/r1/task/train/output', '#/runs/r1/tasks/train/log', { page: 'run', runId: 'r1', taskId: 'train', tab: 'output' }],
    ['scripthut://run/r1/task/train/outputs', '#/runs/r1/tasks/train/outputs', { page: 'run', runId: 'r1', taskId: 'train', tab: 'outputs' }],
    ['scripthut://run/r1/task/train/history/', '#/runs/r1/tasks/train/history', { page: 'run', runId: 'r1', taskId: 'train', tab: 'history' }],
    ['scripthut://task/r1/train', '#/runs/r1/tasks/train', { page: 'run', runId: 'r1', taskId: 'train', tab: null }],
    ['scripthut://task/r1/train/script', '#/runs/r1/tasks/train/script', { page: 'run', runId: 'r1', taskId: 'train', tab: 'script' }],
    ['scripthut://run/r%2D1', '#/runs/r-1', { page: 'run', runId: 'r-1', taskId: null, tab: null }],
  ])('%s → %s', (link, hash, route) => {
    const r = parseDeepLink(link);
    expect(r).toMatchObject({ ok: true, hash });
    expect(routeOfDeepLink(link)).toBe(hash);
    // The renderer opens exactly the run, task and tab the link names.
    expect(parseRoute(hash)).toEqual(route);
  });
});

describe('parseDeepLink: links refused with a message, no route', () => {
  it.each([
    ['not a url', /is not a URL/],
    ['https://run/r1', /not a scripthut:\/\/ link/],
    ['scripthut://', /names nothing to open/],
    ['scripthut://job/r1', /opens runs and tasks, not "job"/],
    ['scripthut://runs/r1', /opens runs and tasks, not "runs"/],
    ['scripthut://run/', /has no run id/],
    ['scripthut://run/a%20b', /"a b" is not a run id/],
    ['scripthut://run/..%2F..%2Fetc', /is not a run id/],
    ['scripthut://run/<script>', /is not a run id/],
    ['scripthut://run/%E0%A4%A', /not valid percent-encoding/],
    ['scripthut://run/r1/extra', /after the run id comes "task", not "extra"/],
    ['scripthut://run/r1/task/', /names no task after "task"/],
    ['scripthut://run/r1/task/a%20b', /"a b" is not a task id/],
    ['scripthut://run/r1/task/train/graph', /"graph" is not a task tab \(one of log, errors, script, env, summary, outputs, history\)/],
    ['scripthut://run/r1/task/train/log/more', /more after the tab \("more"\)/],
    ['scripthut://task/r1', /needs the run id and the task id/],
    ['scripthut://run/r1?x=1', /query or fragment/],
    ['scripthut://run/r1#/settings', /query or fragment/],
    ['scripthut://user:pw@run/r1', /user, password or port/],
  ])('%s', (link, why) => {
    const r = parseDeepLink(link);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toMatch(why);
    // Every refusal says what a good link looks like.
    expect(r.message).toContain('Links look like scripthut://run/RUN_ID');
    expect(routeOfDeepLink(link)).toBeNull();
  });

  it('quotes the link in the message, so control characters cannot forge a log line', () => {
    const r = parseDeepLink('scripthut://job/x\nScriptHut: fake line');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).not.toContain('\n');
  });
});

describe('deepLinkInArgv', () => {
  it('finds the link among the arguments Windows and Linux pass', () => {
    expect(deepLinkInArgv(['/opt/ScriptHut/scripthut-desktop', '--no-sandbox', 'scripthut://run/r1'])).toBe('scripthut://run/r1');
    expect(deepLinkInArgv(['C:\\ScriptHut.exe', 'SCRIPTHUT://run/r2'])).toBe('SCRIPTHUT://run/r2');
    expect(deepLinkInArgv(['C:\\ScriptHut.exe', '--config', 'x.yaml'])).toBeNull();
  });
});

/** A window that may not exist yet: records navigations, reveals and what was logged, in order. */
function sink(hasWindow: () => boolean): DeepLinkSink & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    navigate(hash) {
      if (!hasWindow()) return false;
      events.push(`navigate ${hash}`);
      return true;
    },
    reveal: () => void events.push('reveal'),
    log: (m) => void events.push(`log ${m}`),
    noWindow: () => void events.push('noWindow'),
  };
}

describe('DeepLinkRouter', () => {
  it('before the window exists (open-url before ready, first command line) the link is kept for the first window; the last one wins', () => {
    let ready = false;
    const s = sink(() => ready);
    const router = new DeepLinkRouter(s);
    expect(router.receive('scripthut://run/r1')).toBe('#/runs/r1');
    expect(router.receive('scripthut://run/r2/task/t/errors')).toBe('#/runs/r2/tasks/t/errors');
    expect(s.events).toEqual(['noWindow', 'noWindow']);
    ready = true;
    expect(router.takeInitialHash()).toBe('#/runs/r2/tasks/t/errors');
    // Used once: a window opened later (macOS re-activation) starts on the entry page.
    expect(router.takeInitialHash()).toBe('');
  });

  it('a bad link before ready keeps the good one that came earlier', () => {
    const s = sink(() => false);
    const router = new DeepLinkRouter(s);
    router.receive('scripthut://run/r1');
    expect(router.receive('scripthut://run/r1/junk')).toBeNull();
    expect(router.takeInitialHash()).toBe('#/runs/r1');
    expect(s.events.at(-1)).toMatch(/^log ScriptHut: Ignored the link "scripthut:\/\/run\/r1\/junk"/);
  });

  it('with a window, a link navigates it at once and then brings it forward', () => {
    const s = sink(() => true);
    const router = new DeepLinkRouter(s);
    router.receive('scripthut://task/r9/train');
    expect(s.events).toEqual(['navigate #/runs/r9/tasks/train', 'reveal']);
    expect(router.takeInitialHash()).toBe('');
  });

  it('a refused link navigates nothing and says why', () => {
    const s = sink(() => true);
    new DeepLinkRouter(s).receive('scripthut://run/<script>');
    expect(s.events).toHaveLength(1);
    expect(s.events[0]).toMatch(/^log ScriptHut: Ignored the link .* is not a run id/);
  });

  it('a second launch routes its link, or (no link, or a bad one) only brings the window forward', () => {
    const s = sink(() => true);
    const router = new DeepLinkRouter(s);
    router.secondInstance(['/opt/ScriptHut/scripthut-desktop', 'scripthut://run/r-42/task/train']);
    router.secondInstance(['/opt/ScriptHut/scripthut-desktop']);
    router.secondInstance(['/opt/ScriptHut/scripthut-desktop', 'scripthut://nope']);
    expect(s.events.map((e) => e.replace(/^(log) .*/, '$1'))).toEqual(['navigate #/runs/r-42/tasks/train', 'reveal', 'reveal', 'log', 'reveal']);
  });

  it('a second launch before the first window exists keeps its link for that window', () => {
    const s = sink(() => false);
    const router = new DeepLinkRouter(s);
    router.secondInstance(['/app', 'scripthut://run/r5']);
    expect(router.takeInitialHash()).toBe('#/runs/r5');
  });
});
