// Logs of AWS tasks live in the cloud (CloudWatch, or a file on the instance read via SSM). The backend mirrors
// them into the data folder at the task's log path: while the task runs each read refreshes the mirror, and when
// the task ends the whole log is written once more and marked final, so it stays readable offline and the
// offset/tail semantics are exactly those of the local log reader.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readLogFile } from '../local/log-reader';
import type { LogRead, LogReadOptions } from '../types';

export interface LogBinding {
  jobId: string;
  /** Which stream of the job this file mirrors. */
  stream: 'output' | 'error';
}

const bindingFile = (file: string) => `${file}.aws.json`;
const finalFile = (file: string) => `${file}.final`;

export const MERGED_STDERR_NOTE = 'On AWS the task\'s standard error is merged into its output log (see the Output tab).\n';

async function writeAtomic(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

export async function bindLog(file: string, binding: LogBinding): Promise<void> {
  await writeAtomic(bindingFile(file), JSON.stringify(binding) + '\n');
  if (binding.stream === 'error') await writeAtomic(file, MERGED_STDERR_NOTE);
}

export async function readBinding(file: string): Promise<LogBinding | null> {
  try {
    return JSON.parse(await readFile(bindingFile(file), 'utf8')) as LogBinding;
  } catch {
    return null;
  }
}

export async function isFinal(file: string): Promise<boolean> {
  try {
    await readFile(finalFile(file));
    return true;
  } catch {
    return false;
  }
}

export async function writeMirror(file: string, content: string, final: boolean): Promise<void> {
  await writeAtomic(file, content);
  if (final) await writeAtomic(finalFile(file), new Date().toISOString() + '\n');
}

/**
 * Read a mirrored log. `fetch` returns the whole cloud log of a job (null = no log yet); it is only called while
 * the mirror is not final.
 */
export async function readMirrored(file: string, opts: LogReadOptions, fetch: (jobId: string) => Promise<string | null>): Promise<LogRead> {
  if (await isFinal(file)) return readLogFile(file, opts);
  const binding = await readBinding(file);
  if (binding && binding.stream === 'output') {
    const text = await fetch(binding.jobId);
    if (text !== null) await writeMirror(file, text, false);
  }
  return readLogFile(file, opts);
}

/** jobId -> output log path, kept in the data folder so a restarted engine can still archive the log at the end. */
export class LogIndex {
  constructor(private readonly dir: string) {}

  /** Before the AWS call: where this tag's logs go, so a job found by tag after a crash gets its logs too. */
  async prepare(tag: string, logs: { output: string; error: string }): Promise<void> {
    await writeAtomic(path.join(this.dir, 'by-tag', `${tag.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`), JSON.stringify(logs));
  }

  /** The job exists: bind its log files to it. */
  async bind(jobId: string, logs: { output: string; error: string }): Promise<void> {
    await Promise.all([bindLog(logs.output, { jobId, stream: 'output' }), bindLog(logs.error, { jobId, stream: 'error' }), this.set(jobId, logs.output)]);
  }

  /** A job found by its tag (after a crash mid-submission): bind the log files prepared for that tag. */
  async bindFromTag(tag: string, jobId: string): Promise<void> {
    if (await this.get(jobId)) return;
    try {
      const logs = JSON.parse(await readFile(path.join(this.dir, 'by-tag', `${tag.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`), 'utf8')) as { output: string; error: string };
      await this.bind(jobId, logs);
    } catch {
      /* submitted by an older version or the file is gone: the log stays readable only while the job runs */
    }
  }
  private file(jobId: string): string {
    return path.join(this.dir, `${jobId.replace(/[^A-Za-z0-9_.-]/g, '_')}.path`);
  }
  async set(jobId: string, outputFile: string): Promise<void> {
    await writeAtomic(this.file(jobId), outputFile);
  }
  async get(jobId: string): Promise<string | null> {
    try {
      return (await readFile(this.file(jobId), 'utf8')).trim() || null;
    } catch {
      return null;
    }
  }
}
