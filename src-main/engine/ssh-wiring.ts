// Wires SSH-reached scheduler backends (Slurm, PBS) to ONE SSH broker per engine: one connection per cluster, shared by
// polling, submission, accounting and logs; every command logged and counted; logins, 2FA codes and unknown host
// keys asked through the contract's prompts.
import path from 'node:path';
import type { BackendConfig, ScripthutConfig } from '../../src-shared/config';
import { ShellBackend } from '../backends/shell/shell-backend';
import type { SchedulerDialect } from '../backends/shell/dialect';
import type { Backend, SubmitRequest, SubmitResult } from '../backends/types';
import type { BackendStatus } from '../model/connection-state';
import { LoggedRunner } from '../transport/runner';
import { SshBroker, isSshError, type SshBrokerOptions, type SshStatus } from '../transport/ssh';
import type { BackendFactoryContext } from './backend-factory';
import type { Store } from '../store/store';
import type { PromptCenter } from './prompts';
import type { PassphraseStore } from '../secrets/passphrase-store';

/** What the SSH wiring gets from the engine: where to ask the user, where to log commands. */
export interface ShellWiring {
  dataDir: string;
  prompts: PromptCenter;
  store: Store;
  /** Register a backend's command counters (scheduler RPCs) so the contract can report them. */
  registerCounts(backend: string, counts: () => Record<string, number>): void;
  settings: ScripthutConfig['settings'] | null;
  /** The OS keychain for key passphrases (desktop app only; headless has none). */
  passphrases?: PassphraseStore | null;
  /** Test hook: broker options (ssh config path, known_hosts, agent). */
  sshOptions?: SshOptionsOverride;
  /** Called when the engine closes (to close shared connections). */
  onClose(fn: () => Promise<void>): void;
}

type ShellConfig = Extract<BackendConfig, { type: 'slurm' | 'pbs' }>;

function mergeStatus(ssh: SshStatus, shell: BackendStatus): BackendStatus {
  if (ssh.state === 'backing_off') return { state: 'backing_off', detail: ssh.message, retryAt: ssh.retryAt ? new Date(ssh.retryAt).toISOString() : null };
  if (ssh.state === 'error' || ssh.state === 'connecting' || ssh.state === 'waiting_for_user') return { state: ssh.state, detail: ssh.message, retryAt: null };
  if (shell.state !== 'ready') return shell;
  return { state: ssh.state === 'connected' ? 'connected' : 'ready', detail: shell.detail, retryAt: null };
}

/**
 * A scheduler backend reached over SSH. Its status is the connection's state merged with the scheduler's, and a
 * submission cut off by the transport (dropped connection, timeout) is reported as transient: the engine then
 * keeps the intent and finds the job by its tag, instead of failing the run or submitting twice.
 */
class SshSchedulerBackend implements Backend {
  private listeners = new Set<(s: BackendStatus) => void>();
  private last: BackendStatus;
  constructor(
    private readonly shell: ShellBackend,
    private readonly sshStatus: () => SshStatus,
    subscribe: (fn: () => void) => void,
  ) {
    this.last = this.status();
    const changed = () => {
      const s = this.status();
      if (s.state === this.last.state && s.detail === this.last.detail) return;
      this.last = s;
      for (const l of this.listeners) l(s);
    };
    subscribe(changed);
    shell.onStatusChange(changed);
  }
  get name() {
    return this.shell.name;
  }
  get kind() {
    return this.shell.kind;
  }
  get maxConcurrent() {
    return this.shell.maxConcurrent;
  }
  get pollIntervalMs() {
    return this.shell.pollIntervalMs;
  }
  get capabilities() {
    return this.shell.capabilities;
  }
  status(): BackendStatus {
    return mergeStatus(this.sshStatus(), this.shell.status());
  }
  onStatusChange(listener: (s: BackendStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  defaultLogPaths(runId: string, taskId: string, attempt: number) {
    return this.shell.defaultLogPaths(runId, taskId, attempt);
  }
  outputDir(runId: string, taskId: string) {
    return this.shell.outputDir(runId, taskId);
  }
  buildScript(ctx: Parameters<Backend['buildScript']>[0]) {
    return this.shell.buildScript(ctx);
  }
  async submit(req: SubmitRequest): Promise<SubmitResult> {
    try {
      return await this.shell.submit(req);
    } catch (err) {
      const timedOut = /\(exit 124\)/.test(String((err as Error)?.message));
      if (isSshError(err) || timedOut) Object.assign(err as object, { transient: true });
      throw err;
    }
  }
  learnScriptPaths() {
    const s = this.status().state;
    return this.shell.learnScriptPaths(s === 'ready' || s === 'connected');
  }
  findByTags(tags: string[]) {
    return this.shell.findByTags(tags);
  }
  poll(ids: string[]) {
    return this.shell.poll(ids);
  }
  accounting(q: Parameters<Backend['accounting']>[0]) {
    return this.shell.accounting(q);
  }
  cancel(jobId: string) {
    return this.shell.cancel(jobId);
  }
  readLog(p: string, o: Parameters<Backend['readLog']>[1]) {
    return this.shell.readLog(p, o);
  }
  readFile(p: string) {
    return this.shell.readFile(p);
  }
  /** sources feature: per-run git checkouts. */
  runScript(script: string, opts?: { stdin?: string; timeoutMs?: number }) {
    return this.shell.runScript(script, opts);
  }
  clusterInfo() {
    return this.shell.clusterInfo();
  }
  /** outputs + path sources: one command to list a folder, one to read files. */
  listFiles(dir: string, opts: Parameters<NonNullable<Backend['listFiles']>>[1]) {
    return this.shell.listFiles(dir, opts);
  }
  readFiles(dir: string, paths: string[], maxBytes: number) {
    return this.shell.readFiles(dir, paths, maxBytes);
  }
  /** A deleted run's log and output folders, in one command. */
  removeRunFiles(runId: string) {
    return this.shell.removeRunFiles(runId);
  }
  close() {
    return this.shell.close();
  }
}

export function makeShellBackendFactory(w: ShellWiring): BackendFactoryContext['makeShellBackend'] {
  let broker: SshBroker | null = null;
  const watchers = new Map<string, Set<() => void>>();
  const getBroker = (): SshBroker =>
    (broker ??= new SshBroker({
      appKnownHostsPath: path.join(w.dataDir, 'known_hosts'),
      onPrompt: async (req) => {
        const reply = await w.prompts.askFull({
          backend: req.cluster,
          kind: req.prompts.length === 1 && /passphrase/i.test(req.prompts[0]?.prompt ?? '') ? 'passphrase' : 'keyboard-interactive',
          title: req.title || `Log in to ${req.cluster}`,
          instructions: req.instructions,
          prompts: req.prompts,
          fingerprint: null,
          host: null,
          can_remember: !!req.canRemember,
        });
        return reply.answers === null ? null : { answers: reply.answers, remember: reply.remember };
      },
      passphrases: w.passphrases ?? null,
      onUnknownHostKey: async (req) => {
        const answer = await w.prompts.ask({
          backend: req.cluster,
          kind: 'host-key',
          title: `First connection to ${req.host}:${req.port}`,
          instructions:
            `The ${req.keyType} host key of ${req.host}:${req.port} is not known yet.\nFingerprint: ${req.fingerprint}\n` +
            'Accept it only if it matches the fingerprint your cluster publishes. It will be remembered; a different key later is refused.',
          prompts: [],
          fingerprint: req.fingerprint,
          host: `${req.host}:${req.port}`,
        });
        return answer !== null && (answer[0] ?? 'yes').toLowerCase() !== 'no';
      },
      onStatus: (cluster) => {
        for (const fn of watchers.get(cluster) ?? []) fn();
      },
      ...w.sshOptions,
    }));
  w.onClose(async () => {
    await broker?.close();
  });
  return (cfg: ShellConfig, dialect: SchedulerDialect): Backend => {
    const b = getBroker();
    const ssh = cfg.ssh;
    const runner = new LoggedRunner(
      b.runner(cfg.name, { host: ssh.host, user: ssh.user ?? undefined, port: ssh.port ?? undefined, keyPath: ssh.key_path ?? undefined, certPath: ssh.cert_path ?? undefined, proxyJump: ssh.proxy_jump ?? undefined, knownHostsPath: ssh.known_hosts ?? undefined }),
      cfg.name,
      (e) => w.store.appendCommand(e),
    );
    w.registerCounts(cfg.name, () => runner.commandCounts());
    const pollSeconds = cfg.poll_interval ?? w.settings?.poll_interval ?? 60;
    const shell = new ShellBackend(cfg.name, dialect, runner, {
      maxConcurrent: cfg.max_concurrent,
      pollIntervalMs: pollSeconds * 1000,
      account: cfg.account ?? null,
      partitionMap: cfg.type === 'slurm' ? (cfg.partition_map ?? {}) : {},
      defaultPartition: cfg.type === 'slurm' ? (cfg.default_partition ?? null) : null,
      queue: cfg.type === 'pbs' ? (cfg.queue ?? null) : null,
      loginShell: cfg.login_shell,
      closeRunner: false,
    });
    return new SshSchedulerBackend(shell, () => b.status(cfg.name), (fn) => {
      let set = watchers.get(cfg.name);
      if (!set) watchers.set(cfg.name, (set = new Set()));
      set.add(fn);
    });
  };
}

export type SshOptionsOverride = Partial<Omit<SshBrokerOptions, 'onPrompt' | 'onUnknownHostKey' | 'onStatus' | 'passphrases'>>;
