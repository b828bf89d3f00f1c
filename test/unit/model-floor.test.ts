// src-main/model/ is the floor every engine layer stands on: plain data shapes only. If a model file imported a
// scheduler, backend or store module, the layers above would be tied together through it again.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importGraph } from '../helpers/import-graph';

const SRC_MAIN = path.resolve(__dirname, '../../src-main');

/** "model/x.ts -> backends/types.ts" for every import from `root`/model/ that lands outside model/. */
function leavesModel(root: string): string[] {
  const modelDir = path.join(root, 'model') + path.sep;
  const out: string[] = [];
  for (const [from, deps] of importGraph(root)) {
    if (!from.startsWith(modelDir)) continue;
    for (const to of deps) if (!to.startsWith(modelDir)) out.push(`${path.relative(root, from)} -> ${path.relative(root, to)}`);
  }
  return out.sort();
}

describe('src-main/model', () => {
  it('an import from model/ into another src-main folder is reported (so the check below can fail)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-floor-'));
    try {
      fs.mkdirSync(path.join(dir, 'model'));
      fs.mkdirSync(path.join(dir, 'backends'));
      fs.writeFileSync(path.join(dir, 'backends', 'types.ts'), 'export type B = number;\n');
      fs.writeFileSync(path.join(dir, 'model', 'ok.ts'), 'export type Ok = string;\n');
      fs.writeFileSync(path.join(dir, 'model', 'bad.ts'), "import type { B } from '../backends/types';\nimport type { Ok } from './ok';\nexport type Bad = B | Ok;\n");
      expect(leavesModel(dir)).toEqual([`model${path.sep}bad.ts -> backends${path.sep}types.ts`]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('holds the model types and is imported by the layers above', () => {
    // Guards against an empty or moved folder (then "imports nothing" would prove nothing).
    const files = fs.readdirSync(path.join(SRC_MAIN, 'model'));
    expect(files).toEqual(expect.arrayContaining(['verdict.ts', 'queue-observation.ts', 'task-runtime.ts', 'transition.ts', 'cluster-info.ts', 'command-log-entry.ts', 'connection-state.ts']));
    const g = importGraph(SRC_MAIN);
    const deps = (f: string) => (g.get(path.join(SRC_MAIN, f)) ?? []).map((d) => path.relative(SRC_MAIN, d));
    expect(deps('scheduler/task-state.ts')).toEqual(expect.arrayContaining(['model/verdict.ts', 'model/task-runtime.ts']));
    expect(deps('backends/types.ts')).toEqual(expect.arrayContaining(['model/verdict.ts', 'model/queue-observation.ts']));
  });

  it('imports nothing from another src-main folder', () => {
    expect(leavesModel(SRC_MAIN)).toEqual([]);
  });
});
