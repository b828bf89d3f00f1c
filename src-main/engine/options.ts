// What the engine is built from; kept apart from engine.ts so the parts can name it without importing the facade.
import type { Health } from '../../src-shared/api/schemas';
import type { Backend } from '../backends/types';
import type { Timers } from '../scheduler/task-state';
import type { Store } from '../store/store';
import type { EnvResolver } from './env';
import type { PromptCenter } from './prompts';
import type { LogSink } from './state-log';
import type { SourceManager } from '../sources/manager';
import type { CostSettings } from '../pricing/settings';
import type { StackConfig } from '../../src-shared/config';
import type { ConfigControl } from './config-control';
import type { ReadReplica } from './read-replica';

export interface EngineConfigInfo {
  file: string | null;
  error: Health['config_error'];
  warnings?: Health['config_warnings'];
}

export interface EngineOptions {
  store: Store;
  backends: Map<string, Backend>;
  dataDir: string;
  version: string;
  timers: Timers;
  config: EngineConfigInfo;
  env: EnvResolver;
  /** Path of the bundled demo workflow, when available. */
  demoWorkflowPath: string | null;
  prompts: PromptCenter;
  /** In-memory command counters of a backend's runner (scheduler RPCs etc.), when it has one. */
  commandCounts?: (backend: string) => Record<string, number> | null;
  /** Where the engine's failure lines go (default: stderr); repetitions of one state are not logged. */
  log?: LogSink;
  /** Largest run accepted (settings.max_tasks_per_run; default 100,000). */
  maxTasksPerRun?: number;
  /** settings.filter_user: the queue's external jobs are listed for this user only (null = every user). */
  filterUser?: string | null;
  /** Configured sources and each backend's clone_dir (git/path sources). */
  sources?: { manager: SourceManager | null; cloneDirOf(backend: string): string | null };
  /** Rates, cloud pricing and the price snapshot; absent = nothing is costed. */
  cost?: CostSettings;
  /** How many submissions run at once per backend (default: the backend's capabilities.submitConcurrency). */
  submitConcurrency?: number;
  now?: () => string;
  /** stacks feature: the app's own stack definitions (scripthut.yaml `stacks:`, input_files already absolute). */
  stacks?: StackConfig[];
  /** Reading, saving and applying the config file (config.get / config.save); absent = not editable. */
  configControl?: ConfigControl;
  /** Serves the polled reads off the engine's thread for adapters that want JSON (the HTTP host); absent = in-thread. */
  reads?: ReadReplica;
}
