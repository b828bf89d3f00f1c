#!/usr/bin/env node
// The `scripthut` command. The code lives in out/main/cli.mjs (built by `npm run build`).
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const appRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(appRoot, 'out', 'main', 'cli.mjs');
if (!existsSync(bundle)) {
  process.stderr.write(`scripthut: ${bundle} is missing; run \`npm run build\` first.\n`);
  process.exit(1);
}
const { version } = JSON.parse(readFileSync(join(appRoot, 'package.json'), 'utf8'));
const { runCli } = await import(bundle);
const code = await runCli(process.argv.slice(2), { appRoot, version });
process.exitCode = code;
// Let stdout drain, then leave even if a library keeps a handle open.
setTimeout(() => process.exit(code), 50).unref();
