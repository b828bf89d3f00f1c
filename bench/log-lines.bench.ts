// The log viewer's line store under a followed log of ~1 MB/s (the shape of bench/ui-log.bench.ts): 40 appends of
// ~1 MB (17,000 lines, every 8th coloured) into a store capped at 100,000 lines, each followed by reading the ~80
// lines a view shows (after one first append, timed on its own). CPU-bound and in one process, so it is far less
// disturbed by a busy machine than the Chromium bench; garbage-collector pauses are read from Node's 'gc'
// performance entries. Nothing is asserted.
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { LogLines } from '../src-renderer/lib/log-lines';
import { machineLoad, writeBenchResult } from './lib/report';

const LINE = 'step 0042 loss=0.12345 acc=0.98765 lr=0.001 elapsed=00:01:02';
const chunk = Array.from({ length: 17_000 }, (_, i) => (i % 8 === 0 ? `\u001b[32m${LINE}\u001b[0m` : LINE)).join('\n') + '\n';
const APPENDS = 40;

const gcPauses: number[] = [];
const obs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcPauses.push(e.duration);
});
obs.observe({ entryTypes: ['gc'] });

const store = new LogLines(100_000);
const appendMs: number[] = [];
let shown = 0;
// The first append runs cold code (the JIT has not compiled the indexer yet): a one-off at the start of a follow,
// reported on its own so the steady figures say what every later second of a followed log costs.
let firstMs = 0;
for (let i = -1; i < APPENDS; i++) {
  // A fresh string each time, as a fetch answer would be.
  const text = chunk.replace('step', `s${i % 10}ep`);
  const t0 = performance.now();
  store.append(text);
  for (let k = Math.max(0, store.count - 80); k < store.count; k++) shown += store.segments(k).length;
  if (i < 0) firstMs = performance.now() - t0;
  else appendMs.push(performance.now() - t0);
}
await new Promise((r) => setTimeout(r, 50));
obs.disconnect();
const heapMb = process.memoryUsage().heapUsed / 1024 / 1024;
const sum = (a: number[]): number => a.reduce((x, y) => x + y, 0);
const r1 = (n: number): number => Math.round(n * 10) / 10;
writeBenchResult('log-lines', [
  { name: 'append_1mb_mean', value: r1(sum(appendMs) / appendMs.length), unit: 'ms', note: `append ~1 MB (17,000 lines) + read the last 80 lines (${shown} segments shown in all)` },
  { name: 'append_1mb_max', value: r1(Math.max(...appendMs)), unit: 'ms', target: '< 50 ms', met: Math.max(...appendMs) < 50, note: 'after the first append' },
  { name: 'append_1mb_first', value: r1(firstMs), unit: 'ms', note: 'the first append, cold code (once per followed log)' },
  { name: 'gc_pause_total', value: r1(sum(gcPauses)), unit: 'ms', note: `${gcPauses.length} collections over ${APPENDS} appends` },
  { name: 'gc_pause_max', value: r1(Math.max(0, ...gcPauses)), unit: 'ms', target: '< 50 ms', met: Math.max(0, ...gcPauses) < 50 },
  { name: 'heap_used_after', value: r1(heapMb), unit: 'MB', note: `${store.count} lines held, ${store.dropped} dropped` },
], machineLoad());
