// The per-run checkout of a git source where the run executes: `<clone_dir>/<sha12>`, made once per commit and
// reused. Built from the app's cache (no second network fetch, no key on disk) in a temporary folder and renamed
// into place only when complete, so a failed clone or postclone never leaves a folder a later run would reuse.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { git } from './git';

export interface LocalCheckoutRequest {
  cacheDir: string;
  knownHostsFile: string;
  /** Configured clone_dir of the backend (`~` is this machine's home). */
  cloneDir: string;
  commit: string;
  postclone: string | null;
}

export function expandHome(p: string, home = os.homedir()): string {
  return p === '~' ? home : p.startsWith('~/') ? path.join(home, p.slice(2)) : p;
}

export async function ensureLocalCheckout(req: LocalCheckoutRequest): Promise<{ dir: string; reused: boolean }> {
  const base = expandHome(req.cloneDir);
  const dir = path.join(base, req.commit.slice(0, 12));
  if (fs.existsSync(dir)) return { dir, reused: true };
  fs.mkdirSync(base, { recursive: true });
  const tmp = fs.mkdtempSync(`${dir}.tmp-`);
  const o = { cwd: tmp, knownHostsFile: req.knownHostsFile };
  try {
    await git(['init', '-q', tmp], o);
    await git(['fetch', '-q', '--no-tags', req.cacheDir, req.commit], o);
    await git(['checkout', '-q', '--detach', req.commit], o);
    if (req.postclone) await runPostclone(tmp, req.postclone);
    fs.renameSync(tmp, dir);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  return { dir, reused: false };
}

function runPostclone(cwd: string, script: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('bash', ['-c', script], { cwd, timeout: 300_000, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } }, (err, _out, stderr) => {
      if (!err) return resolve();
      const tail = String(stderr).trim().split('\n').slice(-3).join(' | ');
      reject(new Error(`postclone failed (exit ${err.code ?? err.signal}): ${tail || err.message}`));
    });
  });
}

/** Upstream rule: `~` and relative working dirs are inside the checkout; absolute and `~/…` stay as written. */
export function resolveWorkingDir(root: string, wd: string): string {
  if (wd === '~' || wd === '' || wd === '.') return root;
  if (wd.startsWith('/') || wd.startsWith('~/') || wd.startsWith('$')) return wd;
  return `${root.replace(/\/+$/, '')}/${wd.replace(/^(\.\/)+/, '')}`;
}
