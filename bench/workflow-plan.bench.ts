// Validating + expanding a 100,000-task workflow: 1,000 groups × 100 tasks, each group joined by a task with a
// wildcard dep (`g17-*`), and a final join on all joins (`join-*`). Target: < 1 s and < 300 MB.
import { parseWorkflow, parseWorkflowText } from '../src-shared/workflow/parse';
import { machineLoad, writeBenchResult } from './lib/report';

const GROUPS = 1000;
const PER_GROUP = 100;

function buildDoc(): { tasks: unknown[] } {
  const tasks: unknown[] = [];
  for (let g = 0; g < GROUPS; g++) {
    for (let k = 0; k < PER_GROUP; k++) tasks.push({ id: `g${g}-${k}`, command: `./step.sh ${g} ${k}`, cpus: 1, memory: '1G' });
    tasks.push({ id: `join-${g}`, command: `./join.sh ${g}`, deps: [`g${g}-*`] });
  }
  tasks.push({ id: 'final', command: './final.sh', deps: ['join-*'] });
  return { tasks };
}

const gc = (globalThis as { gc?: () => void }).gc;
const MB = 1024 * 1024;

function measure(label: string, run: () => void) {
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  run();
  const ms = performance.now() - t0;
  // Without a GC in between, heap growth over the call bounds what the call allocated (live + garbage).
  const grew = (process.memoryUsage().heapUsed - before) / MB;
  return { label, ms, grew };
}

const doc = buildDoc();
const text = JSON.stringify(doc);
// Warm-up on a small document so JIT compilation is not billed to the first measured run.
for (let i = 0; i < 3; i++) parseWorkflow({ tasks: doc.tasks.slice(0, 2000).concat([{ id: 'w', command: 'x', deps: ['g1-*'] }]) });

let result: ReturnType<typeof parseWorkflow> | undefined;
const obj = measure('object', () => {
  result = parseWorkflow(doc);
});
if (!result?.ok) throw new Error(`bench workflow was rejected: ${JSON.stringify(result)}`);
const last = result.doc.tasks.at(-1)!;
if (result.doc.tasks.length !== GROUPS * (PER_GROUP + 1) + 1 || last.deps.length !== GROUPS) throw new Error('unexpected expansion result');
result = undefined;
const txt = measure('text', () => {
  result = parseWorkflowText(text);
});
// Calibration: the same machine doing a trivially linear job (100k Map inserts). On a shared, loaded box the
// figures above scale with this one; compare ratios, not absolutes.
const calib = measure('calibration', () => {
  const m = new Map<string, number>();
  for (let i = 0; i < 100_000; i++) m.set(`c${i}-${i % 97}`, i);
});
const peakRssMb = process.resourceUsage().maxRSS / 1024;

writeBenchResult('workflow-plan', [
  { name: 'parse+validate 100k tasks (object)', value: Math.round(obj.ms), unit: 'ms', target: '< 1000 ms', met: obj.ms < 1000 },
  { name: 'parse+validate 100k tasks (JSON text)', value: Math.round(txt.ms), unit: 'ms', target: '< 1000 ms', met: txt.ms < 1000 },
  { name: 'heap allocated during validate (object)', value: Math.round(obj.grew), unit: 'MB', target: '< 300 MB', met: obj.grew < 300 },
  { name: 'heap allocated during parse (JSON text)', value: Math.round(txt.grew), unit: 'MB', target: '< 300 MB', met: txt.grew < 300 },
  { name: 'peak RSS of the whole bench process', value: Math.round(peakRssMb), unit: 'MB', target: '< 300 MB', met: peakRssMb < 300 },
  { name: 'calibration: 100k Map inserts', value: Math.round(calib.ms), unit: 'ms', note: 'machine-speed reference (normally ~10-20 ms)' },
], { ...machineLoad(), tasks: GROUPS * (PER_GROUP + 1) + 1, json_bytes: text.length, gc_available: Boolean(gc) });
