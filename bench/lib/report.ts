import fs from 'node:fs';
import os from 'node:os';
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

// A type, not an interface, so it passes as writeBenchResult's `extra` record.
export type MachineLoad = {
  cpus: number;
  /** os.loadavg() (1, 5, 15 min) when the benchmark started, if it was sampled. */
  loadavg_before?: number[];
  /** os.loadavg() when the figures were written. */
  loadavg: number[];
};

const round2 = (x: number): number => Math.round(x * 100) / 100;

/**
 * The machine's load to keep beside the figures (spread into writeBenchResult's `extra`): on a shared machine a
 * figure means little without it. Pass `os.loadavg()` sampled at the start to record the load before as well.
 */
export function machineLoad(before?: readonly number[]): MachineLoad {
  return { cpus: os.cpus().length, ...(before ? { loadavg_before: before.map(round2) } : {}), loadavg: os.loadavg().map(round2) };
}
