// Bundles each bench/*.bench.ts with esbuild and runs it in plain Node. Benchmarks write their figures to
// bench/results/<name>.json; nothing here asserts timings.
import { build } from 'esbuild';
import { readdirSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const only = process.argv.slice(2);
const benches = readdirSync('bench').filter((f) => f.endsWith('.bench.ts')).filter((f) => !only.length || only.some((o) => f.includes(o)));
mkdirSync('out/bench', { recursive: true });
let failed = 0;
for (const file of benches) {
  const outfile = path.join('out/bench', file.replace(/\.ts$/, '.mjs'));
  await build({ entryPoints: [path.join('bench', file)], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', sourcemap: 'inline', logLevel: 'warning' });
  console.log(`\n== ${file}`);
  const r = spawnSync(process.execPath, ['--expose-gc', outfile], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
