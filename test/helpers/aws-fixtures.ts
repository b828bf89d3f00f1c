// Shared pieces of the AWS backend tests: recorded responses, a task, SDK errors shaped like the real ones.
import fs from 'node:fs';
import path from 'node:path';
import type { TaskDefinition } from '../../src-shared/workflow/types';

export function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'aws', name), 'utf8')) as T;
}

export function awsTask(over: Partial<TaskDefinition> = {}): TaskDefinition {
  return { id: 't1', name: 'T1', command: 'echo hi', working_dir: '~', partition: null, cpus: 2, memory: '4G', time_limit: '1:00:00', deps: [], gres: null, image: 'python:3.12', env: [], generates_source: null, output_file: null, error_file: null, retries: 0, ...over };
}

/** An error as the SDK throws it for a service fault (name + $metadata). */
export function awsError(name: string, message: string, httpStatusCode = 400): Error {
  const e = new Error(message) as Error & { $metadata: { httpStatusCode: number }; $fault: string };
  e.name = name;
  e.$metadata = { httpStatusCode };
  e.$fault = 'client';
  return e;
}
