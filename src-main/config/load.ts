// Finds, reads and validates scripthut.yaml. Never throws for bad user input: every problem comes back as a
// located error (file, YAML line, config path) that the UI and CLI can show as is.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { YAMLError } from 'yaml';
import { checkConfigText, defaultConfig, yamlReason } from '../../src-shared/config';
import type { ConfigDiagnostic, ConfigIssue, ScripthutConfig } from '../../src-shared/config';
import { defaultConfigPath } from '../platform/paths';
import { expandConfigPaths } from './expand-paths';

export interface LoadConfigOptions {
  /** `--config <path>`: load exactly this file (relative to the current directory). */
  configPath?: string;
  env?: NodeJS.ProcessEnv;
  /** Folder searched for ./scripthut.yaml and against which relative paths resolve (default: process.cwd()). */
  cwd?: string;
  /** Defaults to os.cpus().length (local backends' max_concurrent). */
  cpuCount?: number;
}

export interface ConfigLoadError {
  file: string | null;
  message: string;
  issues: ConfigIssue[];
}

/** One config warning as health reports it: config path, sentence, and the YAML line when known. */
export interface ConfigWarning {
  path: string;
  message: string;
  line: number | null;
}

export type LoadedConfig =
  | { ok: true; config: ScripthutConfig; file: string | null; warnings: string[]; warningDetails: ConfigWarning[] }
  // warnings: what the broken file would also be warned about, so all problems are fixed in one pass.
  | { ok: false; error: ConfigLoadError; warnings?: string[]; warningDetails?: ConfigWarning[] };

export function homeDir(env: NodeJS.ProcessEnv): string {
  return env.HOME || os.homedir();
}

/** Where a config can come from, in lookup order (the original's order; the first that applies wins). */
export type ConfigSource = 'flag' | 'env' | 'project' | 'user';

export interface ConfigCandidate {
  file: string;
  source: ConfigSource;
}

/**
 * The files looked at when --config is not given, first existing one wins: $SCRIPTHUT_CONFIG (must exist when
 * set), ./scripthut.yaml or ./scripthut.yml in the current folder, then the user config folder, then ~/.scripthut.yaml.
 */
export function configCandidates(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd(), platform: NodeJS.Platform = process.platform): ConfigCandidate[] {
  return [
    { file: path.resolve(cwd, 'scripthut.yaml'), source: 'project' },
    { file: path.resolve(cwd, 'scripthut.yml'), source: 'project' },
    { file: defaultConfigPath(env, platform), source: 'user' },
    { file: path.join(homeDir(env), '.scripthut.yaml'), source: 'user' },
  ];
}

export function loadConfig(opts: LoadConfigOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const cpuCount = opts.cpuCount ?? Math.max(1, os.cpus().length);
  const explicit = opts.configPath !== undefined ? { given: opts.configPath, how: 'given with --config' } : env.SCRIPTHUT_CONFIG ? { given: env.SCRIPTHUT_CONFIG, how: 'named by $SCRIPTHUT_CONFIG' } : null;
  if (explicit) {
    const file = path.resolve(opts.cwd ?? process.cwd(), explicit.given);
    if (!fs.existsSync(file)) {
      const message = `Config file not found: ${file} (${explicit.how}). Check the path, or leave it out to use ${defaultConfigPath(env)}.`;
      return { ok: false, error: { file, message, issues: [{ path: '', message }] } };
    }
    return loadConfigFile(file, env, cpuCount);
  }
  const found = configCandidates(env, opts.cwd).find((c) => fs.existsSync(c.file));
  if (found) return loadConfigFile(found.file, env, cpuCount);
  return { ok: true, config: defaultConfig({ cpuCount }), file: null, warnings: [], warningDetails: [] };
}

/** Parse the text of a config file; `file` is used for messages, relative stack input files and `~`. */
export function parseConfigText(text: string, file: string, env: NodeJS.ProcessEnv = process.env, cpuCount = os.cpus().length): LoadedConfig {
  const checked = checkConfigText(text, { cpuCount });
  if (checked.yamlErrors.length) {
    const errs = checked.yamlErrors;
    const issues = errs.map((e) => yamlIssue(e));
    const first = errs[0]!;
    // prettyErrors puts a source excerpt with a caret after the first line of the message.
    const excerpt = first.message.split('\n').slice(1).join('\n').replace(/^\n+|\s+$/g, '');
    const lines = errs.map((e) => `${file}:${where(e)}: YAML syntax error: ${yamlReason(e)}`);
    const message = `${lines.join('\n')}${excerpt ? `\n\n${excerpt}` : ''}`;
    return { ok: false, error: { file, message, issues } };
  }
  if (checked.syntaxError) {
    const message = `${file} ${checked.errors[0]?.message ?? 'could not be read as YAML'}`;
    return { ok: false, error: { file, message, issues: [{ path: '', message }] } };
  }
  const at = (d: ConfigDiagnostic) => (d.line ? `line ${d.line}: ` : '');
  const warnings = checked.warnings.map((w) => `${file}${w.line ? `:${w.line}` : ''}: ${w.message}`);
  const warningDetails = checked.warnings.map((w) => ({ path: w.path, message: w.message, line: w.line }));
  if (!checked.config) {
    const lines = checked.errors.map((i) => `  ${at(i)}${i.message}`);
    const count = checked.errors.length === 1 ? '1 problem' : `${checked.errors.length} problems`;
    const message = `${file} has ${count}:\n${lines.join('\n')}`;
    return { ok: false, error: { file, message, issues: checked.errors.map(({ path: p, message: m, line }) => ({ path: p, message: m, line: line ?? null })) }, warnings, warningDetails };
  }
  const config = expandConfigPaths(checked.config, { home: homeDir(env), configDir: path.dirname(file) });
  return { ok: true, config, file, warnings, warningDetails };
}

/** A config is a few KB; anything near this is a wrong path (a log, a device), not a config. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

function kindOf(st: fs.Stats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a directory';
  return 'not a plain file';
}

/** Read only a regular file of at most MAX_CONFIG_BYTES: /dev/zero would grow without end, a FIFO would hang. */
export function readConfigText(file: string): string {
  const notRegular = (st: fs.Stats) => new Error(st.isDirectory() ? 'it is a directory, not a file' : `it is ${kindOf(st)}, not a regular file`);
  const tooBig = (size: number) => new Error(`${file} is ${size} bytes; a config file may be at most 1 MB (${MAX_CONFIG_BYTES} bytes). Is this the right file?`);
  const before = fs.statSync(file);
  if (!before.isFile()) throw notRegular(before);
  if (before.size > MAX_CONFIG_BYTES) throw tooBig(before.size);
  // O_NONBLOCK: should the path be swapped for a FIFO after the check, open() still returns at once.
  const fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw notRegular(st);
    const buf = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let len = 0;
    for (;;) {
      const n = fs.readSync(fd, buf, len, buf.length - len, null);
      if (n === 0) break;
      len += n;
      if (len > MAX_CONFIG_BYTES) throw tooBig(len);
    }
    return buf.subarray(0, len).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

function loadConfigFile(file: string, env: NodeJS.ProcessEnv, cpuCount: number): LoadedConfig {
  let text: string;
  try {
    text = readConfigText(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'EISDIR' ? 'it is a directory, not a file' : err.code === 'EACCES' ? 'permission denied' : err.message;
    const message = err.code || !why.startsWith(file) ? `Cannot read config file ${file}: ${why}.` : `Cannot read config file: ${why}`;
    return { ok: false, error: { file, message, issues: [{ path: '', message }] } };
  }
  return parseConfigText(text, file, env, cpuCount);
}

function where(e: YAMLError): string {
  const pos = e.linePos?.[0];
  return pos ? `${pos.line}:${pos.col}` : '?';
}

function yamlIssue(e: YAMLError): ConfigIssue {
  const pos = e.linePos?.[0];
  const loc = pos ? `line ${pos.line}, column ${pos.col}: ` : '';
  return { path: '', message: `${loc}YAML syntax error: ${yamlReason(e)}`, line: pos?.line ?? null };
}
