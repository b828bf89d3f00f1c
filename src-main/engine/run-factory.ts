// Turning a user's workflow document into a validated run (nothing is stored or submitted when it is invalid).
import { ApiError } from '../../src-shared/api/contract';
import { parseWorkflow, parseWorkflowText } from '../../src-shared/workflow/parse';
import type { WorkflowDocument } from '../../src-shared/workflow/types';

export const DEFAULT_MAX_TASKS_PER_RUN = 100_000;

export function tooManyTasks(count: number, limit: number): ApiError {
  return new ApiError(
    'bad_input',
    `The workflow has ${count.toLocaleString('en-US')} tasks; a run may have at most ${limit.toLocaleString('en-US')} ` +
      '(settings.max_tasks_per_run). Split it into several runs or raise the limit; nothing was submitted.',
  );
}

/** Counts the tasks before any validation, so an oversized workflow is refused at once instead of validated. */
function checkTaskCount(document: unknown, limit: number): void {
  const tasks = (document as { tasks?: unknown } | null)?.tasks;
  if (Array.isArray(tasks) && tasks.length > limit) throw tooManyTasks(tasks.length, limit);
}

export function validateWorkflowInput(input: { document?: unknown; text?: string }, maxTasks = DEFAULT_MAX_TASKS_PER_RUN): { doc: WorkflowDocument; warnings: string[] } {
  if (input.text !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(input.text);
    } catch {
      parsed = undefined; // the full parser reports where the text is broken
    }
    checkTaskCount(parsed, maxTasks);
  } else {
    checkTaskCount(input.document, maxTasks);
  }
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
