// Relative-import graph of a TypeScript source tree and its cycles. Reads the files as text (a regex over
// `import … from '…'` and `export … from '…'`), so it needs no compiler and sees type-only imports too: a
// type-only cycle is still two modules that cannot be understood apart.
import fs from 'node:fs';
import path from 'node:path';

const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm;
const SIDE_EFFECT = /^\s*import\s+['"]([^'"]+)['"]/gm;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (/\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function resolve(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = path.resolve(path.dirname(from), spec);
  for (const c of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(c) && fs.statSync(c).isFile()) return c;
  }
  return null;
}

/** file -> files it imports, for the files under `root` (imports leaving `root` are dropped). */
export function importGraph(root: string): Map<string, string[]> {
  const files = sourceFiles(root);
  const inside = new Set(files);
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    const deps = new Set<string>();
    for (const re of [IMPORT, SIDE_EFFECT]) {
      for (const m of text.matchAll(re)) {
        const to = resolve(f, m[1] as string);
        if (to && inside.has(to)) deps.add(to);
      }
    }
    graph.set(f, [...deps]);
  }
  return graph;
}

/** Every cycle found by a depth-first walk, each as the list of files from its start back to it. */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const d of graph.get(f) ?? []) {
      const s = state.get(d);
      if (s === 'open') cycles.push([...stack.slice(stack.indexOf(d)), d]);
      else if (!s) visit(d);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of [...graph.keys()].sort()) if (!state.has(f)) visit(f);
  return cycles;
}
