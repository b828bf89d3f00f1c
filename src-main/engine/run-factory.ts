// Turning a user's workflow document into a validated run (nothing is stored or submitted when it is invalid).
import { ApiError } from '../../src-shared/api/contract';
import { parseWorkflow, parseWorkflowText } from '../../src-shared/workflow/parse';
import type { WorkflowDocument } from '../../src-shared/workflow/types';

export function validateWorkflowInput(input: { document?: unknown; text?: string }): { doc: WorkflowDocument; warnings: string[] } {
  const result = input.text !== undefined ? parseWorkflowText(input.text) : parseWorkflow(input.document);
  if (!result.ok) {
    const lines = result.errors.map((e) => e.message);
    throw new ApiError('bad_input', `The workflow is invalid; nothing was submitted:\n${lines.map((l) => `  - ${l}`).join('\n')}`, { errors: result.errors });
  }
  return { doc: result.doc, warnings: result.warnings };
}

const HEX = '0123456789abcdef';
export function newRunId(exists: (id: string) => boolean): string {
  for (;;) {
    let id = '';
    for (let i = 0; i < 8; i++) id += HEX[Math.floor(Math.random() * 16)];
    if (!exists(id)) return id;
  }
}

/** The idempotency tag of one attempt: the backend can find the job by it after a crash. */
export function submitTag(runId: string, taskId: string, attempt: number): string {
  const safe = taskId.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 60);
  // Two ids that sanitise alike must still get different tags.
  const suffix = safe === taskId ? '' : `-${fnv1a(taskId)}`;
  return `sh-${runId}-${safe}${suffix}-a${attempt}`;
}

function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
