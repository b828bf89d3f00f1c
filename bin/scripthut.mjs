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
// A reader that went away (`scripthut run env ID T | head -3`) ends the command quietly, as with other Unix tools,
// instead of an unhandled EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}
const { runCli } = await import(bundle);
const code = await runCli(process.argv.slice(2), { appRoot, version });
process.exitCode = code;
// Let stdout drain, then leave even if a library keeps a handle open.
setTimeout(() => process.exit(code), 50).unref();
