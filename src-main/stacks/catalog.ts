// Which stacks exist and where: the app's own (scripthut.yaml `stacks:`), plus, when a source is named, the ones
// its repository's scripthut.yaml defines (those win by name). Each comes with its content hash and build folder.
import { ApiError } from '../../src-shared/api/contract';
import type { StackConfig } from '../../src-shared/config';
import type { Backend } from '../backends/types';
import type { SourceManager } from '../sources/manager';
import { OverlayError, parseOverlay } from '../sources/overlay';
import { stackHash } from './hash';
import { parseOverlayStacks, readLocalFile, StackDefinitionError } from './overlay-stacks';
import { stackDir } from './scripts';

export interface StackEntry {
  config: StackConfig;
  /** null = the app's own; otherwise the source whose repository defines it. */
  source: string | null;
  hash: string;
  /** Build folder on the backend, `~` kept for the remote shell. */
  dir: string;
}

export interface CatalogDeps {
  stacks: StackConfig[];
  sources: SourceManager | null;
}

function entry(config: StackConfig, source: string | null, files: Map<string, Buffer | null>): StackEntry {
  const hash = stackHash(config, (f) => (files.has(f) ? (files.get(f) ?? null) : readLocalFile(f)));
  return { config, source, hash, dir: stackDir(config.cache_dir, config.name, hash) };
}

/** The stacks visible for `source` (or the app's alone), in definition order. */
export async function listStacks(d: CatalogDeps, source?: string): Promise<StackEntry[]> {
  const own = d.stacks.map((s) => entry(s, null, new Map()));
  if (source === undefined) return own;
  if (!d.sources) throw new ApiError('unavailable', 'Sources are not available: the configuration did not load.');
  const repo = await d.sources.repoConfig(source);
  if (repo.text === null) return own;
  let defined: StackConfig[];
  try {
    defined = parseOverlayStacks(parseOverlay(repo.text, repo.label).stacks, repo.label);
  } catch (err) {
    if (err instanceof OverlayError || err instanceof StackDefinitionError) throw new ApiError('bad_input', err.message);
    throw err;
  }
  const theirs: StackEntry[] = [];
  for (const s of defined) {
    // Relative input files are relative to the repository root (the YAML that declared them), read at its commit.
    const files = new Map<string, Buffer | null>();
    for (const f of s.input_files) files.set(f, await repo.readFile(f));
    theirs.push(entry(s, source, files));
  }
  const names = new Set(theirs.map((t) => t.config.name));
  return [...own.filter((o) => !names.has(o.config.name)), ...theirs];
}

export async function requireStack(d: CatalogDeps, name: string, source?: string): Promise<StackEntry> {
  const all = await listStacks(d, source);
  const hit = all.find((s) => s.config.name === name);
  if (hit) return hit;
  const known = all.map((s) => s.config.name);
  const where = source ? `in scripthut.yaml or in source '${source}'` : "under 'stacks:' in scripthut.yaml";
  throw new ApiError('not_found', `No stack named '${name}' is defined ${where}${known.length ? ` (defined: ${known.join(', ')})` : ' (no stacks are defined)'}.`);
}

/** Backends a stack may be built on: its `backends:` list, else every backend that can run shell commands. */
export function stackBackends(s: StackEntry, backends: Map<string, Backend>): string[] {
  if (s.config.backends.length) return s.config.backends.filter((n) => typeof backends.get(n)?.runScript === 'function');
  return [...backends.values()].filter((b) => typeof b.runScript === 'function').map((b) => b.name);
}

export function pickBackend(s: StackEntry, backends: Map<string, Backend>, name: string | undefined): Backend {
  const allowed = stackBackends(s, backends);
  if (name === undefined) {
    if (allowed.length === 1) return backends.get(allowed[0]!)!;
    throw new ApiError('bad_input', `Choose a backend with --backend; stack '${s.config.name}' can be built on: ${allowed.join(', ') || '(no configured backend can run shell commands)'}.`);
  }
  const b = backends.get(name);
  if (!b) throw new ApiError('not_found', `No backend named '${name}'. Configured backends: ${[...backends.keys()].join(', ') || '(none)'}.`);
  if (s.config.backends.length && !s.config.backends.includes(name)) {
    throw new ApiError('bad_input', `Stack '${s.config.name}' is not for backend '${name}': its backends are ${s.config.backends.join(', ')}.`);
  }
  if (typeof b.runScript !== 'function') {
    throw new ApiError('bad_input', `Backend '${name}' (${b.kind}) cannot run shell commands, so stacks cannot be built or checked there; use a local, Slurm or PBS backend.`);
  }
  return b;
}
