// Prompts waiting for the user, oldest first. They arrive from `prompts.list` (opened before this window) and
// from live `prompt` events; the same prompt can come from both, so merging is by id.
import type { Prompt } from '../../src-shared/api/schemas';

export function addPrompts(queue: readonly Prompt[], incoming: readonly Prompt[]): Prompt[] {
  const byId = new Map(queue.map((p) => [p.id, p]));
  for (const p of incoming) byId.set(p.id, p);
  return [...byId.values()].sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0));
}

export function removePrompt(queue: readonly Prompt[], id: string): Prompt[] {
  return queue.filter((p) => p.id !== id);
}

/** Host keys are answered with a literal "yes"; everything else with one answer per field. */
export function answersFor(prompt: Prompt, values: readonly string[]): string[] {
  if (prompt.kind === 'host-key') return ['yes'];
  return prompt.prompts.map((_, i) => values[i] ?? '');
}
