// Running git for the app's own clones. Never prompts (GIT_TERMINAL_PROMPT=0, BatchMode): a source that needs a
// password must fail with a message, not hang the engine. SSH remotes use the source's deploy key only
// (IdentitiesOnly) and a known_hosts file of the app's own: the first contact is trusted, a changed key refused.
import { execFile } from 'node:child_process';

export interface GitOptions {
  cwd?: string;
  deployKey?: string | null;
  knownHostsFile: string;
  timeoutMs?: number;
}

export class GitError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'GitError';
  }
}

function sshCommand(o: GitOptions): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const key = o.deployKey ? `-i ${q(o.deployKey)} -o IdentitiesOnly=yes ` : '';
  return `ssh ${key}-o BatchMode=yes -o PasswordAuthentication=no -o StrictHostKeyChecking=accept-new -o UserKnownHostsFile=${q(o.knownHostsFile)}`;
}

export function gitEnv(o: GitOptions): NodeJS.ProcessEnv {
  return { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_SSH_COMMAND: sshCommand(o), LC_ALL: 'C', GIT_ASKPASS: 'true' };
}

/** stdout of `git <args>`; a GitError whose message is git's own last error line otherwise. */
export function git(args: string[], o: GitOptions): Promise<string> {
  return gitBytes(args, o).then((out) => out.toString('utf8'));
}

/** stdout of `git <args>` as bytes (file contents: binary files must hash like the bytes on disk). */
export function gitBytes(args: string[], o: GitOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd: o.cwd, env: gitEnv(o), timeout: o.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024, encoding: 'buffer' }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const lines = String(stderr).split('\n').map((l) => l.trim()).filter(Boolean);
      const fatal = lines.filter((l) => /^(fatal|error):/.test(l)).map((l) => l.replace(/^(fatal|error):\s*/, ''));
      const timedOut = err.killed ? `git ${args[0]} timed out` : null;
      reject(new GitError(timedOut ?? (fatal.length ? fatal.join('; ') : (lines.pop() ?? err.message)), String(stderr)));
    });
  });
}
