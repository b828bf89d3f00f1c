// Entry of the `scripthut` command. `serve` runs the engine headless; every other command is a client of the
// engine that owns the data folder (found through its engine.json).
import { parseArgs } from 'node:util';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { ApiError } from '../../src-shared/api/contract';
import { resolveDataDir, resolveServerPort } from '../config/settings-defaults';
import { DataDirLockedError } from '../engine/lock';
import { startHost, writeEngineFile, removeEngineFile } from '../host/server';
import { warmReads } from '../engine/read-warmup';
import { clientForDataDir, EngineNotRunningError, type HttpEngineClient } from '../host/client';
import { makeShellBackendFactory } from '../engine/ssh-wiring';
import { createFileLogger, installConsoleSink, logProcessFailures, type FileLogger } from '../logging/logger';
import { logDirFor } from '../logging/log-dir';
import { withLogFile } from '../logging/health-log-file';
import type { CallName } from '../../src-shared/api/contract';
import { COMMANDS, UsageError, type CliContext, type Client, type CommandDef, type OptionSpec } from './commands';
import { liftGlobals, type GlobalFlags } from './argv';
import { AutostartError, autostartAllowed, autostartEngine } from './autostart';
import { localCommands } from './local-commands';
import { NeedsEngineError, OFFLINE_CALLS, OfflineHistory } from './offline-history';
import { closest } from './suggest';
import { colourWanted } from './text';
import { forTerminal } from './terminal-text';
import { DatabaseDamagedError } from '../store/integrity';

export interface CliEnvironment {
  /** The installed package root (holds out/renderer and resources/). */
  appRoot: string;
  version: string;
  /** better-sqlite3 binary for this runtime's ABI (the packaged app runs the CLI inside Electron). */
  sqliteBinding?: string;
  /** How to run `scripthut` again (autostart); default: this Node and bin/scripthut.mjs. */
  selfCommand?: string[];
}

const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  json: { type: 'boolean', help: 'print one JSON document on stdout (errors too: {"error":{"code","message"}})' },
  'data-dir': { type: 'string', help: 'data folder (default: $SCRIPTHUT_DATA_DIR or the app-data folder)' },
  'no-color': { type: 'boolean', help: 'no colours (also: NO_COLOR=1; colours are only used on a terminal)' },
  help: { type: 'boolean', short: 'h', help: 'show help' },
};
const GLOBAL_NAMES = Object.keys(GLOBAL_OPTIONS);

const LOCAL_COMMANDS = localCommands(
  () => [...allCommands(), { path: ['serve'], options: ['port', 'config', 'open'] }].map((c) => ({ path: c.path, options: Array.isArray(c.options) ? c.options : Object.keys(c.options) })),
  GLOBAL_NAMES,
);

function allCommands(): CommandDef[] {
  return [...COMMANDS, ...LOCAL_COMMANDS];
}

const argLabel = (a: string) => (a.endsWith('?') ? `[${a.slice(0, -1)}]` : `<${a}>`);
const signature = (c: CommandDef) => [...c.path, ...c.args.map(argLabel)].join(' ');

function usage(version: string): string {
  const lines = [`scripthut ${version} — start, watch and keep the history of batch jobs`, '', 'Usage:'];
  lines.push('  scripthut serve [--port N] [--config FILE] [--data-dir DIR] [--open]   run the engine headless (HTTP + WebSocket on 127.0.0.1)');
  for (const c of allCommands()) lines.push(`  scripthut ${signature(c)}${Object.keys(c.options).length ? ' [options]' : ''}`.padEnd(58) + ` ${c.summary}`);
  lines.push(
    '',
    'Global options (before or after the command): --json, --data-dir DIR, --no-color, --help, --version.',
    '`scripthut <command> --help` lists its options; `scripthut <group> --help` its commands.',
    'Reading history (run list/view, logs of finished local tasks) needs no engine; other commands start one',
    'in the background when none is running (SCRIPTHUT_AUTOSTART=never to refuse instead).',
  );
  return lines.join('\n');
}

function groupHelp(group: string, members: CommandDef[]): string {
  return [`scripthut ${group} <command>`, '', ...members.map((c) => `  scripthut ${signature(c)}`.padEnd(50) + ` ${c.summary}`), '', `\`scripthut ${group} <command> --help\` lists its options.`].join('\n');
}

function commandHelp(c: CommandDef): string {
  const opts = { ...c.options, ...GLOBAL_OPTIONS };
  return [`scripthut ${signature(c)}`, `  ${c.summary}`, '', ...Object.entries(opts).map(([k, o]) => `  --${k}${o.short ? `, -${o.short}` : ''}${o.type === 'string' ? ' <value>' : ''}`.padEnd(30) + o.help)].join('\n');
}

/** A usage error with the nearest known words as suggestions. */
function unknownCommand(words: string[]): UsageError {
  const all = allCommands();
  const members = all.filter((c) => c.path[0] === words[0] && c.path.length > 1);
  if (members.length) {
    const sub = words[1] ?? '';
    const near = closest(sub, members.map((c) => c.path[1]!));
    return new UsageError(`Unknown command 'scripthut ${words[0]} ${sub}'.${near.length ? ` Did you mean: ${near.map((n) => `scripthut ${words[0]} ${n}`).join(', ')}?` : ''}\n\n${groupHelp(words[0]!, members)}`);
  }
  const tops = [...new Set(['serve', 'help', ...all.map((c) => c.path[0]!)])];
  const near = closest(words[0] ?? '', tops);
  return new UsageError(`Unknown command '${words[0]}'.${near.length ? ` Did you mean: ${near.map((n) => `scripthut ${n}`).join(', ')}?` : ''} Run \`scripthut --help\` for the list.`);
}

/** parseArgs' message for an unknown option, with a suggestion from the command's options. */
function explainParseError(err: Error, c: CommandDef): string {
  const m = /Unknown option '(--?[^']+)'/.exec(err.message);
  if (!m) return err.message;
  const near = closest(m[1]!.replace(/^--?/, ''), [...Object.keys(c.options), ...GLOBAL_NAMES]);
  return `Unknown option '${m[1]}' for 'scripthut ${c.path.join(' ')}'.${near.length ? ` Did you mean: ${near.map((n) => `--${n}`).join(', ')}?` : ''} See \`scripthut ${c.path.join(' ')} --help\`.`;
}

async function serve(argv: string[], env: CliEnvironment): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, config: { type: 'string', short: 'c' }, 'data-dir': { type: 'string' }, open: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    process.stdout.write('scripthut serve [--port N] [--config FILE] [--data-dir DIR] [--open]\n  --port 0 picks a free port (the default, unless the config sets settings.server_port); the URL and token are printed and written to <data-dir>/engine.json\n');
    return 0;
  }
  const flagPort = values.port === undefined ? undefined : Number(values.port);
  if (flagPort !== undefined && (!Number.isInteger(flagPort) || flagPort < 0 || flagPort > 65535)) throw new UsageError(`--port must be 0..65535, got '${values.port}'`);
  // Flags win; else settings.server_port / settings.data_dir of the config this engine will load.
  const port = resolveServerPort(flagPort, { configPath: values.config });
  const dataDir = resolveDataDir(values['data-dir'], { configPath: values.config });
  const log = openEngineLog(dataDir);
  log?.logger.info({ version: env.version, node: process.version, data_dir: dataDir }, 'engine starting');
  let running;
  try {
    // Loaded on demand: the engine and its backends (the AWS SDK among them) are only needed by `serve`.
    const { startEngine } = await import('../engine/start');
    running = await startEngine({
      dataDir,
      configPath: values.config,
      version: env.version,
      resourcesDir: path.join(env.appRoot, 'resources'),
      makeShellBackend: makeShellBackendFactory,
      nativeBinding: env.sqliteBinding,
    });
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      process.stderr.write(`scripthut: ${err.message}\n`);
      return 3;
    }
    throw err;
  }
  const api = withLogFile(running.api, log?.file ?? null);
  await warmReads(running.engine);
  const host = await startHost({ api, port, rendererDir: path.join(env.appRoot, 'out', 'renderer'), version: env.version, logs: { store: running.store, backends: running.backends }, outputs: running.engine.outputs });
  writeEngineFile(dataDir, { pid: process.pid, port: host.port, token: host.token, url: host.url, version: env.version, started_at: new Date().toISOString() });
  const health = await api.invoke('health', {});
  if (values.json) process.stdout.write(JSON.stringify({ url: host.url, port: host.port, token: host.token, pid: process.pid, data_dir: dataDir, log_file: log?.file ?? null }) + '\n');
  else {
    process.stdout.write(`ScriptHut ${env.version} engine → ${host.url}\n  data folder: ${dataDir}\n  log file: ${log?.file ?? '(none)'}\n  token: ${host.token}\n  backends: ${health.backends.map((b) => `${b.name} (${b.type})`).join(', ') || '(none)'}\n`);
    // Say what is in effect, not only what is wrong: the backends listed above are the embedded default's.
    if (health.config_error) process.stdout.write(`  CONFIG ERROR — running on the embedded default (a local backend; your history stays available) until it is fixed:\n${health.config_error.message.replace(/^/gm, '    ')}\n`);
  }
  if (values.open) {
    const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
    spawn(opener, [host.issueSignInUrl()], { stdio: 'ignore', detached: true }).on('error', () => process.stderr.write(`Open ${host.url} in your browser.\n`)).unref();
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  removeEngineFile(dataDir);
  await host.close();
  await running.close();
  log?.close();
  return 0;
}

/** The engine's log file; every console line of the engine process goes there too. */
function openEngineLog(dataDir: string): FileLogger | null {
  try {
    const log = createFileLogger(logDirFor(dataDir));
    installConsoleSink(log.logger);
    logProcessFailures(log.logger);
    return log;
  } catch (err) {
    process.stderr.write(`scripthut: cannot open the log file (${(err as Error).message}); logging to the console only.\n`);
    return null;
  }
}

export async function runCli(argv: string[], env: CliEnvironment): Promise<number> {
  let globals: GlobalFlags;
  let rest: string[];
  try {
    ({ globals, rest } = liftGlobals(argv));
  } catch (err) {
    return fail(argv.includes('--json'), 'usage', (err as Error).message, 2);
  }
  const json = globals.json;
  if (globals.version && !rest.length) {
    process.stdout.write(json ? JSON.stringify({ version: env.version }) + '\n' : `${env.version}\n`);
    return 0;
  }
  if (!rest.length || (rest[0] === 'help' && rest.length === 1)) {
    process.stdout.write(usage(env.version) + '\n');
    return rest.length || globals.help ? 0 : 2;
  }
  if (rest[0] === 'help') return runCli([...rest.slice(1), '--help'], env);
  try {
    if (rest[0] === 'serve') {
      const back = [...(globals.dataDir ? ['--data-dir', globals.dataDir] : []), ...(json ? ['--json'] : []), ...(globals.help ? ['--help'] : [])];
      return await serve([...rest.slice(1), ...back], env);
    }
    const all = allCommands();
    // The longest matching path wins: `usage rightsizing` is not `usage` with an argument.
    const cmd = all.filter((c) => c.path.every((p, i) => rest[i] === p)).sort((a, b) => b.path.length - a.path.length)[0];
    if (!cmd) {
      const members = all.filter((c) => c.path[0] === rest[0] && c.path.length > 1);
      if (members.length && rest.length === 1) {
        process.stdout.write(groupHelp(rest[0]!, members) + '\n');
        return globals.help ? 0 : 2;
      }
      throw unknownCommand(rest);
    }
    if (globals.help) {
      process.stdout.write(commandHelp(cmd) + '\n');
      return 0;
    }
    let values: Record<string, string | boolean | undefined>;
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({
        args: rest.slice(cmd.path.length),
        options: Object.fromEntries(Object.entries(cmd.options).map(([k, o]) => [k, o.short ? { type: o.type, short: o.short } : { type: o.type }])),
        allowPositionals: true,
        strict: true,
      }));
    } catch (err) {
      throw new UsageError(explainParseError(err as Error, cmd));
    }
    if (positionals.length < (cmd.minArgs ?? cmd.args.filter((a) => !a.endsWith('?')).length) || positionals.length > cmd.args.length) throw new UsageError(`Expected ${cmd.args.map((a) => `<${a}>`).join(' ') || 'no arguments'}, got ${positionals.length ? positionals.join(' ') : 'none'}.\n\n${commandHelp(cmd)}`);
    const dataDir = resolveDataDir(globals.dataDir);
    const say = (t: string) => process.stderr.write(t + '\n');
    const ctx: CliContext = {
      args: positionals,
      opts: { ...values, json, 'data-dir': globals.dataDir },
      json,
      client: lazyClient(dataDir, env, say),
      // Human output is sanitised (user-controlled ids, names, messages); --json keeps raw values.
      out: (t) => process.stdout.write((json ? t : forTerminal(t, 'status-colours')) + '\n'),
      err: (t) => say(forTerminal(t, 'status-colours')),
      isTTY: colourWanted({ isTTY: !!process.stdout.isTTY, env: process.env, noColorFlag: globals.noColor, json }),
    };
    return await cmd.run(ctx);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) return fail(json, 'usage', (err as Error).message, 2);
    if (err instanceof ApiError) {
      if (json) process.stdout.write(JSON.stringify({ error: err.toJSON() }, null, 2) + '\n');
      process.stderr.write(`scripthut: ${forTerminal(err.message)}\n`);
      // A request the run's state does not allow (conflict: rerun --failed with nothing failed, delete while
      // running) is the caller's to change, like bad input: 2. 1 stays for "could not do it" (engine, internal).
      return err.code === 'bad_input' || err.code === 'not_found' || err.code === 'conflict' ? 2 : 1;
    }
    if (err instanceof EngineNotRunningError || err instanceof AutostartError) return fail(json, 'engine_not_running', err.message, 1);
    if (err instanceof DatabaseDamagedError) return fail(json, 'database_damaged', err.message, err.exitCode);
    if (json) return fail(json, 'internal', (err as Error)?.message ?? String(err), 1);
    process.stderr.write(`scripthut: ${(err as Error)?.stack ?? String(err)}\n`);
    return 1;
  }
}

/** The error on stderr, and under --json also as one document on stdout; the exit code is the same either way. */
function fail(json: boolean, code: string, message: string, exit: number): number {
  if (json) process.stdout.write(JSON.stringify({ error: { code, message } }, null, 2) + '\n');
  process.stderr.write(`scripthut: ${forTerminal(message)}\n`);
  return exit;
}

/**
 * The engine client of one command, made on first use: the running engine if there is one; else history is read
 * from the data folder directly; else an engine is started in the background (unless SCRIPTHUT_AUTOSTART=never).
 */
function lazyClient(dataDir: string, env: CliEnvironment, say: (line: string) => void): () => Client {
  let http: HttpEngineClient | null = null;
  const client: Client = {
    async invoke(name, input = {}) {
      if (!http) {
        try {
          http = clientForDataDir(dataDir);
        } catch (err) {
          if (!(err instanceof EngineNotRunningError)) throw err;
          const answer = await fromHistory(dataDir, name, input as Record<string, unknown>, env.sqliteBinding);
          if (answer) return answer.value as never;
          if (!autostartAllowed(process.env)) throw err;
          await autostartEngine({ dataDir, command: env.selfCommand ?? [process.execPath, path.join(env.appRoot, 'bin', 'scripthut.mjs')], say });
          http = clientForDataDir(dataDir);
        }
      }
      return http.invoke(name, input);
    },
  };
  return () => client;
}

async function fromHistory(dataDir: string, name: CallName, input: Record<string, unknown>, sqliteBinding?: string): Promise<{ value: unknown } | null> {
  if (!OFFLINE_CALLS.has(name)) return null;
  let history: OfflineHistory | null;
  try {
    history = OfflineHistory.open(dataDir, sqliteBinding);
  } catch (err) {
    if (err instanceof NeedsEngineError) return null;
    throw err;
  }
  if (!history) {
    if (name === 'runs.list') return { value: { runs: [] } };
    if (name === 'runs.get') throw new ApiError('not_found', `No run '${String(input.id)}': the data folder ${dataDir} has no history yet.`);
    return null;
  }
  try {
    return { value: await history.invoke(name, input) };
  } catch (err) {
    if (err instanceof NeedsEngineError) return null;
    throw err;
  } finally {
    history.close();
  }
}
