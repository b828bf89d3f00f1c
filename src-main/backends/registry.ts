// Which backend a config `type` builds. Adding a scheduler = its dialect file, its fixtures and ONE line in
// SCHEDULER_DIALECTS; adding a cloud backend = one line in BACKEND_FACTORIES.
import os from 'node:os';
import type { BackendConfig, ScripthutConfig, SshBackendConfig } from '../../src-shared/config';
import { pbsDialect, pbsProDialect } from './dialects/pbs';
import { slurmDialect } from './dialects/slurm';
import { createAwsBackend } from './aws';
import { LocalBackend } from './local';
import type { CommandLogSink } from '../transport/runner';
import type { SchedulerDialect } from './shell/dialect';
import type { Backend } from './types';
import { UnavailableBackend } from './unavailable';

export interface BackendFactoryContext {
  dataDir: string;
  settings: ScripthutConfig['settings'] | null;
  /** Builds a scheduler backend reached over SSH with this dialect; absent → such backends are reported unavailable. */
  makeShellBackend?: (cfg: SshBackendConfig, dialect: SchedulerDialect) => Backend;
  /** Where AWS backends log each call (the store's command log) and register their call counters. */
  commandLog?: CommandLogSink;
  registerCounts?: (backend: string, counts: () => Record<string, number>) => void;
}

type Factory<T extends BackendConfig['type']> = (cfg: Extract<BackendConfig, { type: T }>, ctx: BackendFactoryContext) => Backend;

/** Config type → the dialect its shell backend speaks. */
export const SCHEDULER_DIALECTS: { [T in SshBackendConfig['type']]: (cfg: Extract<SshBackendConfig, { type: T }>) => SchedulerDialect } = {
  slurm: () => slurmDialect,
  pbs: (cfg) => (cfg.flavor === 'pro' ? pbsProDialect : pbsDialect),
};

function dialectFor(cfg: SshBackendConfig): SchedulerDialect {
  return (SCHEDULER_DIALECTS[cfg.type] as (c: SshBackendConfig) => SchedulerDialect)(cfg);
}

const scheduler = (cfg: SshBackendConfig, ctx: BackendFactoryContext): Backend => {
  if (ctx.makeShellBackend) return ctx.makeShellBackend(cfg, dialectFor(cfg));
  return new UnavailableBackend(cfg.name, cfg.type, `${cfg.type} backends are not available in this build.`, cfg.max_concurrent);
};

const aws = (cfg: Extract<BackendConfig, { type: 'batch' | 'ec2' | 'ecs' }>, ctx: BackendFactoryContext): Backend => createAwsBackend(cfg, ctx);

const local: Factory<'local'> = (cfg, ctx) => {
  if (process.platform === 'win32') return new UnavailableBackend(cfg.name, 'local', 'The local backend needs a POSIX system (Linux or macOS).');
  return new LocalBackend({ name: cfg.name, dataDir: ctx.dataDir, maxConcurrent: cfg.max_concurrent, pollIntervalMs: ctx.settings?.local_poll_interval_ms ?? 1000, loginShell: cfg.login_shell });
};

export const BACKEND_FACTORIES: { [T in BackendConfig['type']]: Factory<T> } = {
  local,
  slurm: scheduler,
  pbs: scheduler,
  batch: aws,
  ec2: aws,
  ecs: aws,
};

export function buildBackend(cfg: BackendConfig, ctx: BackendFactoryContext): Backend {
  return (BACKEND_FACTORIES[cfg.type] as Factory<BackendConfig['type']>)(cfg, ctx);
}

export function defaultLocalBackend(ctx: BackendFactoryContext): Backend {
  return new LocalBackend({ name: 'local', dataDir: ctx.dataDir, maxConcurrent: Math.max(1, os.cpus().length), pollIntervalMs: ctx.settings?.local_poll_interval_ms ?? 1000 });
}
