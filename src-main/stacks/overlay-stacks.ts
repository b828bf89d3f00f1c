// Stacks defined in a repository's own scripthut.yaml: validated with the same schema as the app's config, and
// named in errors by file and list index. They win over the app's stacks of the same name (as the original).
import { configSchemas, type StackConfig } from '../../src-shared/config';

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

/** What the env resolver needs of a stack: its init, by name. */
export function initsByName(stacks: StackConfig[]): Record<string, { init: string }> {
  return Object.fromEntries(stacks.map((s) => [s.name, { init: s.init ?? '' }]));
}
