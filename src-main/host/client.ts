// HTTP client of the contract, for the CLI and tests. Routes come from the contract (src-shared/api/routes).
import fs from 'node:fs';
import { ApiError, ApiErrorSchema, type CallName, type CallOutput } from '../../src-shared/api/contract';
import { buildHttpRequest } from '../../src-shared/api/routes';
import type { EngineApi } from '../engine/dispatch';
import { engineFilePath, type EngineFile } from './server';

export class EngineNotRunningError extends Error {}

export class HttpEngineClient implements Pick<EngineApi, 'invoke'> {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async invoke<N extends CallName>(name: N, input: unknown = {}): Promise<CallOutput<N>> {
    const req = buildHttpRequest(name, (input ?? {}) as Record<string, unknown>);
    let res: Response;
    try {
      res = await fetch(this.baseUrl + req.url, {
        method: req.method,
        headers: { authorization: `Bearer ${this.token}`, ...(req.body ? { 'content-type': 'application/json' } : {}) },
        body: req.body ? JSON.stringify(req.body) : undefined,
      });
    } catch (err) {
      throw new EngineNotRunningError(`Could not reach the engine at ${this.baseUrl}: ${(err as Error).message}. Is it running? Start it with \`scripthut serve\`.`);
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ApiError('internal', `The engine answered ${res.status} with non-JSON: ${text.slice(0, 200)}`);
    }
    if (!res.ok) {
      const e = ApiErrorSchema.safeParse(body);
      if (e.success) throw new ApiError(e.data.code, e.data.message, e.data.details);
      throw new ApiError('internal', `The engine answered ${res.status}: ${text.slice(0, 200)}`);
    }
    return body as CallOutput<N>;
  }
}

/** Attach to the engine that owns a data folder, via its engine.json. */
export function clientForDataDir(dataDir: string): HttpEngineClient {
  const file = engineFilePath(dataDir);
  let info: EngineFile;
  try {
    info = JSON.parse(fs.readFileSync(file, 'utf8')) as EngineFile;
  } catch {
    throw new EngineNotRunningError(`No engine is running for the data folder ${dataDir} (no ${file}). Start one with \`scripthut serve\` (or open the desktop app).`);
  }
  try {
    process.kill(info.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') {
      throw new EngineNotRunningError(`The engine recorded in ${file} (pid ${info.pid}) is not running any more. Start one with \`scripthut serve\`.`);
    }
  }
  return new HttpEngineClient(`http://127.0.0.1:${info.port}`, info.token);
}
