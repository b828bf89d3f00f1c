// The app's own copy of a git source: a bare repository under the data folder, so workflows can be listed and
// dry-run offline and any branch can be read without a checkout. Every fetched branch is kept as a local ref.
import fs from 'node:fs';
import path from 'node:path';
import { git, gitBytes, GitError, type GitOptions } from './git';

export interface GitCacheOptions {
  dir: string;
  url: string;
  deployKey: string | null;
  knownHostsFile: string;
}

export class GitCache {
  constructor(private readonly o: GitCacheOptions) {}

  private opts(cwd = this.o.dir): GitOptions {
    return { cwd, deployKey: this.o.deployKey, knownHostsFile: this.o.knownHostsFile };
  }

  exists(): boolean {
    return fs.existsSync(path.join(this.o.dir, 'HEAD'));
  }

  /**
   * Fetch `branch` from the remote into refs/heads/<branch>; returns the full commit. The first fetch builds the
   * repository in a temporary folder and only renames it into place when it worked, so an unreachable remote or
   * a missing branch leaves nothing half-created.
   */
  async fetch(branch: string): Promise<string> {
    const ref = `refs/heads/${branch}`;
    if (!this.exists()) {
      fs.mkdirSync(path.dirname(this.o.dir), { recursive: true });
      const tmp = fs.mkdtempSync(`${this.o.dir}.tmp-`);
      try {
        await git(['init', '--bare', '-q', tmp], this.opts(path.dirname(this.o.dir)));
        await git(['remote', 'add', 'origin', this.o.url], this.opts(tmp));
        await this.fetchInto(tmp, ref);
        fs.renameSync(tmp, this.o.dir);
      } catch (err) {
        fs.rmSync(tmp, { recursive: true, force: true });
        throw err;
      }
    } else {
      // The configured URL may have changed since the last sync.
      await git(['remote', 'set-url', 'origin', this.o.url], this.opts());
      await this.fetchInto(this.o.dir, ref);
    }
    return (await git(['rev-parse', '--verify', `${ref}^{commit}`], this.opts())).trim();
  }

  private async fetchInto(dir: string, ref: string): Promise<void> {
    try {
      await git(['fetch', '-q', '--no-tags', 'origin', `+${ref}:${ref}`], this.opts(dir));
    } catch (err) {
      if (err instanceof GitError && /couldn't find remote ref/i.test(err.message)) {
        throw new GitError(`branch '${ref.slice('refs/heads/'.length)}' does not exist on ${this.o.url}`, err.stderr);
      }
      if (err instanceof GitError) throw new GitError(`cannot fetch from ${this.o.url}: ${err.message}`, err.stderr);
      throw err;
    }
  }

  /** The commit a branch had at its last successful fetch (offline), or null. */
  async localCommit(branch: string): Promise<string | null> {
    if (!this.exists()) return null;
    try {
      return (await git(['rev-parse', '--verify', '-q', `refs/heads/${branch}^{commit}`], this.opts())).trim() || null;
    } catch {
      return null;
    }
  }

  async commitDate(commit: string): Promise<string> {
    return (await git(['log', '-1', '--format=%aI', commit], this.opts())).trim();
  }

  async listFiles(commit: string): Promise<string[]> {
    const out = await git(['ls-tree', '-r', '--name-only', '-z', commit], this.opts());
    return out.split('\0').filter(Boolean);
  }

  /** A file's text at a commit, or null when the commit has no such file. */
  async readFile(commit: string, file: string): Promise<string | null> {
    return (await this.readFileBytes(commit, file))?.toString('utf8') ?? null;
  }

  /** A file's bytes at a commit, or null when the commit has no such file. */
  async readFileBytes(commit: string, file: string): Promise<Buffer | null> {
    try {
      return await gitBytes(['show', `${commit}:${file}`], this.opts());
    } catch (err) {
      if (err instanceof GitError && /does not exist|exists on disk, but not in/i.test(err.message)) return null;
      throw err;
    }
  }
}
