// The log viewer's way to index appended text: one shared worker when the page can start one, in place
// otherwise (a worker the CSP or the protocol refuses still leaves a working, if busier, viewer).
import type { SgrState } from './ansi';
import { indexLines, type AsyncIndexer, type LineIndex } from './log-lines';

type Answer = { id: number; ok: true; index: LineIndex } | { id: number; ok: false; error: string };

interface Waiting {
  text: string;
  start: SgrState;
  resolve: (index: LineIndex) => void;
  reject: (err: Error) => void;
}

let worker: Worker | null = null;
let broken = false;
let nextId = 1;
const waiting = new Map<number, Waiting>();

function inPlace(w: Waiting): void {
  try {
    w.resolve(indexLines(w.text, w.start));
  } catch (err) {
    w.reject(err as Error);
  }
}

function start(): Worker | null {
  if (worker || broken) return worker;
  try {
    worker = new Worker(new URL('./log-index.worker.ts', import.meta.url), { type: 'module' });
  } catch {
    broken = true;
    return null;
  }
  worker.onmessage = (e: MessageEvent<Answer>) => {
    const w = waiting.get(e.data.id);
    if (!w) return;
    waiting.delete(e.data.id);
    if (e.data.ok) w.resolve(e.data.index);
    else w.reject(new Error(e.data.error));
  };
  worker.onerror = () => {
    // Refused or crashed: answer what it was holding here, and everything after it too.
    broken = true;
    worker?.terminate();
    worker = null;
    const held = [...waiting.values()];
    waiting.clear();
    held.forEach(inPlace);
  };
  return worker;
}

export const indexOffThread: AsyncIndexer = (text, startState) =>
  new Promise<LineIndex>((resolve, reject) => {
    const w: Waiting = { text, start: startState, resolve, reject };
    const wk = start();
    if (!wk) return inPlace(w);
    const id = nextId++;
    waiting.set(id, w);
    wk.postMessage({ id, text, start: startState });
  });
