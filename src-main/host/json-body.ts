// Reading a JSON request body without letting a client crash or exhaust the engine: a size cap answered with
// 413 (not a reset connection), a nesting cap (zod and JSON.stringify recurse, so a 100 000-deep array would
// overflow the stack), and only a JSON object is an input.
import type { IncomingMessage } from 'node:http';
import { ApiError } from '../../src-shared/api/contract';

export const MAX_BODY_BYTES = 50 * 1024 * 1024;
export const MAX_JSON_DEPTH = 64;

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The request body is larger than ${limit / (1024 * 1024)} MB; send less (for example, a workflow file path instead of its content).`);
  }
}

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLargeError(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        req.pause();
        reject(new BodyTooLargeError(limit));
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

/** Deepest bracket nesting outside strings; one linear pass, no recursion. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++;
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x7b || ch === 0x5b) {
      depth++;
      if (depth > max) max = depth;
    } else if (ch === 0x7d || ch === 0x5d) depth--;
  }
  return max;
}

/** Parse a request body into a call input; an empty body is `{}`. */
export function parseJsonObject(text: string): Record<string, unknown> {
  if (!text.trim()) return {};
  const depth = jsonDepth(text);
  if (depth > MAX_JSON_DEPTH) throw new ApiError('bad_input', `The request body is nested ${depth} levels deep; at most ${MAX_JSON_DEPTH} are accepted.`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ApiError('bad_input', `The request body is not valid JSON: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ApiError('bad_input', `The request body must be a JSON object (got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}).`);
  }
  return value as Record<string, unknown>;
}
