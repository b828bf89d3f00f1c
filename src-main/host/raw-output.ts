// GET /api/v1/runs/:run_id/tasks/:task_id/outputs/raw?path=REL: one task output's bytes with its own content type,
// for downloads and the browser UI (the contract's outputs.file carries the same bytes as base64 for Electron).
// Same bearer token as the API; the path is checked by the collector (no `..`, no absolute paths, no NUL).
import type http from 'node:http';
import { ApiError } from '../../src-shared/api/contract';
import { API_PREFIX } from '../../src-shared/api/routes';
import type { OutputBytes } from '../outputs/collector';

export const RAW_OUTPUT_ROUTE = /^\/runs\/([^/]+)\/tasks\/([^/]+)\/outputs\/raw$/;
export const RAW_OUTPUT_PATH = `${API_PREFIX}/runs/:run_id/tasks/:task_id/outputs/raw`;

export interface RawOutputSource {
  read(runId: string, taskId: string, path: string): Promise<OutputBytes>;
}

function downloadName(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base.replace(/[^A-Za-z0-9._-]/g, '_') || 'output';
}

export async function serveRawOutput(src: RawOutputSource, apiPath: string, query: URLSearchParams, res: http.ServerResponse): Promise<void> {
  const m = RAW_OUTPUT_ROUTE.exec(apiPath);
  if (!m) throw new ApiError('not_found', `No API route GET ${API_PREFIX}${apiPath}.`);
  const rel = query.get('path');
  if (rel === null) throw new ApiError('bad_input', 'path: give the file as ?path=<path inside the task\'s output folder>.');
  const f = await src.read(decodeURIComponent(m[1] as string), decodeURIComponent(m[2] as string), rel);
  res.writeHead(200, {
    'content-type': f.mime,
    'content-length': String(f.bytes.length),
    // Task outputs are untrusted: never rendered as a page of this origin (SVG scripts, HTML), only downloaded.
    'content-disposition': `attachment; filename="${downloadName(f.path)}"`,
    'content-security-policy': "default-src 'none'; sandbox",
    'x-content-type-options': 'nosniff',
    'cache-control': 'private, max-age=60',
  });
  res.end(f.bytes);
}
