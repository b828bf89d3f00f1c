// Stacks defined in a repository's own scripthut.yaml: validated with the same schema as the app's config, and
// named in errors by file and list index. They win over the app's stacks of the same name (as the original).
import fs from 'node:fs';
import { configSchemas, type StackConfig } from '../../src-shared/config';
import { shPath } from '../transport/quote';
import { stackHash } from './hash';
import { stackDir } from './scripts';

export class StackDefinitionError extends Error {}

export function parseOverlayStacks(raw: unknown[], label: string): StackConfig[] {
  const seen = new Set<string>();
  return raw.map((item, i) => {
    const res = configSchemas.stack.safeParse(item);
    if (!res.success) {
      const issue = res.error.issues[0]!;
      const field = issue.path.length ? `.${issue.path.join('.')}` : '';
      throw new StackDefinitionError(`${label}: stacks[${i}]${field}: ${issue.message}`);
    }
    if (seen.has(res.data.name)) throw new StackDefinitionError(`${label}: stacks[${i}]: stack '${res.data.name}' is defined twice.`);
    seen.add(res.data.name);
    return res.data as StackConfig;
  });
}

/**
 * What a task's env `stacks: [name]` adds: the stack's init, preceded by `export STACK_DIR=<its build folder>`
 * so the init can name what prep built there (the build folder's hash is not something a user can write down).
 * Without a reader for its input files (a repository's stack that lists some) the init is used as written.
 */
export function stackInit(s: StackConfig, readFile: ((path: string) => Buffer | null) | null): string {
  const init = s.init ?? '';
  if (init.trim() === '' || (readFile === null && s.input_files.length)) return init;
  return initWithStackDir(s, stackHash(s, readFile ?? (() => null)));
}

/** The init preceded by `export STACK_DIR=<the build folder of this hash>` (an empty init stays empty). */
export function initWithStackDir(s: StackConfig, hash: string): string {
  const init = s.init ?? '';
  if (init.trim() === '') return init;
  return `export STACK_DIR=${shPath(stackDir(s.cache_dir, s.name, hash))}\n${init}`;
}

/** What the env resolver needs of each stack: its init, by name. */
export function initsByName(stacks: StackConfig[], readFile: ((path: string) => Buffer | null) | null): Record<string, { init: string }> {
  return Object.fromEntries(stacks.map((s) => [s.name, { init: stackInit(s, readFile) }]));
}

/** The app's own stacks: input files are files on this machine (already absolute in the loaded config). */
export function readLocalFile(file: string): Buffer | null {
  try {
    return fs.readFileSync(file);
  } catch {
    return null;
  }
}

/**
 * The input files of a repository's stacks, read once before the overlay is applied (the hash wants them
 * synchronously), as a reader for stackInit. `read` takes paths relative to the repository root.
 */
export async function readStackInputs(stacks: readonly StackConfig[], read: (rel: string) => Promise<Buffer | null>): Promise<(path: string) => Buffer | null> {
  const files = new Map<string, Buffer | null>();
  for (const s of stacks) for (const f of s.input_files) if (!files.has(f)) files.set(f, await read(f));
  return (f) => files.get(f) ?? null;
}
