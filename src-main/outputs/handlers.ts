// The outputs calls of the contract (outputs.list / outputs.file / outputs.summary) over the collector.

import type { Handlers } from '../engine/dispatch';
import type { OutputCollector } from './collector';

export function outputHandlers(c: OutputCollector, requireTask: (runId: string, taskId: string) => void, requireRun: (runId: string) => void): Pick<Handlers, 'outputs.list' | 'outputs.file' | 'outputs.summary'> {
  return {
    'outputs.list': ({ run_id, task_id }) => {
      if (task_id === undefined) requireRun(run_id);
      else requireTask(run_id, task_id);
      return {
        run_id,
        outputs: c.rows.outputs(run_id, task_id).map((o) => ({ task_id: o.task_id, path: o.path, size: o.size, kind: o.kind, stored: !!o.stored, skipped: o.skipped })),
        collections: c.rows.collections(run_id, task_id).map((r) => ({
          task_id: r.task_id,
          attempt: r.attempt,
          collected_at: r.collected_at,
          has_run_summary: !!r.has_run_summary,
          notes: JSON.parse(r.notes_json) as string[],
          error: r.error,
        })),
      };
    },
    'outputs.file': async ({ run_id, task_id, path }) => {
      const f = await c.read(run_id, task_id, path);
      return { run_id, task_id, path: f.path, size: f.size, mime: f.mime, content_base64: f.bytes.toString('base64') };
    },
    'outputs.summary': async ({ run_id }) => {
      requireRun(run_id);
      return { run_id, ...(await c.runSummary(run_id)) };
    },
  };
}
