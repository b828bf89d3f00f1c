// The engine process's log: pino writing JSON lines to a size-rotating file in the platform's log folder.
// Engine code keeps using console.*; installConsoleSink copies every console line into the log, so errors are
// kept even where nobody sees the console (a packaged app on macOS or Windows).
import path from 'node:path';
import { format } from 'node:util';
import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import { RotatingFile, type RotatingFileOptions } from './rotating-file';

export interface FileLogger {
  logger: Logger;
  file: string;
  close(): void;
}

// Loaded on first use: only engine processes log to a file, and every other CLI command should start fast.
const lazyRequire = createRequire(import.meta.url);
const loadPino = () => lazyRequire('pino') as typeof import('pino').default;

export function createFileLogger(dir: string, opts: RotatingFileOptions & { name?: string; level?: string } = {}): FileLogger {
  const sink = new RotatingFile(path.join(dir, 'scripthut.log'), opts);
  const logger = loadPino()({ name: opts.name ?? 'scripthut', level: opts.level ?? 'info', base: { pid: process.pid } }, sink);
  return { logger, file: sink.file, close: () => sink.close() };
}

const LEVEL_OF = { error: 'error', warn: 'warn', info: 'info', log: 'info', debug: 'debug' } as const;

/** Makes `logger` receive every console.error/warn/info/log/debug line (the console still prints it). */
export function installConsoleSink(logger: Logger): () => void {
  const originals = new Map<keyof typeof LEVEL_OF, (...args: unknown[]) => void>();
  for (const method of Object.keys(LEVEL_OF) as (keyof typeof LEVEL_OF)[]) {
    const original = console[method].bind(console);
    originals.set(method, original);
    console[method] = (...args: unknown[]) => {
      original(...args);
      try {
        logger[LEVEL_OF[method]](format(...args));
      } catch {
        // A full disk must not take the engine down with it.
      }
    };
  }
  return () => {
    for (const [method, original] of originals) console[method] = original;
  };
}

/** Logs what would otherwise only reach stderr before the process dies. */
export function logProcessFailures(logger: Logger): void {
  // The monitor only observes: Node's own crash behaviour (also for unhandled rejections) stays as it is.
  process.on('uncaughtExceptionMonitor', (err, origin) => logger.fatal({ err, origin }, 'uncaught exception'));
}
