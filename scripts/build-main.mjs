#!/usr/bin/env node
// Bundles the main-process code with esbuild:
//   (a) src-main/electron/main.ts    → out/electron/main.cjs   (Electron main; CommonJS)
//   (b) src-main/electron/preload.ts → out/electron/preload.cjs (sandboxed preloads cannot load ESM)
//   (c) src-main/cli/main.ts         → out/main/cli.mjs         (the `scripthut` command, ESM; bin/scripthut.mjs imports it)
// Native and optional modules stay external: they are loaded from node_modules at run time (and rebuilt for
// Electron's ABI by `npm run dist`, never here).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = (p) => path.join(root, p);
// pino and electron-updater load optional parts and worker files at run time, which bundling would break.
const NATIVE_EXTERNALS = ['electron', 'better-sqlite3', 'ssh2', 'cpu-features', 'pino', 'electron-updater'];

const common = {
  bundle: true,
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: root,
  legalComments: 'none',
};

// Engine code written as ESM may use import.meta.url; in the CommonJS bundle it becomes this file's URL.
const cjsImportMetaBanner = "const __import_meta_url = require('node:url').pathToFileURL(__filename).href;";

const targets = [
  {
    name: 'electron main',
    entry: 'src-main/electron/main.ts',
    options: {
      ...common,
      outfile: at('out/electron/main.cjs'),
      platform: 'node',
      format: 'cjs',
      target: 'node22',
      external: NATIVE_EXTERNALS,
      banner: { js: cjsImportMetaBanner },
      define: { 'import.meta.url': '__import_meta_url' },
    },
  },
  {
    name: 'electron preload',
    entry: 'src-main/electron/preload.ts',
    options: {
      ...common,
      outfile: at('out/electron/preload.cjs'),
      platform: 'node',
      format: 'cjs',
      target: 'chrome130',
      external: ['electron'],
    },
  },
  {
    name: 'cli',
    entry: 'src-main/cli/main.ts',
    optional: 'the CLI source is not there yet',
    options: {
      ...common,
      // Split so the engine (and the AWS SDK it loads) is only read by `serve`: every other command starts in a
      // fraction of the time.
      outdir: at('out/main'),
      entryNames: 'cli',
      chunkNames: 'chunks/[name]-[hash]',
      splitting: true,
      outExtension: { '.js': '.mjs' },
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      // Lets bundled code (and esbuild's own shims) require CommonJS dependencies from an ES module.
      banner: { js: "import { createRequire as __scripthutCreateRequire } from 'node:module';\nconst require = __scripthutCreateRequire(import.meta.url);" },
    },
  },
  {
    // A worker thread needs a file of its own: the polled reads' thread (src-main/engine/read-replica.ts finds it
    // next to the CLI bundle). CommonJS so it loads the same way from every bundle that starts it.
    name: 'read worker',
    entry: 'src-main/engine/read-worker.ts',
    options: {
      ...common,
      outfile: at('out/main/read-worker.cjs'),
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      packages: 'external',
    },
  },
];

let failed = false;
for (const t of targets) {
  const entry = at(t.entry);
  if (!existsSync(entry)) {
    if (t.optional) {
      console.warn(`build-main: skipping ${t.name}: ${t.entry} does not exist (${t.optional}).`);
      continue;
    }
    console.error(`build-main: ${t.entry} is missing; cannot build ${t.name}.`);
    failed = true;
    continue;
  }
  try {
    await build({ ...t.options, entryPoints: [entry] });
    console.log(`build-main: ${t.name} → ${path.relative(root, t.options.outfile ?? t.options.outdir)}`);
  } catch (err) {
    // esbuild has already printed the located errors; say which bundle they belong to.
    console.error(`build-main: ${t.name} failed (${t.entry}): ${err instanceof Error ? err.message.split('\n')[0] : err}`);
    failed = true;
  }
}
// resources/scripthut.schema.json is generated from the zod config schema (test/unit/config-json-schema.test.ts
// fails when it is stale). Bundled to memory and imported, since the generator is TypeScript.
try {
  const out = await build({ ...common, sourcemap: false, entryPoints: [at('src-main/config/json-schema.ts')], platform: 'node', format: 'esm', write: false, target: 'node20' });
  const mod = await import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);
  const file = at('resources/scripthut.schema.json');
  const text = mod.configJsonSchemaText();
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
  console.log(`build-main: config JSON Schema → ${path.relative(root, file)}`);
} catch (err) {
  console.error(`build-main: could not generate resources/scripthut.schema.json: ${err instanceof Error ? err.message : err}`);
  failed = true;
}
process.exit(failed ? 1 : 0);
