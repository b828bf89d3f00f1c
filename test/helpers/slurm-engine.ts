// An in-process engine on the real loopback Slurm (test/harness/slurm.ts), reached over the harness sshd the way a
// user's cluster is: a backend in a config file, the cluster's host key pinned in a known_hosts file, no
// ~/.ssh/config and no agent. Also the waiting the real-Slurm engine tests share.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunDetail } from '../../src-shared/api/schemas';
import { isTerminalRun } from '../../src-shared/model/status';
import { startEngine, type RunningEngine } from '../../src-main/engine/start';
import { makeShellBackendFactory } from '../../src-main/engine/ssh-wiring';
import { startSlurmCluster, type SlurmCluster } from '../harness/slurm';

export interface ClusterBackend {
  name: string;
  /** `pbs` drives the harness's PBS stand-in commands, which run on the same Slurm. */
  type: 'slurm' | 'pbs';
  poll_interval: number;
  max_concurrent?: number;
  /** Further keys of this backend, one YAML `key: value` line each (`cost: {…}`, `clone_dir: …`). */
  more?: string[];
}

/** The known_hosts line that pins the harness sshd's host key. */
export function knownHostsLine(cluster: SlurmCluster): string {
  return `[127.0.0.1]:${cluster.sshPort} ${cluster.hostPublicKey.trim()}\n`;
}

/** One `backends:` entry that reaches the harness cluster over its sshd with the harness's client key. */
export function clusterBackendYaml(cluster: SlurmCluster, b: ClusterBackend): string {
  return [
    `  - name: ${b.name}`,
    `    type: ${b.type}`,
    ...(b.max_concurrent === undefined ? [] : [`    max_concurrent: ${b.max_concurrent}`]),
    `    poll_interval: ${b.poll_interval}`,
    ...(b.more ?? []).map((line) => `    ${line}`),
    '    ssh:',
    '      host: 127.0.0.1',
    `      port: ${cluster.sshPort}`,
    `      user: ${cluster.user}`,
    `      key_path: ${cluster.clientKeyPath}`,
    '',
  ].join('\n');
}

export interface WaitOptions {
  timeoutMs?: number;
  wake?: string;
}

export interface SlurmEngine {
  cluster: SlurmCluster;
  /** Temp folder holding the config, the known_hosts file and the engine's data. */
  dir: string;
  e: RunningEngine;
  /** until() and untilRun() below, on this engine. */
  until<T>(what: string, get: () => Promise<T | null>, opts?: WaitOptions): Promise<T>;
  untilRun(runId: string, done: (r: RunDetail) => boolean, opts?: WaitOptions & { what?: string }): Promise<RunDetail>;
  /** `untilRun` until the run is completed, failed or cancelled. */
  untilFinished(runId: string, opts?: WaitOptions): Promise<RunDetail>;
  /** Closes the engine, stops the cluster (by pid) and removes the folder. */
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts the cluster and an engine on it. Call in beforeAll, after shouldSkipSlurm(). `prefix` names the temp folder
 * (under the OS temp folder unless absolute). `config` is the one backend, or writes what the test needs into the
 * folder and returns the whole config text (build its backends with clusterBackendYaml).
 */
export async function startSlurmEngine(prefix: string, config: ClusterBackend | ((dir: string, cluster: SlurmCluster) => string)): Promise<SlurmEngine> {
  const cluster = await startSlurmCluster();
  let dir = '';
  let e: RunningEngine;
  try {
    dir = fs.mkdtempSync(path.isAbsolute(prefix) ? prefix : path.join(os.tmpdir(), prefix));
    fs.writeFileSync(path.join(dir, 'known_hosts'), knownHostsLine(cluster));
    const configPath = path.join(dir, 'scripthut.yaml');
    fs.writeFileSync(configPath, typeof config === 'function' ? config(dir, cluster) : `backends:\n${clusterBackendYaml(cluster, config)}`);
    e = await startClusterEngine(path.join(dir, 'data'), configPath, path.join(dir, 'known_hosts'), dir);
  } catch (err) {
    // The caller gets no handle to close, so nothing may be left running.
    await cluster.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  return {
    cluster,
    dir,
    e,
    until: (what, get, opts) => until(e, what, get, opts),
    untilRun: (runId, done, opts) => untilRun(e, runId, done, opts),
    untilFinished: (runId, opts = {}) => untilRun(e, runId, (r) => isTerminalRun(r.status), opts),
    async close() {
      await e.close().catch(() => undefined);
      await cluster.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * An engine that reaches the cluster as a user with no ~/.ssh/config and no agent would: it trusts only the host keys
 * in `knownHostsPath` (null: none, so it must ask). `scratch` is a folder for the absent ~/.ssh/config's path.
 */
export function startClusterEngine(dataDir: string, configPath: string, knownHostsPath: string | null, scratch: string): Promise<RunningEngine> {
  return startEngine({
    dataDir,
    configPath,
    version: 'test',
    makeShellBackend: makeShellBackendFactory,
    sshOptions: { userKnownHostsPath: knownHostsPath, sshConfigPath: path.join(scratch, 'no-ssh-config'), agentSocket: null },
  });
}

/**
 * Ask `get` until it returns non-null; fail naming `what` after `timeoutMs`. With `wake` (a backend name), that
 * backend is woken before each retry, so the test need not wait out its poll interval.
 */
export async function until<T>(e: RunningEngine, what: string, get: () => Promise<T | null>, opts: WaitOptions = {}): Promise<T> {
  const end = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    const v = await get();
    if (v !== null) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    if (opts.wake) e.engine.wake(opts.wake);
    // A wake costs the cluster a poll over SSH: twice a second is enough.
    await sleep(opts.wake ? 500 : 300);
  }
}

/** `until` on the run's detail, failing with each task's status, job and error. */
export async function untilRun(e: RunningEngine, runId: string, done: (r: RunDetail) => boolean, opts: WaitOptions & { what?: string } = {}): Promise<RunDetail> {
  let last: RunDetail | null = null;
  try {
    return await until(e, opts.what ?? `run ${runId} to finish`, async () => {
      last = await e.api.invoke('runs.get', { id: runId });
      return done(last) ? last : null;
    }, opts);
  } catch (err) {
    const r = last as RunDetail | null;
    throw new Error(`${(err as Error).message}; run is ${r?.status ?? '?'}, tasks: ${JSON.stringify(r?.items.map((t) => [t.id, t.status, t.job_id, t.error]) ?? null)}`);
  }
}
