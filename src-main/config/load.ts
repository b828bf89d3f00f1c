// Finds, reads and validates scripthut.yaml. Never throws for bad user input: every problem comes back as a
// located error (file, YAML line, config path) that the UI and CLI can show as is.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, YAMLError } from 'yaml';
import { defaultConfig, validateConfig } from '../../src-shared/config';
import type { ConfigIssue, LocatedConfigIssue, PathSegment, ScripthutConfig } from '../../src-shared/config';
import { defaultConfigPath } from '../platform/paths';
import { expandConfigPaths } from './expand-paths';

export interface LoadConfigOptions {
  /** `--config <path>`: load exactly this file (relative to the current directory). */
  configPath?: string;
  env?: NodeJS.ProcessEnv;
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
  | { ok: false; error: ConfigLoadError };

export function homeDir(env: NodeJS.ProcessEnv): string {
  return env.HOME || os.homedir();
}

/** The user-global files, first existing one wins (same order as the original). */
export function configCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  return [defaultConfigPath(env), path.join(homeDir(env), '.scripthut.yaml')];
}

export function loadConfig(opts: LoadConfigOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const cpuCount = opts.cpuCount ?? Math.max(1, os.cpus().length);
  if (opts.configPath !== undefined) {
    const file = path.resolve(opts.configPath);
    if (!fs.existsSync(file)) {
      const message = `Config file not found: ${file} (given with --config). Check the path, or leave out --config to use ${defaultConfigPath(env)}.`;
      return { ok: false, error: { file, message, issues: [{ path: '', message }] } };
    }
    return loadConfigFile(file, env, cpuCount);
  }
  const found = configCandidates(env).find((f) => fs.existsSync(f));
  if (found) return loadConfigFile(found, env, cpuCount);
  return { ok: true, config: defaultConfig({ cpuCount }), file: null, warnings: [], warningDetails: [] };
}

/** Parse the text of a config file; `file` is used for messages, relative stack input files and `~`. */
export function parseConfigText(text: string, file: string, env: NodeJS.ProcessEnv = process.env, cpuCount = os.cpus().length): LoadedConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    const issues = doc.errors.map((e) => yamlIssue(e));
    const first = doc.errors[0]!;
    // prettyErrors puts a source excerpt with a caret after the first line of the message.
    const excerpt = first.message.split('\n').slice(1).join('\n').replace(/^\n+|\s+$/g, '');
    const lines = doc.errors.map((e) => `${file}:${where(e)}: YAML syntax error: ${reasonOf(e)}`);
    const message = `${lines.join('\n')}${excerpt ? `\n\n${excerpt}` : ''}`;
    return { ok: false, error: { file, message, issues } };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    const message = `${file} could not be read as YAML: ${(e as Error).message}`;
    return { ok: false, error: { file, message, issues: [{ path: '', message }] } };
  }
  const result = validateConfig(data, { cpuCount });
  const lineOf = (issue: LocatedConfigIssue) => locate(doc, issue.segments, lineCounter)?.line;
  const at = (issue: LocatedConfigIssue) => {
    const line = lineOf(issue);
    return line ? `line ${line}: ` : '';
  };
  const warnings = result.warnings.map((w) => `${file}${lineOf(w) ? `:${lineOf(w)}` : ''}: ${w.message}`);
  const warningDetails = result.warnings.map((w) => ({ path: w.path, message: w.message, line: lineOf(w) ?? null }));
  if (!result.ok) {
    const lines = result.issues.map((i) => `  ${at(i)}${i.message}`);
    const count = result.issues.length === 1 ? '1 problem' : `${result.issues.length} problems`;
    const message = `${file} has ${count}:\n${lines.join('\n')}`;
    return { ok: false, error: { file, message, issues: result.issues.map(({ path: p, message: m }) => ({ path: p, message: m })) } };
  }
  const config = expandConfigPaths(result.config, { home: homeDir(env), configDir: path.dirname(file) });
  return { ok: true, config, file, warnings, warningDetails };
}

function loadConfigFile(file: string, env: NodeJS.ProcessEnv, cpuCount: number): LoadedConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'EISDIR' ? 'it is a directory, not a file' : err.code === 'EACCES' ? 'permission denied' : err.message;
    const message = `Cannot read config file ${file}: ${why}.`;
    return { ok: false, error: { file, message, issues: [{ path: '', message }] } };
  }
  return parseConfigText(text, file, env, cpuCount);
}

function where(e: YAMLError): string {
  const pos = e.linePos?.[0];
  return pos ? `${pos.line}:${pos.col}` : '?';
}

/** The error's first line without the " at line L, column C:" that prettyErrors appends. */
function reasonOf(e: YAMLError): string {
  const first = e.message.split('\n')[0] ?? e.message;
  return first.replace(/ at line \d+, column \d+:?$/, '');
}

function yamlIssue(e: YAMLError): ConfigIssue {
  const pos = e.linePos?.[0];
  const loc = pos ? `line ${pos.line}, column ${pos.col}: ` : '';
  return { path: '', message: `${loc}YAML syntax error: ${reasonOf(e)}` };
}

/** 1-based line/column of the deepest YAML node on the path (the key's line for mapping entries). */
function locate(doc: Document, segments: readonly PathSegment[], lc: LineCounter): { line: number; col: number } | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined = rangeStart(node);
  for (const seg of segments) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      offset = rangeStart(node) ?? offset;
    } else {
      break;
    }
  }
  return offset === undefined ? undefined : lc.linePos(offset);
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return range ? range[0] : undefined;
}
