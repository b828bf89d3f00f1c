// The engine is a one-way pipeline (facade -> handlers -> actions -> unit of work; loop -> observe/submit);
// an import cycle anywhere in src-main is a part that reaches back up and fails this test.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCycles, importGraph } from '../helpers/import-graph';

const SRC_MAIN = path.resolve(__dirname, '../../src-main');

describe('import cycles', () => {
  it('finds a cycle through value and type-only imports (so a cycle in src-main would be caught)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cycles-'));
    try {
      fs.writeFileSync(path.join(dir, 'a.ts'), "import { b } from './b';\nexport const a = b;\n");
      fs.writeFileSync(path.join(dir, 'b.ts'), "import type { C } from './c';\nexport const b: C = 1;\n");
      fs.writeFileSync(path.join(dir, 'c.ts'), "export type { A } from './a';\nexport type C = number;\n");
      fs.writeFileSync(path.join(dir, 'd.ts'), "import { a } from './a';\nexport const d = a;\n");
      const cycles = findCycles(importGraph(dir));
      expect(cycles.map((c) => c.map((f) => path.basename(f)))).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the engine parts import each other', () => {
    // Guards the walker against reading nothing (then "no cycles" would prove nothing).
    const g = importGraph(SRC_MAIN);
    const deps = (f: string) => (g.get(path.join(SRC_MAIN, f)) ?? []).map((d) => path.relative(SRC_MAIN, d));
    expect(deps('engine/engine.ts')).toEqual(expect.arrayContaining(['engine/handlers.ts', 'engine/loop.ts', 'engine/unit-of-work.ts']));
    expect(deps('engine/loop.ts')).toEqual(expect.arrayContaining(['engine/observe.ts', 'engine/submit.ts']));
  });

  it('src-main has none', () => {
    const cycles = findCycles(importGraph(SRC_MAIN)).map((c) => c.map((f) => path.relative(SRC_MAIN, f)).join(' -> '));
    expect(cycles).toEqual([]);
  });
});
