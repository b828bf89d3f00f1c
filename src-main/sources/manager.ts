// The sources of the config (git repositories and folders): their status, workflow discovery, syncing, and the
// exact workflow text + commit a run is made from. One sync at a time per source; a run always re-syncs first so
// it never starts from a stale workflow.
import fs from 'node:fs';
import path from 'node:path';
import type { GitSourceConfig, PathSourceConfig, SourceConfig } from '../../src-shared/config';
import { ApiError } from '../../src-shared/api/contract';
import { branchNameProblem } from './branch-name';
import { discoverWorkflows, matchWorkflowFiles, workflowName, type DiscoveredWorkflow } from './discover';
import { GitCache } from './git-cache';
import { listRemoteWorkflowFiles, readRemoteBytes, readRemoteTexts, type RemoteFiles } from './remote-path';

export interface SourceStatus {
  name: string;
  type: 'git' | 'path';
  description: string;
  url: string | null;
  branch: string | null;
  path: string | null;
  backend: string | null;
  workflows_glob: string;
  workflows: DiscoveredWorkflow[];
  last_commit: string | null;
  last_commit_date: string | null;
  synced_at: string | null;
  error: string | null;
  warnings: string[];
}

/** Everything a run from a source needs, read at one commit. */
export interface SourceWorkflow {
  source: string;
  type: 'git' | 'path';
  file: string;
  workflow_name: string;
  text: string;
  repo: string | null;
  branch: string | null;
  commit: string | null;
  /** Folder the source's files live in on the run's backend side (git: null until checked out). */
  root: string | null;
  /** The repository's own scripthut.yaml at that commit, if it has one. */
  overlay_text: string | null;
}

export interface SourceManagerOptions {
  sources: SourceConfig[];
  /** Where the app keeps its clones (settings.sources_cache_dir, else <data>/sources). */
  cacheDir: string;
  /** Backend kind by name: path sources can only be read where the app has the filesystem (local). */
  backendKind: (name: string) => string | null;
  /** File access of a non-local backend (SSH: one command to list, one to read), for path sources there. */
  backendFiles?: (name: string) => RemoteFiles | null;
  now?: () => string;
}

const OVERLAY_FILE = 'scripthut.yaml';

export class SourceManager {
  private readonly status = new Map<string, SourceStatus>();
  private readonly busy = new Map<string, Promise<unknown>>();
  private readonly now: () => string;

  constructor(private readonly o: SourceManagerOptions) {
    this.now = o.now ?? (() => new Date().toISOString());
    for (const s of o.sources) this.status.set(s.name, initialStatus(s));
  }

  list(): SourceStatus[] {
    return this.o.sources.map((s) => this.status.get(s.name)!);
  }

  get(name: string): SourceStatus {
    return this.status.get(this.config(name).name)!;
  }

  /** Sync one source (or all, concurrently). Failures are recorded on the source, not thrown. */
  async sync(name?: string): Promise<SourceStatus[]> {
    const targets = name === undefined ? this.o.sources : [this.config(name)];
    await Promise.all(targets.map((s) => this.serial(s.name, () => this.syncOne(s))));
    return targets.map((s) => this.status.get(s.name)!);
  }

  /**
   * The workflow `file` of a source, fresh: git sources are fetched first (the configured branch, or `branch`).
   * Throws ApiError: bad_input for a bad branch name or an unreachable remote, not_found for a missing workflow.
   */
  async workflow(name: string, file: string, branch?: string): Promise<SourceWorkflow> {
    const cfg = this.config(name);
    if (cfg.type === 'path') {
      if (branch !== undefined) throw new ApiError('bad_input', `--branch only applies to git sources; '${cfg.name}' is a path source.`);
      await this.serial(cfg.name, () => this.syncOne(cfg));
      const st = this.status.get(cfg.name)!;
      if (st.error) throw new ApiError('unavailable', `Source '${cfg.name}': ${st.error}`);
      const wf = findWorkflow(st.workflows, file, cfg.name);
      const root = cfg.path;
      const remote = this.remoteFiles(cfg);
      let text: string;
      let overlay: string | null;
      if (remote) {
        const [wfText, overlayText] = await readRemoteTexts(remote, root, [wf.file, OVERLAY_FILE]).catch((err: Error) => {
          throw new ApiError('unavailable', `Source '${cfg.name}': ${err.message}`);
        });
        if (wfText === null || wfText === undefined) throw new ApiError('not_found', `Source '${cfg.name}': ${wf.file} is no longer in ${root} on backend '${cfg.backend}'.`);
        text = wfText;
        overlay = overlayText ?? null;
      } else {
        const overlayPath = path.join(root, OVERLAY_FILE);
        text = fs.readFileSync(path.join(root, wf.file), 'utf8');
        overlay = fs.existsSync(overlayPath) ? fs.readFileSync(overlayPath, 'utf8') : null;
      }
      return {
        source: cfg.name,
        type: 'path',
        file: wf.file,
        workflow_name: wf.name,
        text,
        repo: null,
        branch: null,
        commit: null,
        root,
        overlay_text: overlay,
      };
    }
    const wanted = branch ?? cfg.branch;
    const problem = branchNameProblem(wanted);
    if (problem) throw new ApiError('bad_input', `Source '${cfg.name}': ${problem}.`);
    const cache = this.cache(cfg);
    let commit: string;
    if (wanted === cfg.branch) {
      await this.serial(cfg.name, () => this.syncOne(cfg));
      const st = this.status.get(cfg.name)!;
      if (st.error || !st.last_commit) throw new ApiError('bad_input', `Source '${cfg.name}' could not be synced, so no run was started: ${st.error ?? 'no commit'}`);
      commit = st.last_commit;
    } else {
      // A branch override is fetched into the same cache; the default branch's discovery stays as it was.
      commit = await this.serial(cfg.name, () => cache.fetch(wanted)).catch((err: Error) => {
        throw new ApiError('bad_input', `Source '${cfg.name}', branch '${wanted}': ${err.message}`);
      });
    }
    const discovered = await this.discoverGit(cfg, cache, commit);
    const wf = findWorkflow(discovered.workflows, file, cfg.name, wanted, discovered.warnings);
    return {
      source: cfg.name,
      type: 'git',
      file: wf.file,
      workflow_name: wf.name,
      text: (await cache.readFile(commit, wf.file)) ?? '',
      repo: cfg.url,
      branch: wanted,
      commit,
      root: null,
      overlay_text: await cache.readFile(commit, OVERLAY_FILE),
    };
  }

  /**
   * stacks feature: the repository's own scripthut.yaml at the source's current commit (fetched first for git),
   * with a reader for files named relative to the repository root (stack input_files). Null text = no file.
   */
  async repoConfig(name: string): Promise<{ text: string | null; label: string; readFile(rel: string): Promise<Buffer | null> }> {
    const cfg = this.config(name);
    await this.serial(cfg.name, () => this.syncOne(cfg));
    const st = this.status.get(cfg.name)!;
    if (st.error) throw new ApiError('unavailable', `Source '${cfg.name}': ${st.error}`);
    const label = `${cfg.name}: ${OVERLAY_FILE}`;
    const readFile = this.fileReader(cfg, cfg.type === 'path' ? cfg.path : (st.last_commit as string));
    return { text: (await readFile(OVERLAY_FILE))?.toString('utf8') ?? null, label, readFile };
  }

  /** stacks feature: a reader of files named relative to a workflow's repository, at the commit it was read at. */
  workflowFileReader(wf: SourceWorkflow): (rel: string) => Promise<Buffer | null> {
    const cfg = this.config(wf.source);
    return this.fileReader(cfg, cfg.type === 'path' ? (wf.root ?? cfg.path) : (wf.commit as string));
  }

  /** Bytes of a file relative to the repository root (a git commit, or a path source's folder); null = none. */
  private fileReader(cfg: SourceConfig, at: string): (rel: string) => Promise<Buffer | null> {
    if (cfg.type === 'path') {
      const remote = this.remoteFiles(cfg);
      if (remote) {
        // The folder is on an SSH backend: read the overlay and input files there, not on this machine.
        return async (rel) => (await readRemoteBytes(remote, at, [rel.replace(/^\.\//, '')]))[0] ?? null;
      }
      return async (rel) => {
        try {
          return fs.readFileSync(path.resolve(at, rel));
        } catch {
          return null;
        }
      };
    }
    const cache = this.cache(cfg);
    return (rel) => cache.readFileBytes(at, rel.replace(/^\.\//, '')).catch(() => null);
  }

  /** The backend that holds a path source's folder (name and kind), null for git sources. */
  folderBackend(name: string): { name: string; kind: string | null } | null {
    const cfg = this.config(name);
    return cfg.type === 'path' ? { name: cfg.backend, kind: this.o.backendKind(cfg.backend) } : null;
  }

  /** The app's bare clone of a git source (the run checkout is made from it). */
  cacheDirOf(name: string): string {
    return path.join(this.o.cacheDir, safeDirName(this.config(name).name));
  }

  config(name: string): SourceConfig {
    const cfg = this.o.sources.find((s) => s.name === name);
    if (!cfg) {
      const known = this.o.sources.map((s) => s.name);
      throw new ApiError('not_found', `No source named '${name}' is configured${known.length ? ` (configured: ${known.join(', ')})` : ' (the config has no sources: section)'}.`);
    }
    return cfg;
  }

  private cache(cfg: GitSourceConfig): GitCache {
    return new GitCache({ dir: this.cacheDirOf(cfg.name), url: cfg.url, deployKey: cfg.deploy_key, knownHostsFile: path.join(this.o.cacheDir, 'known_hosts') });
  }

  private async serial<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const before = this.busy.get(name) ?? Promise.resolve();
    const next = before.catch(() => undefined).then(fn);
    this.busy.set(name, next);
    try {
      return await next;
    } finally {
      if (this.busy.get(name) === next) this.busy.delete(name);
    }
  }

  private async syncOne(cfg: SourceConfig): Promise<void> {
    const prev = this.status.get(cfg.name)!;
    try {
      const next = cfg.type === 'git' ? await this.syncGit(cfg) : await this.syncPath(cfg);
      this.status.set(cfg.name, { ...prev, ...next, synced_at: this.now(), error: null });
    } catch (err) {
      // Keep the last good listing (offline browsing); say why it could not be refreshed.
      this.status.set(cfg.name, { ...prev, synced_at: this.now(), error: (err as Error).message });
    }
  }

  private async syncGit(cfg: GitSourceConfig): Promise<Partial<SourceStatus>> {
    const problem = branchNameProblem(cfg.branch);
    if (problem) throw new Error(`${problem} (sources: ${cfg.name}: branch)`);
    const cache = this.cache(cfg);
    const commit = await cache.fetch(cfg.branch);
    const { workflows, warnings } = await this.discoverGit(cfg, cache, commit);
    return { workflows, warnings, last_commit: commit, last_commit_date: await cache.commitDate(commit) };
  }

  private async discoverGit(cfg: GitSourceConfig, cache: GitCache, commit: string) {
    const files = matchWorkflowFiles(await cache.listFiles(commit), cfg.workflows_glob);
    const texts = await Promise.all(files.map(async (file) => ({ file, text: (await cache.readFile(commit, file)) ?? '' })));
    return discoverWorkflows(cfg.name, texts);
  }

  /** The backend's file access when the folder is on another machine (SSH), else null (read it here). */
  private remoteFiles(cfg: PathSourceConfig): RemoteFiles | null {
    return this.o.backendKind(cfg.backend) === 'local' ? null : (this.o.backendFiles?.(cfg.backend) ?? null);
  }

  private async syncPath(cfg: PathSourceConfig): Promise<Partial<SourceStatus>> {
    const kind = this.o.backendKind(cfg.backend);
    if (kind === null) throw new Error(`no backend named '${cfg.backend}' is configured (sources: ${cfg.name}: backend)`);
    if (kind !== 'local') {
      const remote = this.remoteFiles(cfg);
      if (!remote) throw new Error(`path sources need a backend whose files the app can read; '${cfg.backend}' is a ${kind} backend (use a git source, or a slurm/pbs/local backend)`);
      const files = await listRemoteWorkflowFiles(remote, cfg.path, cfg.workflows_glob, cfg.backend);
      const texts = await readRemoteTexts(remote, cfg.path, files);
      return { ...discoverWorkflows(cfg.name, files.map((file, i) => ({ file, text: texts[i] ?? '' }))) };
    }
    if (!fs.existsSync(cfg.path) || !fs.statSync(cfg.path).isDirectory()) throw new Error(`folder '${cfg.path}' does not exist on backend '${cfg.backend}'`);
    const files = matchWorkflowFiles(listFilesUnder(cfg.path), cfg.workflows_glob);
    return { ...discoverWorkflows(cfg.name, files.map((file) => ({ file, text: fs.readFileSync(path.join(cfg.path, file), 'utf8') }))) };
  }
}

function initialStatus(s: SourceConfig): SourceStatus {
  return {
    name: s.name,
    type: s.type,
    description: s.description,
    url: s.type === 'git' ? s.url : null,
    branch: s.type === 'git' ? s.branch : null,
    path: s.type === 'path' ? s.path : null,
    backend: s.type === 'path' ? s.backend : null,
    workflows_glob: s.workflows_glob,
    workflows: [],
    last_commit: null,
    last_commit_date: null,
    synced_at: null,
    error: null,
    warnings: [],
  };
}

/** A workflow by file path, file name or stem ("ci", "ci.json", ".hut/workflows/ci.json", "<source>/ci"). */
function findWorkflow(list: DiscoveredWorkflow[], wanted: string, source: string, branch?: string, warnings: string[] = []): DiscoveredWorkflow {
  const stem = (f: string) => f.slice(f.lastIndexOf('/') + 1).replace(/\.json$/i, '');
  const hit =
    list.find((w) => w.file === wanted) ??
    list.find((w) => w.name === wanted || w.name === `${source}/${wanted}`) ??
    list.find((w) => stem(w.file) === stem(wanted));
  if (hit) return hit;
  const broken = warnings.find((w) => w.startsWith(`${wanted}:`) || stem(w.slice(0, w.indexOf(':'))) === stem(wanted));
  if (broken) throw new ApiError('bad_input', `Source '${source}': ${broken}`);
  const at = branch ? ` on branch '${branch}'` : '';
  throw new ApiError('not_found', `Source '${source}' has no workflow '${wanted}'${at}. Workflows: ${list.map((w) => w.file).join(', ') || 'none'}.`);
}

function listFilesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      if (e.name === '.git') continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.isFile()) out.push(r);
    }
  };
  walk('');
  return out;
}

function safeDirName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}

export { workflowName };
