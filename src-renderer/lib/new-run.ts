// Pure helpers of the "New run" flow: which backend to use, what to send, and a one-task workflow built from a
// command line. The dialog only wires these to inputs.
import type { BackendInfo } from '../../src-shared/api/schemas';

export const BACKEND_KEY = 'scripthut.newRun.backend';

export interface KeyValueStore {
  getItem(k: string): string | null;
  setItem(k: string, v: string): void;
}

/** The remembered backend if it is still configured, else the first one; null when none is configured. */
export function chooseBackend(backends: Pick<BackendInfo, 'name'>[], remembered: string | null): string | null {
  if (remembered && backends.some((b) => b.name === remembered)) return remembered;
  return backends[0]?.name ?? null;
}

export function readRemembered(store: KeyValueStore | null): string | null {
  try {
    return store?.getItem(BACKEND_KEY) ?? null;
  } catch {
    return null;
  }
}

export function remember(store: KeyValueStore | null, name: string): void {
  try {
    store?.setItem(BACKEND_KEY, name);
  } catch {
    /* storage disabled: the choice just is not remembered */
  }
}

/** "" → no limit; otherwise a positive whole number, or a message saying what is wrong. */
export function parseMaxConcurrent(text: string): { ok: true; value: number | undefined } | { ok: false; message: string } {
  const t = text.trim();
  if (!t) return { ok: true, value: undefined };
  if (!/^\d+$/.test(t) || Number(t) < 1) return { ok: false, message: 'Max concurrent must be a positive whole number (or empty for the backend limit).' };
  return { ok: true, value: Number(t) };
}

export interface AdhocOptions {
  cpus?: number;
  memory?: string;
  time_limit?: string;
}

/** Task id from the command's first word: "python train.py" → "python". Ids allow letters, digits, . _ - */
export function adhocTaskId(command: string): string {
  const first = command.trim().split(/\s+/)[0] ?? '';
  const base = (first.split('/').pop() ?? '').replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
  return base || 'command';
}

/** A one-task workflow document for an ad-hoc command line. */
export function adhocWorkflow(command: string, opts: AdhocOptions = {}): { title: string; tasks: Array<Record<string, unknown>> } {
  const cmd = command.trim();
  if (!cmd) throw new Error('Type the command to run.');
  const task: Record<string, unknown> = { id: adhocTaskId(cmd), name: cmd.length > 60 ? `${cmd.slice(0, 57)}…` : cmd, command: cmd };
  if (opts.cpus !== undefined) task.cpus = opts.cpus;
  if (opts.memory) task.memory = opts.memory;
  if (opts.time_limit) task.time_limit = opts.time_limit;
  return { title: task.name as string, tasks: [task] };
}

export type NewRunSource = { kind: 'demo' } | { kind: 'text'; text: string; name: string } | { kind: 'command'; command: string };

/** The runs.createFromWorkflow input for a source, a backend and a concurrency limit. */
export function createInput(source: NewRunSource, backend: string | null, maxConcurrent: number | undefined): Record<string, unknown> {
  const common: Record<string, unknown> = {};
  if (backend) common.backend = backend;
  if (maxConcurrent !== undefined) common.max_concurrent = maxConcurrent;
  switch (source.kind) {
    case 'demo':
      return { ...common, demo: true };
    case 'text':
      return { ...common, text: source.text, workflow_name: source.name };
    case 'command':
      return { ...common, document: adhocWorkflow(source.command), workflow_name: 'command' };
  }
}
