// Turns a parsed scripthut.yaml object into a typed config, or into friendly messages that say where the
// problem is (`backends[0] ('hpc').max_concurrent: expected a whole number ≥ 1, got "ten".`) and how to fix it.
// Unknown keys never fail a load, but each one becomes a warning, with a suggestion when it looks like a typo.
import type { z } from 'zod';
import { buildConfigSchemas, configSchemas, describeValue, UNKNOWN_KEY_MARKER } from './schema';
import type { BackendConfig, ScripthutConfig } from './schema';
import { displayPath, formatPath, valueAt } from './path';
import type { PathSegment } from './path';
import { closestMatch } from './suggest';
import { findUnsupportedConfigKeys, unsupportedMessage } from './unsupported';

/** One problem: `path` is the plain location (`backends[0].max_concurrent`), `message` the full sentence
 *  including the named location (`backends[0] ('hpc').max_concurrent: …`). */
export interface ConfigIssue {
  path: string;
  message: string;
  /** The scripthut.yaml line, when known (health, status and the UI banner show it). */
  line?: number | null;
}
export interface LocatedConfigIssue extends ConfigIssue {
  segments: PathSegment[];
}

export interface ParseConfigOptions {
  /** Default `max_concurrent` of local backends (the loader passes os.cpus().length). */
  cpuCount?: number;
}

export type ConfigValidation =
  | { ok: true; config: ScripthutConfig; warnings: LocatedConfigIssue[] }
  | { ok: false; issues: LocatedConfigIssue[]; warnings: LocatedConfigIssue[] };

export type ParsedConfigResult =
  | { ok: true; config: ScripthutConfig; warnings: ConfigIssue[] }
  | { ok: false; error: { message: string; issues: ConfigIssue[] } };

/** The original's fallback when the CPU count is unknown. */
const FALLBACK_CPU_COUNT = 4;

const strictSchemas = buildConfigSchemas(true);

const EXPECTED_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (key: value pairs)',
  record: 'a mapping (key: value pairs)',
  null: 'nothing',
};

/** Messages for every issue the schema does not word itself (zod's defaults are written for programmers). */
function friendlyMessage(iss: z.core.$ZodRawIssue): string {
  const got = describeValue(iss.input);
  switch (iss.code) {
    case 'invalid_type':
      return `expected ${EXPECTED_WORDS[iss.expected] ?? iss.expected}, got ${got}.`;
    case 'too_small':
      if (iss.origin === 'string') return Number(iss.minimum) <= 1 ? 'must not be empty.' : `must be at least ${iss.minimum} characters long.`;
      if (iss.origin === 'array') return `must have at least ${iss.minimum} item(s).`;
      return `must be at least ${iss.minimum}, got ${got}.`;
    case 'too_big':
      if (iss.origin === 'string') return `must be at most ${iss.maximum} characters long.`;
      if (iss.origin === 'array') return `must have at most ${iss.maximum} item(s).`;
      return `must be at most ${iss.maximum}, got ${got}.`;
    case 'invalid_value':
      return iss.values.length === 1
        ? `expected ${describeValue(iss.values[0])}, got ${got}.`
        : `expected one of: ${iss.values.map(String).join(', ')}, got ${got}.`;
    case 'invalid_union':
      return `has an unexpected form (got ${got}); expected text or a list of texts.`;
    case 'invalid_key':
      return `has an invalid key.`;
    default:
      return `is not valid (got ${got}).`;
  }
}

function located(segments: PathSegment[], root: unknown, text: string): LocatedConfigIssue {
  const where = displayPath(segments, root);
  return { path: formatPath(segments), segments, message: where ? `${where}: ${text}` : text };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function unknownKeyWarning(segments: PathSegment[], known: string[], root: unknown): LocatedConfigIssue {
  const key = String(segments[segments.length - 1]);
  const parent = segments.slice(0, -1);
  if (parent.length === 0 && key === 'workflows') {
    return located(segments, root, `the top-level 'workflows:' section was removed in ScriptHut 0.5.3 and is ignored; workflows now come from 'sources:' (git or path).`);
  }
  const suggestion = closestMatch(key, known);
  const where = parent.length ? displayPath(parent, root) : 'top level';
  const hint = suggestion ? ` Did you mean '${suggestion}'?` : ` Known keys here: ${known.join(', ')}.`;
  return { path: formatPath(segments), segments, message: `${where}: unknown key '${key}' is ignored.${hint}` };
}

function zodIssueToConfigIssue(issue: z.core.$ZodIssue, root: unknown): LocatedConfigIssue {
  const segments = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
  if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator) {
    // zod points at `…[i].type`; the message is about the item as a whole.
    const item = segments[segments.length - 1] === issue.discriminator ? segments.slice(0, -1) : segments;
    return located(item, root, issue.message);
  }
  if (issue.code === 'invalid_type' && segments.length > 0 && valueAt(root, segments) === undefined) {
    const parent = segments.slice(0, -1);
    const key = String(segments[segments.length - 1]);
    const issueAt = located(parent, root, `missing required field '${key}'.`);
    return { ...issueAt, path: formatPath(segments), segments };
  }
  return located(segments, root, issue.message);
}

/** Checks that need the whole file rather than one field: names unique, removed sections, required pairs. */
function crossFieldErrors(root: Record<string, unknown>): LocatedConfigIssue[] {
  const issues: LocatedConfigIssue[] = [];
  if ('projects' in root) {
    issues.push(
      located(['projects'], root, `the 'projects:' section was replaced by 'sources:' in ScriptHut 0.6.0. Rename 'projects:' to 'sources:' and give each entry a 'type' (git or path).`),
    );
  }
  const lists: Array<[string, string]> = [
    ['backends', 'backend'],
    ['sources', 'source'],
    ['stacks', 'stack'],
  ];
  for (const [list, noun] of lists) {
    const items = root[list];
    if (!Array.isArray(items)) continue;
    const firstIndex = new Map<string, number>();
    items.forEach((item, i) => {
      const name = isRecord(item) && typeof item.name === 'string' ? item.name.trim() : undefined;
      if (!name) return;
      const first = firstIndex.get(name);
      if (first === undefined) {
        firstIndex.set(name, i);
        return;
      }
      issues.push(
        located([list, i, 'name'], root, `duplicate ${noun} name '${name}': ${list}[${first}] and ${list}[${i}] both use it. ${noun[0]!.toUpperCase()}${noun.slice(1)} names must be unique; rename one of them.`),
      );
    });
  }
  const cache = root.cache;
  if (isRecord(cache) && cache.enabled === true && (typeof cache.store !== 'string' || !cache.store.trim())) {
    issues.push(located(['cache', 'store'], root, `is required when cache.enabled is true. Set it to where results are kept (e.g. s3://bucket/scripthut-cache or an rclone remote), or set enabled: false.`));
  }
  return issues;
}

/** Suspicious but loadable: references to things that do not exist, deprecated keys. */
function crossFieldWarnings(config: ScripthutConfig, root: unknown): LocatedConfigIssue[] {
  const warnings: LocatedConfigIssue[] = [];
  // With no backends configured the engine registers a local backend named `local` itself.
  const backendNames = config.backends.length ? config.backends.map((b) => b.name) : ['local'];
  const unknownBackend = (name: string) => {
    const suggestion = closestMatch(name, backendNames);
    return `no backend named '${name}' is configured${suggestion ? ` (did you mean '${suggestion}'?)` : ''}; configured backends: ${backendNames.join(', ')}.`;
  };
  config.sources.forEach((source, i) => {
    if (source.type === 'git' && source.backend !== undefined) {
      warnings.push(located(['sources', i, 'backend'], root, `is deprecated and ignored: git sources are cloned where each run executes. Remove this line.`));
    }
    if (source.type === 'path' && !backendNames.includes(source.backend)) {
      warnings.push(located(['sources', i, 'backend'], root, unknownBackend(source.backend)));
    }
  });
  config.stacks.forEach((stack, i) => {
    stack.backends.forEach((name, j) => {
      if (!backendNames.includes(name)) warnings.push(located(['stacks', i, 'backends', j], root, unknownBackend(name)));
      // stacks feature: builds and checks are shell commands; AWS backends have no shell to run them in.
      const kind = config.backends.find((b) => b.name === name)?.type;
      if (kind === 'batch' || kind === 'ec2' || kind === 'ecs') warnings.push(located(['stacks', i, 'backends', j], root, `'${name}' is a ${kind} backend; stacks are built only on local, Slurm and PBS backends, so this entry is ignored.`));
    });
  });
  const groups = Object.keys(config.env_groups);
  if (config.agent.env_group !== null && !groups.includes(config.agent.env_group)) {
    warnings.push(located(['agent', 'env_group'], root, `no env group named '${config.agent.env_group}' in the top-level env_groups (known: ${groups.join(', ') || 'none'}).`));
  }
  for (const k of findUnsupportedConfigKeys(root)) warnings.push(located(k.segments, root, unsupportedMessage(k.instead)));
  return warnings;
}

function fillDefaults(config: ScripthutConfig, cpuCount: number): ScripthutConfig {
  const backends: BackendConfig[] = config.backends.map((b) =>
    b.type === 'local' ? { ...b, max_concurrent: b.max_concurrent ?? cpuCount } : b,
  );
  return { ...config, backends };
}

/** Validation with structured locations (the loader maps `segments` back to YAML lines). */
export function validateConfig(obj: unknown, options: ParseConfigOptions = {}): ConfigValidation {
  const root: unknown = obj === null || obj === undefined ? {} : obj;
  if (!isRecord(root)) {
    const issue = located([], root, `the top level must be a mapping of sections (backends:, sources:, settings:, …), got ${describeValue(root)}.`);
    return { ok: false, issues: [issue], warnings: [] };
  }
  const errors = crossFieldErrors(root);
  const warnings: LocatedConfigIssue[] = [];
  const strict = strictSchemas.config.safeParse(root, { error: friendlyMessage });
  if (!strict.success) {
    for (const issue of strict.error.issues) {
      const marker = issue.code === 'custom' ? (issue.params as { marker?: string; known?: string[] } | undefined) : undefined;
      if (marker?.marker === UNKNOWN_KEY_MARKER) {
        const segments = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
        if (!(segments.length === 1 && segments[0] === 'projects')) warnings.push(unknownKeyWarning(segments, marker.known ?? [], root));
      } else {
        errors.push(zodIssueToConfigIssue(issue, root));
      }
    }
  }
  // Keys not supported yet are found in the raw object, so a file with errors reports them too: the user fixes
  // everything in one pass instead of meeting the warnings only after the errors are gone.
  const unsupported = () => findUnsupportedConfigKeys(root).map((k) => located(k.segments, root, unsupportedMessage(k.instead)));
  if (errors.length) return { ok: false, issues: errors, warnings: [...warnings, ...unsupported()] };

  const parsed = configSchemas.config.safeParse(root, { error: friendlyMessage });
  if (!parsed.success) {
    return { ok: false, issues: parsed.error.issues.map((i) => zodIssueToConfigIssue(i, root)), warnings: [...warnings, ...unsupported()] };
  }
  const cpuCount = options.cpuCount && options.cpuCount > 0 ? Math.floor(options.cpuCount) : FALLBACK_CPU_COUNT;
  const config = fillDefaults(parsed.data as ScripthutConfig, cpuCount);
  return { ok: true, config, warnings: [...warnings, ...crossFieldWarnings(config, root)] };
}

export function formatConfigIssues(issues: readonly ConfigIssue[]): string {
  return issues.map((i) => i.message).join('\n');
}

const strip = ({ path, message }: LocatedConfigIssue): ConfigIssue => ({ path, message });

/** Parse an already-decoded scripthut.yaml object. Never throws for bad input. */
export function parseConfigObject(obj: unknown, options: ParseConfigOptions = {}): ParsedConfigResult {
  const result = validateConfig(obj, options);
  if (!result.ok) {
    const issues = result.issues.map(strip);
    return { ok: false, error: { message: formatConfigIssues(issues), issues } };
  }
  return { ok: true, config: result.config, warnings: result.warnings.map(strip) };
}

/** The configuration used when there is no file: nothing configured (the engine adds `local` itself). */
export function defaultConfig(options: ParseConfigOptions = {}): ScripthutConfig {
  const result = validateConfig({}, options);
  if (!result.ok) throw new Error(`internal error: the empty configuration does not validate: ${formatConfigIssues(result.issues)}`);
  return result.config;
}
