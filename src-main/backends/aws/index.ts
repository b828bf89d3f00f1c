// Builds the AWS backend (Batch, EC2, ECS) for one configured backend.
import type { BackendConfig } from '../../../src-shared/config';
import type { CommandLogSink } from '../../transport/runner';
import type { Backend } from '../types';
import { BatchBackend } from './batch-backend';
import { Ec2Backend } from './ec2-backend';
import { EcsBackend } from './ecs-backend';

export type AwsBackendConfig = Extract<BackendConfig, { type: 'batch' | 'ec2' | 'ecs' }>;

export interface AwsFactoryContext {
  dataDir: string;
  settings?: { poll_interval?: number | null } | null;
  /** The store's command log: every AWS call is recorded there (kind 'aws'). */
  commandLog?: CommandLogSink;
  /** Registers the backend's call counters so the contract can report them. */
  registerCounts?: (backend: string, counts: () => Record<string, number>) => void;
}

export function createAwsBackend(cfg: AwsBackendConfig, ctx: AwsFactoryContext): Backend {
  const deps = { dataDir: ctx.dataDir, commandLog: ctx.commandLog, pollSeconds: ctx.settings?.poll_interval ?? undefined };
  let backend: BatchBackend | Ec2Backend | EcsBackend;
  switch (cfg.type) {
    case 'batch':
      backend = new BatchBackend(cfg, deps);
      break;
    case 'ec2':
      backend = new Ec2Backend(cfg, deps);
      break;
    case 'ecs':
      backend = new EcsBackend(cfg, deps);
      break;
  }
  ctx.registerCounts?.(cfg.name, () => backend.calls.commandCounts());
  return backend;
}
