// History without an engine: `run list`, `run view` and the logs of finished tasks on this machine are read
// straight from the data folder's SQLite file, opened read-only (a WAL reader never disturbs a writer, and
// opening read-only never creates or migrates anything).
import fs from 'node:fs';
import path from 'node:path';
import { ApiError, calls, type CallName, type CallOutput } from '../../src-shared/api/contract';
import type { LogChunk, RunDetail } from '../../src-shared/api/schemas';
import { isTerminalTask } from '../../src-shared/model/status';
import { noLogMessage } from '../../src-shared/model/no-log';
import { readLogFile } from '../backends/local/log-reader';
import { toRunSummary, toTaskView } from '../engine/views';
import { MIGRATIONS } from '../store/migrations';
import { Store } from '../store/store';
import { pageRuns } from '../store/queries/runs-page';
import { pageTasks } from '../store/queries/task-page';
import { statusCountsOf } from '../store/queries/status-counts';

/** This call cannot be answered from the files alone; an engine has to do it. */
export class NeedsEngineError extends Error {}

export const OFFLINE_CALLS: ReadonlySet<CallName> = new Set<CallName>(['runs.list', 'runs.get', 'tasks.log']);

export class OfflineHistory {
  private constructor(private readonly store: Store) {}

  /** The history of a data folder, or null when it has none yet. */
  static open(dataDir: string, nativeBinding?: string): OfflineHistory | null {
    const file = path.join(dataDir, 'scripthut.db');
    if (!fs.existsSync(file)) return null;
    const store = new Store(file, { readonly: true, nativeBinding });
    const version = store.db.pragma('user_version', { simple: true }) as number;
    // The highest version, not the last entry: branches append their reserved numbers in merge order.
    const latest = Math.max(0, ...MIGRATIONS.map((m) => m.version));
    if (version !== latest) {
      store.close();
      throw new NeedsEngineError(`the history in ${file} has schema ${version}, this version reads ${latest}`);
    }
    return new OfflineHistory(store);
  }

  close(): void {
    this.store.close();
  }

  async invoke<N extends CallName>(name: N, input: Record<string, unknown>): Promise<CallOutput<N>> {
    switch (name) {
      case 'runs.list': {
        // The same pages, filters and cursor as the engine's answer.
        const page = pageRuns(this.store.db, calls['runs.list'].input.parse(input));
        return { runs: page.runs.map((r) => toRunSummary(r.run, r.counts)), total: page.total, next_cursor: page.nextCursor, limit: page.limit } as CallOutput<N>;
      }
      case 'runs.get': {
        const { id, ...query } = calls['runs.get'].input.parse(input);
        return this.runDetail(id, query) as CallOutput<N>;
      }
      case 'tasks.log':
        return (await this.log(input as { run_id: string; task_id: string; type: 'output' | 'error'; tail?: number; offset?: number; attempt?: number })) as CallOutput<N>;
      default:
        throw new NeedsEngineError(`'${name}' needs a running engine`);
    }
  }

  private runDetail(id: string, query: Parameters<typeof pageTasks>[2]): RunDetail {
    const run = this.store.getRun(id);
    if (!run) throw new ApiError('not_found', `No run '${id}' in this data folder.`);
    const counts = statusCountsOf(this.store.db, id);
    const page = pageTasks(this.store.db, id, query, counts);
    const summary = toRunSummary(run, counts);
    return { ...summary, items: page.rows.map(toTaskView), log_dir: run.log_dir, total_items: summary.task_count, matched_items: page.matched, item_offset: page.offset, item_limit: page.limit, warnings: this.store.runWarnings(id) };
  }

  private async log(input: { run_id: string; task_id: string; type: 'output' | 'error'; tail?: number; offset?: number; attempt?: number }): Promise<LogChunk> {
    const run = this.store.getRun(input.run_id);
    if (!run) throw new ApiError('not_found', `No run '${input.run_id}' in this data folder.`);
    const row = this.store.getTask(run.id, input.task_id);
    if (!row) throw new ApiError('not_found', `Run '${run.id}' has no task '${input.task_id}'.`);
    const task = toTaskView(row);
    const attemptNo = input.attempt ?? task.attempt;
    const attempt = this.store.getAttempt(run.id, task.id, attemptNo);
    if (!attempt) throw new ApiError('bad_input', noLogMessage(task, attemptNo));
    const complete = attemptNo < task.attempt || isTerminalTask(task.status);
    const file = input.type === 'error' ? attempt.log_error : attempt.log_output;
    // Running tasks' logs and logs kept on a cluster need the engine (and its SSH connection).
    if (!complete || !file || !fs.existsSync(file)) throw new NeedsEngineError(`the log of task '${task.id}' is not a finished local file`);
    const res = await readLogFile(file, { tail: input.tail, offset: input.offset });
    return { run_id: run.id, task_id: task.id, attempt: attemptNo, type: input.type, content: res.content, offset: res.offset, next_offset: res.nextOffset, complete, missing: res.missing };
  }
}
