// A run with many tasks that stay put: on the local backend with max_concurrent 1 and a first task that sleeps,
// every other task waits, so the table shows the same rows for the whole test or bench.
import type { RealHost } from './real-host';

export function bigWorkflow(n: number, groups = 10): { title: string; tasks: Array<{ id: string; command: string }> } {
  const tasks = [{ id: 'blocker', command: 'sleep 600' }];
  for (let i = 1; i < n; i++) tasks.push({ id: `g${String(i % groups).padStart(2, '0')}.task-${String(i).padStart(6, '0')}`, command: 'true' });
  return { title: `Big run of ${n} tasks`, tasks };
}

async function api<T>(host: RealHost, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${host.engine.port}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${host.engine.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

/** Starts the run and returns its id. */
export async function createBigRun(host: RealHost, n: number): Promise<string> {
  const run = await api<{ id: string }>(host, 'POST', '/runs', { document: bigWorkflow(n), backend: 'local', max_concurrent: 1, workflow_name: `big-${n}` });
  return run.id;
}

export async function cancelRun(host: RealHost, id: string): Promise<void> {
  await api(host, 'POST', `/runs/${encodeURIComponent(id)}/cancel`, {});
}

/** Starts any workflow document on the local backend and returns the run id. */
export async function startRun(host: RealHost, document: unknown, workflowName: string): Promise<string> {
  const run = await api<{ id: string }>(host, 'POST', '/runs', { document, backend: 'local', workflow_name: workflowName });
  return run.id;
}
