// The app's own stacks' inits for the env resolver, hashed when a task is submitted: an edited input file moves
// STACK_DIR for the next task, not after a restart. Cheap: a stack is hashed again only when one of its input
// files changed mtime or size (one stat per file per submission instead of reading every file).
import fs from 'node:fs';
import type { StackConfig } from '../../src-shared/config';
import { stackHash } from './hash';
import { initWithStackDir, readLocalFile } from './overlay-stacks';

function fileStamp(file: string): string {
  try {
    const st = fs.statSync(file);
    return `${st.mtimeMs}:${st.size}`;
  } catch {
    return 'missing';
  }
}

export class LocalStackHashes {
  private readonly known = new Map<StackConfig, { stamp: string; hash: string }>();

  hash(s: StackConfig): string {
    const stamp = s.input_files.map(fileStamp).join('\0');
    const hit = this.known.get(s);
    if (hit && hit.stamp === stamp) return hit.hash;
    const hash = stackHash(s, readLocalFile);
    this.known.set(s, { stamp, hash });
    return hash;
  }
}

/**
 * `{ name: { init } }` whose inits are computed when read (the resolver reads them at each submission). Getters
 * keep the shape the env resolver already takes, so nothing else changes.
 */
export function liveStackInits(stacks: readonly StackConfig[], hashes = new LocalStackHashes()): Record<string, { init: string }> {
  const out: Record<string, { init: string }> = {};
  for (const s of stacks) {
    Object.defineProperty(out, s.name, { enumerable: true, configurable: true, get: () => ({ init: initWithStackDir(s, hashes.hash(s)) }) });
  }
  return out;
}
