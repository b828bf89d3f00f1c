// Composes an engine for a data folder: lock, store, config, backends, env layers. Used by the headless host,
// the CLI and the Electron shell alike.
import path from 'node:path';
import fs from 'node:fs';
import type { ScripthutConfig } from '../../src-shared/config';
import type { EnvRule } from '../../src-shared/workflow/types';
import { loadConfig } from '../config/load';
import { defaultConfigPath } from '../platform/paths';
import { makeConfigControl } from './config-control';
import { Store } from '../store/store';
import { buildBackends, type BackendFactoryContext } from './backend-factory';
import { Engine } from './engine';
import { makeEnvResolver, type EnvLayersConfig } from './env';
import { acquireDataDirLock } from './lock';
import type { EngineApi } from './dispatch';
import type { Timers } from '../scheduler/task-state';
import type { Backend } from '../backends/types';
import { PromptCenter } from './prompts';
import { ReadReplica } from './read-replica';
import { ownWritesStamp } from '../store/queries/status-counts';
import type { PassphraseStore } from '../secrets/passphrase-store';
import type { ShellWiring, SshOptionsOverride } from './ssh-wiring';

export type { ShellWiring } from './ssh-wiring';
import { scheduleBackups } from '../store/backup';
import { liveStackInits } from '../stacks/live-inits';
import { SourceManager } from '../sources/manager'; // sources feature
import { remoteFilesOf } from '../sources/remote-path';
import { costSettingsFrom } from '../pricing/settings';

export interface StartEngineOptions {
  dataDir: string;
  configPath?: string;
  version: string;
  /** Folder holding `demo/` (the bundled demo workflow). */
  resourcesDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Extra wiring for SSH backends (the SSH broker lives outside the engine core). */
  makeShellBackend?: (wiring: ShellWiring) => BackendFactoryContext['makeShellBackend'];
  sshOptions?: SshOptionsOverride;
  /** The OS keychain for SSH key passphrases (the desktop app passes one; headless has none). */
  passphrases?: PassphraseStore | null;
  /** Test hook: override the timers from the config. */
  timers?: Partial<Timers>;
  nativeBinding?: string;
}


export interface RunningEngine {
  api: EngineApi;
  engine: Engine;
  store: Store;
  backends: Map<string, Backend>;
  config: ScripthutConfig | null;
  close(): Promise<void>;
}

export const DEMO_WORKFLOW_FILE = path.join('demo', 'demo-workflow.json');

function envLayers(config: ScripthutConfig | null): EnvLayersConfig {
  const backends: EnvLayersConfig['backends'] = {};
  for (const b of config?.backends ?? []) {
    const withEnv = b as { env?: EnvRule[]; env_groups?: Record<string, EnvRule[]> };
    backends[b.name] = { env: withEnv.env ?? [], envGroups: withEnv.env_groups ?? {} };
  }
  const stacks: EnvLayersConfig['stacks'] = liveStackInits(config?.stacks ?? []); // stacks feature: + STACK_DIR, hashed per submission
  return { env: (config?.env ?? []) as EnvRule[], envGroups: (config?.env_groups ?? {}) as Record<string, EnvRule[]>, backends, stacks };
}

export async function startEngine(opts: StartEngineOptions): Promise<RunningEngine> {
  const lock = acquireDataDirLock(opts.dataDir);
  try {
    const loaded = loadConfig({ configPath: opts.configPath, env: opts.env });
    const config = loaded.ok ? loaded.config : null;
    for (const w of loaded.warnings ?? []) console.warn(`[config] ${w}`);
    const dbFile = path.join(opts.dataDir, 'scripthut.db');
    const store = new Store(dbFile, { nativeBinding: opts.nativeBinding, commandLogRetention: config?.settings.command_log_retention });
    const stopBackups = scheduleBackups(store.db, opts.dataDir);
    // A broken config must not stop the engine: the embedded default (local) keeps history and jobs alive
    // while the error is shown.
    const prompts = new PromptCenter();
    const counters = new Map<string, () => Record<string, number>>();
    const closers: Array<() => Promise<void>> = [];
    const wiring: ShellWiring = {
      dataDir: opts.dataDir,
      prompts,
      store,
      registerCounts: (b, c) => counters.set(b, c),
      settings: config?.settings ?? null,
      sshOptions: opts.sshOptions,
      passphrases: opts.passphrases ?? null,
      onClose: (fn) => closers.push(fn),
    };
    const factory: BackendFactoryContext = {
      dataDir: opts.dataDir,
      settings: config?.settings ?? null,
      makeShellBackend: opts.makeShellBackend?.(wiring),
      commandLog: (e) => store.appendCommand(e),
      registerCounts: wiring.registerCounts,
    };
    const backends = buildBackends(config, factory);
    const s = config?.settings;
    const timers: Timers = {
      noRecordMs: (s?.no_record_seconds ?? 300) * 1000,
      settlingTimeoutMs: (s?.settling_timeout_seconds ?? 600) * 1000,
      ...opts.timers,
    };
    const demo = opts.resourcesDir ? path.join(opts.resourcesDir, DEMO_WORKFLOW_FILE) : null;
    const engine = new Engine({
      store,
      backends,
      dataDir: opts.dataDir,
      version: opts.version,
      timers,
      config: { file: loaded.ok ? loaded.file : loaded.error.file, error: loaded.ok ? null : loaded.error, warnings: loaded.warningDetails ?? [] },
      env: makeEnvResolver(envLayers(config)),
      demoWorkflowPath: demo && fs.existsSync(demo) ? demo : null,
      prompts,
      commandCounts: (b) => counters.get(b)?.() ?? null,
      maxTasksPerRun: s?.max_tasks_per_run,
      filterUser: s?.filter_user ?? null,
      sources: sourcesWiring(config, backends, opts.dataDir), // sources feature
      cost: costSettingsFrom(config, opts.resourcesDir, opts.dataDir),
      stacks: config?.stacks ?? [], // stacks feature
      reads: new ReadReplica({ file: dbFile, nativeBinding: opts.nativeBinding, stamp: ownWritesStamp(store.db) }),
      configControl: makeConfigControl({ target: configTarget(opts, loaded), current: config, env: opts.env ?? process.env, factory, envLayers }),
    });
    engine.start();
    // Like the original: every source is synced at startup, in the background (failures show on the source).
    if (config?.sources.length) void engine.invoke('sources.sync', {}).catch(() => undefined); // sources feature
    let closed = false;
    return {
      api: engine,
      engine,
      store,
      backends,
      config,
      close: async () => {
        if (closed) return;
        closed = true;
        await engine.close();
        for (const fn of closers) await fn().catch(() => undefined);
        await stopBackups();
        store.close();
        lock.release();
      },
    };
  } catch (err) {
    lock.release();
    throw err;
  }
}

/** Where the settings editor saves: the file named or loaded, else the user config file (created on save). */
function configTarget(opts: StartEngineOptions, loaded: ReturnType<typeof loadConfig>): string {
  const env = opts.env ?? process.env;
  const named = opts.configPath ?? env.SCRIPTHUT_CONFIG;
  if (named) return path.resolve(named);
  const file = loaded.ok ? loaded.file : loaded.error.file;
  return file ?? defaultConfigPath(env);
}

/** sources feature: the app's clones live in settings.sources_cache_dir, else <data>/sources. */
function sourcesWiring(config: ScripthutConfig | null, backends: Map<string, Backend>, dataDir: string) {
  const manager = config
    ? new SourceManager({
        sources: config.sources,
        cacheDir: config.settings.sources_cache_dir ?? path.join(dataDir, 'sources'),
        backendKind: (name) => backends.get(name)?.kind ?? null,
        backendFiles: (name) => remoteFilesOf(backends.get(name)),
      })
    : null;
  const cloneDirOf = (name: string): string | null => {
    const cfg = config?.backends.find((b) => b.name === name) as { clone_dir?: string } | undefined;
    if (cfg) return cfg.clone_dir || null;
    // The implicit local backend (no backends configured) uses the schema's default.
    return backends.get(name)?.kind === 'local' ? '~/scripthut-repos' : null;
  };
  return { manager, cloneDirOf };
}
