// Builds the Backend objects from the configuration. With no backends configured (the embedded default), the
// engine gets one local backend named `local`.
import os from 'node:os';
import type { BackendConfig, ScripthutConfig } from '../../src-shared/config';
import { createAwsBackend } from '../backends/aws';
import { LocalBackend } from '../backends/local';
import type { Backend } from '../backends/types';
import type { CommandLogSink } from '../transport/runner';
import { UnavailableBackend } from '../backends/unavailable';

export interface BackendFactoryContext {
  dataDir: string;
  settings: ScripthutConfig['settings'] | null;
  /** Builds SSH-reached scheduler backends (slurm, pbs); absent → they are reported unavailable. */
  makeShellBackend?: (cfg: Extract<BackendConfig, { type: 'slurm' | 'pbs' }>) => Backend;
  /** Where AWS backends log each call (the store's command log) and register their call counters. */
  commandLog?: CommandLogSink;
  registerCounts?: (backend: string, counts: () => Record<string, number>) => void;
}

export function defaultLocalBackend(ctx: BackendFactoryContext): Backend {
  return new LocalBackend({ name: 'local', dataDir: ctx.dataDir, maxConcurrent: Math.max(1, os.cpus().length), pollIntervalMs: ctx.settings?.local_poll_interval_ms ?? 1000 });
}

export function buildBackends(config: ScripthutConfig | null, ctx: BackendFactoryContext): Map<string, Backend> {
  const out = new Map<string, Backend>();
  const list = config?.backends ?? [];
  for (const cfg of list) {
    out.set(cfg.name, buildOne(cfg, ctx));
  }
  if (list.length === 0 && process.platform !== 'win32') out.set('local', defaultLocalBackend(ctx));
  return out;
}

function buildOne(cfg: BackendConfig, ctx: BackendFactoryContext): Backend {
  switch (cfg.type) {
    case 'local':
      if (process.platform === 'win32') return new UnavailableBackend(cfg.name, 'local', 'The local backend needs a POSIX system (Linux or macOS).');
      return new LocalBackend({ name: cfg.name, dataDir: ctx.dataDir, maxConcurrent: cfg.max_concurrent, pollIntervalMs: ctx.settings?.local_poll_interval_ms ?? 1000, loginShell: cfg.login_shell });
    case 'slurm':
    case 'pbs':
      if (ctx.makeShellBackend) return ctx.makeShellBackend(cfg);
      return new UnavailableBackend(cfg.name, cfg.type, `${cfg.type} backends are not available in this build.`, cfg.max_concurrent);
    case 'batch':
    case 'ec2':
    case 'ecs':
      return createAwsBackend(cfg, ctx);
  }
}
