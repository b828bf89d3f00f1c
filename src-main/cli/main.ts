// Entry of the `scripthut` command. `serve` runs the engine headless; every other command is a client of the
// engine that owns the data folder (found through its engine.json).
import { parseArgs } from 'node:util';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { ApiError } from '../../src-shared/api/contract';
import { defaultDataDir } from '../platform/paths';
import { startEngine } from '../engine/start';
import { DataDirLockedError } from '../engine/lock';
import { startHost, writeEngineFile, removeEngineFile } from '../host/server';
import { clientForDataDir, EngineNotRunningError } from '../host/client';
import { makeShellBackendFactory } from '../engine/ssh-wiring';
import { COMMANDS, UsageError, type CliContext, type CommandDef, type OptionSpec } from './commands';

export interface CliEnvironment {
  /** The installed package root (holds out/renderer and resources/). */
  appRoot: string;
  version: string;
}

const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  json: { type: 'boolean', help: 'print one JSON document on stdout' },
  'data-dir': { type: 'string', help: 'data folder (default: $SCRIPTHUT_DATA_DIR or the app-data folder)' },
  help: { type: 'boolean', short: 'h', help: 'show help' },
};

function usage(version: string): string {
  const lines = [`scripthut ${version} — start, watch and keep the history of batch jobs`, '', 'Usage:'];
  lines.push('  scripthut serve [--port N] [--config FILE] [--data-dir DIR] [--open]   run the engine headless (HTTP + WebSocket on 127.0.0.1)');
  for (const c of COMMANDS) lines.push(`  scripthut ${[...c.path, ...c.args.map(argLabel)].join(' ')}${Object.keys(c.options).length ? ' [options]' : ''}`.padEnd(58) + ` ${c.summary}`);
  lines.push('', 'Every command accepts --json and --data-dir. `scripthut <command> --help` lists its options.');
  return lines.join('\n');
}

function commandHelp(c: CommandDef): string {
  const opts = { ...c.options, ...GLOBAL_OPTIONS };
  return [`scripthut ${[...c.path, ...c.args.map(argLabel)].join(' ')}`, `  ${c.summary}`, '', ...Object.entries(opts).map(([k, o]) => `  --${k}${o.short ? `, -${o.short}` : ''}${o.type === 'string' ? ' <value>' : ''}`.padEnd(30) + o.help)].join('\n');
}

async function serve(argv: string[], env: CliEnvironment): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, config: { type: 'string', short: 'c' }, 'data-dir': { type: 'string' }, open: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    process.stdout.write('scripthut serve [--port N] [--config FILE] [--data-dir DIR] [--open]\n  --port 0 picks a free port; the URL and token are printed and written to <data-dir>/engine.json\n');
    return 0;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0..65535, got '${values.port}'`);
  const dataDir = values['data-dir'] ? path.resolve(values['data-dir']) : defaultDataDir();
  let running;
  try {
    running = await startEngine({
      dataDir,
      configPath: values.config,
      version: env.version,
      resourcesDir: path.join(env.appRoot, 'resources'),
      makeShellBackend: makeShellBackendFactory,
    });
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      process.stderr.write(`scripthut: ${err.message}\n`);
      return 3;
    }
    throw err;
  }
  const host = await startHost({ api: running.api, port, rendererDir: path.join(env.appRoot, 'out', 'renderer'), version: env.version });
  writeEngineFile(dataDir, { pid: process.pid, port: host.port, token: host.token, url: host.url, version: env.version, started_at: new Date().toISOString() });
  const health = await running.api.invoke('health', {});
  if (values.json) process.stdout.write(JSON.stringify({ url: host.url, port: host.port, token: host.token, pid: process.pid, data_dir: dataDir }) + '\n');
  else {
    process.stdout.write(`ScriptHut ${env.version} engine → ${host.url}\n  data folder: ${dataDir}\n  token: ${host.token}\n  backends: ${health.backends.map((b) => `${b.name} (${b.type})`).join(', ') || '(none)'}\n`);
    if (health.config_error) process.stdout.write(`  CONFIG ERROR (the engine still serves):\n${health.config_error.message.replace(/^/gm, '    ')}\n`);
  }
  if (values.open) {
    const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
    spawn(opener, [host.url], { stdio: 'ignore', detached: true }).on('error', () => process.stderr.write(`Open ${host.url} in your browser.\n`)).unref();
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  removeEngineFile(dataDir);
  await host.close();
  await running.close();
  return 0;
}

export async function runCli(argv: string[], env: CliEnvironment): Promise<number> {
  const [first] = argv;
  if (!first || first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(usage(env.version) + '\n');
    return first ? 0 : 2;
  }
  if (first === '--version' || first === '-V') {
    process.stdout.write(`${env.version}\n`);
    return 0;
  }
  try {
    if (first === 'serve') return await serve(argv.slice(1), env);
    const cmd = COMMANDS.find((c) => c.path.every((p, i) => argv[i] === p));
    if (!cmd) throw new UsageError(`Unknown command '${argv.slice(0, 2).join(' ')}'.\n\n${usage(env.version)}`);
    const { values, positionals } = parseArgs({
      args: argv.slice(cmd.path.length),
      options: Object.fromEntries(Object.entries({ ...cmd.options, ...GLOBAL_OPTIONS }).map(([k, o]) => [k, o.short ? { type: o.type, short: o.short } : { type: o.type }])),
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      process.stdout.write(commandHelp(cmd) + '\n');
      return 0;
    }
    // An argument named `x?` is optional (e.g. `source sync [name]`).
    const required = cmd.args.filter((a) => !a.endsWith('?')).length;
    if (positionals.length < required || positionals.length > cmd.args.length) throw new UsageError(`Expected ${cmd.args.map(argLabel).join(' ') || 'no arguments'}, got ${positionals.length ? positionals.join(' ') : 'none'}.\n\n${commandHelp(cmd)}`);
    const dataDir = values['data-dir'] ? path.resolve(String(values['data-dir'])) : defaultDataDir();
    const ctx: CliContext = {
      args: positionals,
      opts: values as Record<string, string | boolean | undefined>,
      json: !!values.json,
      client: () => clientForDataDir(dataDir),
      out: (t) => process.stdout.write(t + '\n'),
      err: (t) => process.stderr.write(t + '\n'),
      isTTY: !!process.stdout.isTTY && !values.json,
    };
    return await cmd.run(ctx);
  } catch (err) {
    const json = argv.includes('--json');
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`scripthut: ${(err as Error).message}\n`);
      return 2;
    }
    if (err instanceof ApiError) {
      if (json) process.stdout.write(JSON.stringify({ error: err.toJSON() }, null, 2) + '\n');
      process.stderr.write(`scripthut: ${err.message}\n`);
      return err.code === 'bad_input' || err.code === 'not_found' ? 2 : 1;
    }
    if (err instanceof EngineNotRunningError) {
      process.stderr.write(`scripthut: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`scripthut: ${(err as Error)?.stack ?? String(err)}\n`);
    return 1;
  }
}

function argLabel(a: string): string {
  return a.endsWith('?') ? `[${a.slice(0, -1)}]` : `<${a}>`;
}
