// A tiny stand-in for the headless host: serves out/renderer and answers a few API calls with canned, evolving
// data. It lets the renderer be tested without the engine (deterministic logs, validation errors, config errors).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import { extname, join, normalize } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { BackendInfo, ConfigError, Health, LogChunk, Prompt, RunDetail, TaskView } from '../../src-shared/api/schemas';
import type { CallOutput, EngineEvent } from '../../src-shared/api/contract';
import { runGraph } from '../../src-shared/model/run-graph';

export type ClusterInfo = CallOutput<'backends.info'>;
export type CommandLog = CallOutput<'backends.commands'>;
export type ExternalJob = CallOutput<'jobs.external'>['jobs'][number];

/** One API request the renderer made (after the token check). */
export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown> | undefined;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface FakeHostOptions {
  staticDir: string;
  token?: string;
  configError?: ConfigError | null;
  /** Milliseconds between simulated task steps. */
  stepMs?: number;
  /** Backends reported by backends.list (default: one ready local backend). */
  backends?: BackendInfo[];
  /** backends.info answers by backend name; backends without one answer bad_input like the engine's local backend. */
  clusterInfo?: Record<string, ClusterInfo>;
  commands?: Record<string, Omit<CommandLog, 'backend'>>;
  externalJobs?: ExternalJob[];
  /** tasks.summary answers by task id (any run). */
  summaries?: Record<string, string>;
  /** health.config_warnings (settings the engine ignored), as the engine reports them. */
  configWarnings?: Array<{ path: string; message: string; line: number | null }>;
}

export interface FakeHost {
  url: string;
  port: number;
  token: string;
  /** Append text to a task's output log (the renderer should follow it). */
  appendLog(runId: string, taskId: string, text: string): void;
  finishTask(runId: string, taskId: string): void;
  /** Push any engine event to connected windows. */
  emit(e: EngineEvent): void;
  /** Open a prompt: it is listed by prompts.list and pushed as a `prompt` event. */
  openPrompt(p: Prompt): void;
  /** Close a prompt as if answered elsewhere (emits prompt.closed). */
  closePrompt(id: string): void;
  /**
   * Hold event-stream connections (the window's socket waits to open) until releaseEvents(). Meanwhile no window
   * is connected, so changes (finishTask…) send their events to nobody, as in the gap before a stream opens.
   */
  holdEvents(): void;
  releaseEvents(): void;
  /** Every authenticated API request, oldest first. */
  calls: RecordedCall[];
  close(): Promise<void>;
}

interface FakeRun {
  detail: RunDetail;
  logs: Map<string, string>;
}

function nowIso(): string {
  return new Date().toISOString();
}

function task(id: string, deps: string[] = []): TaskView {
  return {
    id,
    name: id,
    status: 'pending',
    job_id: null,
    exit_code: null,
    error: null,
    submitted_at: null,
    started_at: null,
    finished_at: null,
    attempt: 1,
    deps,
    command: `echo "hello from ${id}"`,
    cpus: 1,
    memory: '1G',
    time_limit: '10:00',
    partition: null,
    pending_reason: null,
    scheduler_state: null,
    generated_by: null,
    max_rss: null,
    cpu_efficiency: null,
  };
}

export async function startFakeHost(opts: FakeHostOptions): Promise<FakeHost> {
  const token = opts.token ?? 'fake-token';
  const stepMs = opts.stepMs ?? 400;
  const runs = new Map<string, FakeRun>();
  const sockets = new Set<WebSocket>();
  let seq = 0;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const prompts = new Map<string, Prompt>();
  const calls: RecordedCall[] = [];
  const backends: BackendInfo[] = opts.backends ?? [
    { name: 'local', type: 'local', connected: true, state: 'ready', detail: null, max_concurrent: 4, in_flight: 0, retry_at: null },
  ];

  function emit(e: EngineEvent): void {
    const msg = JSON.stringify(e);
    for (const s of sockets) s.send(msg);
  }

  function summary(r: RunDetail): Omit<RunDetail, 'items' | 'log_dir'> {
    const { items: _items, log_dir: _logDir, ...rest } = r;
    return rest;
  }

  function recount(r: RunDetail): void {
    const counts: Record<string, number> = {};
    for (const t of r.items) counts[t.status] = (counts[t.status] ?? 0) + 1;
    r.status_counts = counts;
    r.completed_count = counts.completed ?? 0;
    r.submitted_count = r.items.filter((t) => t.status !== 'pending').length;
    const allDone = r.items.every((t) => ['completed', 'failed', 'dep_failed', 'cancelled'].includes(t.status));
    r.status = allDone ? (r.items.some((t) => t.status !== 'completed') ? 'failed' : 'completed') : r.submitted_count ? 'running' : 'pending';
    if (allDone && !r.finished_at) r.finished_at = nowIso();
  }

  function setTask(run: FakeRun, id: string, patch: Partial<TaskView>): void {
    const t = run.detail.items.find((x) => x.id === id);
    if (!t) return;
    Object.assign(t, patch);
    recount(run.detail);
    emit({ event: 'task.changed', payload: { run_id: run.detail.id, task: { ...t } } });
    emit({ event: 'run.changed', payload: summary(run.detail) });
  }

  function later(ms: number, fn: () => void): void {
    const h = setTimeout(() => {
      timers.delete(h);
      fn();
    }, ms);
    timers.add(h);
  }

  function createDemo(name: string, ids: string[], autoFinish: boolean): RunDetail {
    const id = `run-${++seq}`;
    const items = ids.map((t, i) => task(t, i ? [ids[i - 1] as string] : []));
    const detail: RunDetail = {
      id,
      workflow_name: name,
      title: name === 'demo' ? 'ScriptHut demo' : null,
      backend_name: 'local',
      created_at: nowIso(),
      finished_at: null,
      status: 'pending',
      attempt: 1,
      task_count: items.length,
      completed_count: 0,
      submitted_count: 0,
      status_counts: { pending: items.length },
      max_concurrent: null,
      halted_reason: null,
      items,
      log_dir: '/tmp/fake',
      total_items: items.length,
      matched_items: items.length,
      item_offset: 0,
    };
    const run: FakeRun = { detail, logs: new Map() };
    runs.set(id, run);
    emit({ event: 'run.changed', payload: summary(detail) });
    if (autoFinish) {
      ids.forEach((tid, i) => {
        const t0 = stepMs * (3 * i + 1);
        later(t0, () => setTask(run, tid, { status: 'running', job_id: String(1000 + i), submitted_at: nowIso(), started_at: nowIso() }));
        later(t0 + stepMs, () => run.logs.set(tid, `hello from ${tid}\n`));
        later(t0 + 2 * stepMs, () => {
          setTask(run, tid, { status: 'completed', exit_code: 0, finished_at: nowIso() });
          if (i === ids.length - 1) emit({ event: 'notification', payload: { kind: 'run_done', level: 'success', title: 'Run completed', body: `${name}: all ${ids.length} tasks completed`, run_id: id, task_id: null } });
        });
      });
    }
    return detail;
  }

  const health = (): Health & { config_warnings: NonNullable<FakeHostOptions['configWarnings']> } => ({
    config_warnings: opts.configWarnings ?? [],
    status: opts.configError ? 'degraded' : 'ok',
    version: '0.0.0-fake',
    pid: process.pid,
    data_dir: '/tmp/fake',
    config_file: null,
    config_loaded: !opts.configError,
    config_error: opts.configError ?? null,
    starting: null,
    backends: backends.map((b) => ({ name: b.name, type: b.type, connected: b.connected })),
    demo_available: true,
  });

  function send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  }

  async function api(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname.slice('/api/v1'.length);
    if (path === '/health') return send(res, 200, health());
    if (req.headers.authorization !== `Bearer ${token}`) return send(res, 401, { code: 'unauthorized', message: 'missing or wrong token' });
    const body = req.method === 'POST' ? await readBody(req) : undefined;
    calls.push({ method: req.method ?? 'GET', path, query: Object.fromEntries(url.searchParams), body });
    if (path === '/backends') return send(res, 200, { backends });
    const bm = /^\/backends\/([^/]+)\/(info|commands)$/.exec(path);
    if (bm) {
      const name = decodeURIComponent(bm[1] as string);
      const b = backends.find((x) => x.name === name);
      if (!b) return send(res, 404, { code: 'not_found', message: `no backend ${name}` });
      if (bm[2] === 'info') {
        const info = opts.clusterInfo?.[name];
        return info ? send(res, 200, info) : send(res, 422, { code: 'bad_input', message: `Backend '${name}' (${b.type}) has no cluster information to show.` });
      }
      return send(res, 200, { backend: name, ...(opts.commands?.[name] ?? { counts: {}, commands: [] }) });
    }
    if (path === '/jobs') {
      const only = url.searchParams.get('backend');
      return send(res, 200, { jobs: (opts.externalJobs ?? []).filter((j) => !only || j.backend === only) });
    }
    if (path === '/prompts' && req.method === 'GET') return send(res, 200, { prompts: [...prompts.values()] });
    const pm = /^\/prompts\/([^/]+)$/.exec(path);
    if (pm && req.method === 'POST') {
      const id = decodeURIComponent(pm[1] as string);
      if (!prompts.delete(id)) return send(res, 404, { code: 'not_found', message: `No open prompt '${id}' (already answered or expired).` });
      emit({ event: 'prompt.closed', payload: { id } });
      return send(res, 200, { id, accepted: true });
    }
    if (path === '/runs' && req.method === 'GET') {
      return send(res, 200, { runs: [...runs.values()].map((r) => summary(r.detail)).reverse(), total: runs.size, next_cursor: null });
    }
    if (path === '/runs' && req.method === 'POST' && body) {
      if (body.demo) return send(res, 200, summary(createDemo('demo', ['prepare', 'compute', 'report'], true)));
      let doc: unknown;
      try {
        doc = JSON.parse(String(body.text ?? ''));
      } catch (err) {
        return send(res, 422, { code: 'bad_input', message: `workflow is not valid JSON: ${(err as Error).message}` });
      }
      const tasks = Array.isArray(doc) ? doc : (doc as { tasks?: unknown }).tasks;
      if (!Array.isArray(tasks) || tasks.length === 0) {
        return send(res, 422, { code: 'bad_input', message: 'tasks: expected a non-empty array\ntasks[0].command: required' });
      }
      const ids = tasks.map((t, i) => String((t as { id?: unknown }).id ?? `task-${i}`));
      return send(res, 200, summary(createDemo(String(body.workflow_name ?? 'workflow'), ids, false)));
    }
    // Task outputs: the fake tasks write none.
    const om = /^\/runs\/([^/]+)\/outputs(\/summary)?$/.exec(path);
    if (om && runs.has(decodeURIComponent(om[1] as string))) {
      const runId = decodeURIComponent(om[1] as string);
      return send(res, 200, om[2] ? { run_id: runId, markdown: null, sections: [] } : { run_id: runId, outputs: [], collections: [] });
    }
    // The dependency graph (the run page reads it ahead, when idle): the shared model over the fake's tasks.
    const gm = /^\/runs\/([^/]+)\/graph$/.exec(path);
    if (gm && runs.has(decodeURIComponent(gm[1] as string))) {
      const run = runs.get(decodeURIComponent(gm[1] as string))!;
      return send(res, 200, runGraph(run.detail.id, run.detail.items.map((t) => ({ id: t.id, state: t.status, deps: t.deps }))));
    }
    // Run cost: the fake tasks run on a backend without a cost block, so nothing is costed.
    const cm = /^\/runs\/([^/]+)\/cost$/.exec(path);
    if (cm && runs.has(decodeURIComponent(cm[1] as string))) {
      const run = runs.get(decodeURIComponent(cm[1] as string))!;
      const ids = run.detail.items.map((t) => t.id);
      return send(res, 200, { run_id: run.detail.id, total: 0, currency: null, basis: null, price_date: null, costed_tasks: 0, uncosted_tasks: ids.length, tasks: ids.map((task_id) => ({ task_id, cost: null, reason: 'no cost block for this backend' })) });
    }
    const m = /^\/runs\/([^/]+)(?:\/(cancel|rerun|transitions)|\/tasks\/([^/]+)\/(logs|script|attempts|env|summary))?$/.exec(path);
    const run = m ? runs.get(decodeURIComponent(m[1] as string)) : undefined;
    if (!m || !run) return send(res, 404, { code: 'not_found', message: `no such route or run: ${path}` });
    if (!m[2] && !m[3]) {
      if (req.method === 'DELETE') {
        runs.delete(run.detail.id);
        emit({ event: 'run.deleted', payload: { id: run.detail.id } });
        return send(res, 200, { run_id: run.detail.id, deleted: true });
      }
      return send(res, 200, run.detail);
    }
    if (m[2] === 'cancel') return send(res, 200, { run_id: run.detail.id, cancelled: true });
    if (m[2] === 'rerun') return send(res, 200, summary(run.detail));
    if (m[2] === 'transitions') return send(res, 200, { transitions: [] });
    const taskId = decodeURIComponent(m[3] as string);
    const t = run.detail.items.find((x) => x.id === taskId);
    if (!t) return send(res, 404, { code: 'not_found', message: `no task ${taskId}` });
    if (m[4] === 'script') return send(res, 200, { run_id: run.detail.id, task_id: taskId, attempt: 1, script: `#!/bin/bash\n${t.command}\n` });
    if (m[4] === 'attempts') return send(res, 200, { attempts: [] });
    if (m[4] === 'summary') return send(res, 200, { run_id: run.detail.id, task_id: taskId, markdown: opts.summaries?.[taskId] ?? null });
    if (m[4] === 'env') {
      const seed = (name: string, value: string) => ({ name, value, ops: [{ source: 'seed', op: 'seed' as const, contribution: value }] });
      return send(res, 200, { run_id: run.detail.id, task_id: taskId, attempt: t.attempt, resolved: t.status !== 'pending', vars: [seed('SCRIPTHUT_RUN_ID', run.detail.id), seed('SCRIPTHUT_TASK_ID', taskId)], init: '', warnings: [] });
    }
    const type = url.searchParams.get('type') === 'error' ? 'error' : 'output';
    const full = type === 'output' ? run.logs.get(taskId) : undefined;
    const complete = ['completed', 'failed', 'dep_failed', 'cancelled'].includes(t.status);
    const bytes = Buffer.from(full ?? '', 'utf8');
    const offsetParam = url.searchParams.get('offset');
    const start = offsetParam !== null ? Math.min(Number(offsetParam), bytes.length) : 0;
    const chunk: LogChunk = {
      run_id: run.detail.id,
      task_id: taskId,
      attempt: 1,
      type,
      content: bytes.subarray(start).toString('utf8'),
      offset: start,
      next_offset: bytes.length,
      complete,
      missing: full === undefined,
    };
    return send(res, 200, chunk);
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/api/v1/')) {
      api(req, res, url).catch((err: Error) => send(res, 500, { code: 'internal', message: err.message }));
      return;
    }
    const rel = normalize(url.pathname === '/' ? '/index.html' : url.pathname).replace(/^(\.\.[/\\])+/, '');
    readFile(join(opts.staticDir, rel)).then(
      (data) => {
        res.writeHead(200, { 'Content-Type': MIME[extname(rel)] ?? 'application/octet-stream', 'Content-Security-Policy': "default-src 'self'" });
        res.end(data);
      },
      () => {
        res.writeHead(404);
        res.end('not found');
      },
    );
  });
  const wss = new WebSocketServer({ noServer: true });
  type Upgrade = [IncomingMessage, Duplex, Buffer];
  let held: Upgrade[] | null = null;
  function accept([req, socket, head]: Upgrade): void {
    if (socket.destroyed) return;
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
    });
  }
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/api/v1/events' || url.searchParams.get('token') !== token) {
      socket.destroy();
      return;
    }
    if (held) held.push([req, socket, head]);
    else accept([req, socket, head]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;

  return {
    url: `http://127.0.0.1:${port}/#token=${token}`,
    port,
    token,
    appendLog(runId, taskId, text) {
      const run = runs.get(runId);
      if (!run) throw new Error(`fake host: no run ${runId}`);
      run.logs.set(taskId, (run.logs.get(taskId) ?? '') + text);
      // A task that writes output is running (the viewer shows a pending task as "not started yet").
      if (run.detail.items.find((t) => t.id === taskId)?.status === 'pending') setTask(run, taskId, { status: 'running', started_at: nowIso() });
    },
    finishTask(runId, taskId) {
      const run = runs.get(runId);
      if (!run) throw new Error(`fake host: no run ${runId}`);
      setTask(run, taskId, { status: 'completed', exit_code: 0, finished_at: nowIso() });
    },
    emit,
    openPrompt(p) {
      prompts.set(p.id, p);
      emit({ event: 'prompt', payload: p });
    },
    closePrompt(id) {
      if (prompts.delete(id)) emit({ event: 'prompt.closed', payload: { id } });
    },
    holdEvents() {
      held ??= [];
    },
    releaseEvents() {
      const waiting = held ?? [];
      held = null;
      waiting.forEach(accept);
    },
    calls,
    async close() {
      for (const [, socket] of held ?? []) socket.destroy();
      for (const h of timers) clearTimeout(h);
      for (const s of sockets) s.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
