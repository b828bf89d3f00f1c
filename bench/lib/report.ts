import fs from 'node:fs';
import path from 'node:path';

export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  target?: string;
  /** Whether the figure met its target (informational; never asserted). */
  met?: boolean;
  note?: string;
}

/** Write a benchmark's figures to bench/results/<bench>.json and echo them; benchmarks never assert. */
export function writeBenchResult(bench: string, figures: BenchFigure[], extra: Record<string, unknown> = {}): string {
  const dir = path.resolve(process.env.SCRIPTHUT_BENCH_DIR ?? 'bench/results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${bench}.json`);
  const doc = { bench, at: new Date().toISOString(), node: process.version, figures, ...extra };
  fs.writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  for (const f of figures) console.log(`${bench}: ${f.name} = ${f.value} ${f.unit}${f.target ? ` (target ${f.target}${f.met === undefined ? '' : f.met ? ', met' : ', NOT met'})` : ''}`);
  return file;
}
