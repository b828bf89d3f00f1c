// GET /api/v1/runs/:run_id/tasks/:task_id/log/raw[?type=error&attempt=N]: a task's whole log as a download.
// The contract's tasks.log returns JSON strings, so a 700 MB log meant a 700 MB buffer, a string over V8's limit
// and a 500. Local logs are streamed from disk in constant memory; remote logs are read with the backend's
// bounded reads one after another, so memory stays at one chunk whatever the log's size.
import fs from 'node:fs';
import path from 'node:path';
import type http from 'node:http';
import { pipeline } from 'node:stream/promises';
import { ApiError } from '../../src-shared/api/contract';
import { noLogMessage } from '../../src-shared/model/no-log';
import { API_PREFIX } from '../../src-shared/api/routes';
import type { Backend, LogRead } from '../backends/types';
import { expandHome } from '../backends/local/spool';
import type { Store } from '../store/store';

export const RAW_LOG_ROUTE = /^\/runs\/([^/]+)\/tasks\/([^/]+)\/log\/raw$/;
export const RAW_LOG_PATH = `${API_PREFIX}/runs/:run_id/tasks/:task_id/log/raw`;

export interface RawLogSources {
  store: Pick<Store, 'getRun' | 'getTask' | 'getAttempt'>;
  backends: Map<string, Backend>;
}

export class RawLogTooLargeError extends Error {}

function filenameOf(runId: string, taskId: string, attempt: number, type: string): string {
  return `${runId}-${taskId}-${attempt}.${type === 'error' ? 'err' : 'out'}.log`.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** Answer the request; `apiPath` is the path after API_PREFIX, already known to match RAW_LOG_ROUTE. */
export async function serveRawLog(src: RawLogSources, apiPath: string, query: URLSearchParams, res: http.ServerResponse): Promise<void> {
  const m = RAW_LOG_ROUTE.exec(apiPath);
  if (!m) throw new ApiError('not_found', `No API route GET ${API_PREFIX}${apiPath}.`);
  const runId = decodeURIComponent(m[1] as string);
  const taskId = decodeURIComponent(m[2] as string);
  const type = query.get('type') ?? 'output';
  if (type !== 'output' && type !== 'error') throw new ApiError('bad_input', `type: expected 'output' or 'error', got '${type}'.`);
  if (!src.store.getRun(runId)) throw new ApiError('not_found', `No run with id '${runId}'.`);
  const task = src.store.getTask(runId, taskId);
  if (!task) throw new ApiError('not_found', `Run '${runId}' has no task '${taskId}'.`);
  const attemptText = query.get('attempt');
  const attemptNo = attemptText === null ? task.attempt : Number(attemptText);
  if (!Number.isInteger(attemptNo) || attemptNo < 0) throw new ApiError('bad_input', `attempt: expected a whole number, got '${attemptText}'.`);
  const attempt = src.store.getAttempt(runId, taskId, attemptNo);
  if (!attempt) throw new ApiError('bad_input', noLogMessage({ id: task.task_id, status: task.status, attempt: task.attempt, error: task.error }, attemptNo));
  const file = (type === 'error' ? attempt.log_error : attempt.log_output) ?? '';
  const backend = src.backends.get(attempt.backend_name);
  if (!backend) throw new ApiError('unavailable', `Backend '${attempt.backend_name}' is not configured any more; its logs cannot be read.`);
  const headers = {
    'content-type': 'text/plain; charset=utf-8',
    'content-disposition': `attachment; filename="${filenameOf(runId, taskId, attemptNo, type)}"`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  };

  if (backend.kind === 'local') {
    const full = path.resolve(expandHome(file));
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(full, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ApiError('not_found', `The log ${full} does not exist (yet).`);
      throw new ApiError('unavailable', `Cannot read the log ${full}: ${(e as Error).message}`);
    }
    const st = await handle.stat();
    res.writeHead(200, { ...headers, 'content-length': String(st.size) });
    // Only the bytes present now: a log still growing is cut at its size at request time.
    await pipeline(handle.createReadStream({ start: 0, end: Math.max(0, st.size - 1), autoClose: true }), res).catch(() => res.destroy());
    return;
  }

  // Remote logs go out chunk by chunk (each one a capped range read), so a 700 MB log never sits in memory.
  // The length is not announced: a chunk is text decoded and encoded again, not the file's raw bytes.
  const first = await backend.readLog(file, { offset: 0 });
  if (first.missing) throw new ApiError('not_found', `The log ${file} does not exist (yet).`);
  res.writeHead(200, headers);
  try {
    await streamRemoteLog(backend, file, first, (text) => writeChunk(res, text));
    res.end();
  } catch (err) {
    // Headers are gone already: the client sees a cut transfer, the log says why.
    console.warn(`[raw-log] ${backend.name} ${file}: ${(err as Error).message}`);
    res.destroy();
  }
}

/**
 * Hand out a remote log from `first` on, one bounded read at a time, up to the size it had when the download
 * started (a log still growing is cut there, like local ones).
 */
export async function streamRemoteLog(backend: Pick<Backend, 'readLog'>, file: string, first: LogRead, write: (text: string) => Promise<void>): Promise<number> {
  const end = first.size ?? first.nextOffset;
  let chunk = first;
  let reads = 1;
  for (;;) {
    if (chunk.content.length > 0) await write(chunk.content);
    if (chunk.nextOffset >= end || chunk.nextOffset <= chunk.offset) return reads;
    const at = chunk.nextOffset;
    chunk = await backend.readLog(file, { offset: at });
    reads += 1;
    // The file was truncated or replaced while being read: what was sent cannot be continued honestly.
    if (chunk.missing || chunk.offset !== at) throw new Error('the log was truncated or replaced during the download');
  }
}

function writeChunk(res: http.ServerResponse, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (res.destroyed) return reject(new Error('the client went away'));
    if (res.write(text)) return resolve();
    const onDrain = () => {
      res.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      res.off('drain', onDrain);
      reject(new Error('the client went away'));
    };
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}
