// Keys the config and workflow formats accept (files written for the original ScriptHut still load) but this app
// does not act on yet. Each one gets a located "… is not supported yet" warning instead of being silently ignored.
// When a key gets implemented, delete its row here: that is the only change needed to drop the warning.

export interface UnsupportedKey {
  /** 'config': a path in scripthut.yaml ('*' = any list index); 'task': a field of a workflow task. */
  scope: 'config' | 'task';
  path: readonly string[];
  /** What happens instead, shown after "is not supported yet". */
  instead: string;
}

export const UNSUPPORTED_KEYS: readonly UnsupportedKey[] = [
  { scope: 'config', path: ['agent'], instead: 'this app starts no agent sessions on backends' },
  { scope: 'config', path: ['cache'], instead: 'task results are not cached; every task runs' },
  { scope: 'task', path: ['image'], instead: 'on local, Slurm and PBS backends the task runs without a container image; AWS Batch, ECS and EC2 backends use it' },
  { scope: 'task', path: ['inputs'], instead: 'inputs are not staged' },
  { scope: 'task', path: ['outputs'], instead: 'outputs are not collected' },
  { scope: 'task', path: ['cache'], instead: 'the task always runs' },
];

export const UNSUPPORTED_TASK_FIELDS: ReadonlyMap<string, string> = new Map(
  UNSUPPORTED_KEYS.filter((k) => k.scope === 'task').map((k) => [k.path[0] as string, k.instead]),
);

export function unsupportedMessage(instead: string): string {
  return `is not supported yet and is ignored (${instead}).`;
}

/** Concrete paths (list indexes filled in) of unsupported config keys present in the raw, user-written object. */
export function findUnsupportedConfigKeys(root: unknown): Array<{ segments: Array<string | number>; instead: string }> {
  const found: Array<{ segments: Array<string | number>; instead: string }> = [];
  const walk = (node: unknown, rest: readonly string[], at: Array<string | number>, instead: string): void => {
    if (rest.length === 0) {
      if (node !== undefined && node !== null) found.push({ segments: at, instead });
      return;
    }
    const [head, ...tail] = rest as [string, ...string[]];
    if (head === '*') {
      if (Array.isArray(node)) node.forEach((child, i) => walk(child, tail, [...at, i], instead));
    } else if (node !== null && typeof node === 'object' && !Array.isArray(node) && head in node) {
      walk((node as Record<string, unknown>)[head], tail, [...at, head], instead);
    }
  };
  for (const k of UNSUPPORTED_KEYS) if (k.scope === 'config') walk(root, k.path, [], k.instead);
  return found;
}
