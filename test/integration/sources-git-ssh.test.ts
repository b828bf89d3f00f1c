// A git source served over the real OpenSSH server of the test harness (git over SSH with a deploy key):
// the app's cache is fetched with that key only, the first host key is remembered in the app's own known_hosts,
// and a key the server does not accept gives a clear error and no half-created cache.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigObject } from '../../src-shared/config';
import { SourceManager } from '../../src-main/sources/manager';
import { LocalRunner } from '../../src-main/transport/local-runner';
import { remoteCheckoutScript } from '../../src-main/sources/remote-checkout';
import { ensureTestUser, makeClientKey, sshdAvailable, startSshd, type SshdHandle } from '../harness/sshd';

const required = process.env.SCRIPTHUT_REQUIRE_SLURM === '1';
const available = sshdAvailable();
if (!available && !required) console.warn('sources-git-ssh tests SKIPPED: /usr/sbin/sshd missing or not root (apt-get install openssh-server)');

const USER = 'shtest';
const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
const g = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', env: gitEnv });

describe.skipIf(!available && !required)('git source over SSH with a deploy key', () => {
  let dir: string;
  let sshd: SshdHandle;
  let url: string;
  let deployKey: string;
  let otherKey: string;
  let sha: string;

  beforeAll(async () => {
    ensureTestUser(USER);
    dir = fs.mkdtempSync('/tmp/sh-src-ssh-');
    fs.chmodSync(dir, 0o755);
    deployKey = makeClientKey(path.join(dir, 'deploy')).privateKeyPath;
    otherKey = makeClientKey(path.join(dir, 'other')).privateKeyPath;
    const remote = path.join(dir, 'remote.git');
    const work = path.join(dir, 'work');
    g(dir, 'init', '-q', '--bare', '-b', 'main', remote);
    g(dir, 'init', '-q', '-b', 'main', work);
    fs.mkdirSync(path.join(work, 'flows'));
    fs.writeFileSync(path.join(work, 'flows', 'hello.json'), JSON.stringify({ tasks: [{ id: 'hi', command: 'echo hi' }] }));
    g(work, 'add', '-A');
    g(work, 'commit', '-qm', 'first');
    g(work, 'push', '-q', remote, 'main');
    sha = g(work, 'rev-parse', 'HEAD').trim();
    // The SSH user serves the repository; git refuses repositories owned by someone else.
    execFileSync('chown', ['-R', `${USER}:${USER}`, remote]);
    sshd = await startSshd({ dir: path.join(dir, 'sshd'), user: USER, authorizedKeys: [fs.readFileSync(`${deployKey}.pub`, 'utf8')] });
    url = `ssh://${USER}@127.0.0.1:${sshd.port}${remote}`;
  }, 60_000);

  afterAll(async () => {
    await sshd?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  function manager(key: string, cache: string): SourceManager {
    const parsed = parseConfigObject({ sources: [{ name: 'remote', type: 'git', url, deploy_key: key, workflows_glob: 'flows/*.json' }] });
    if (!parsed.ok) throw new Error(parsed.error.message);
    return new SourceManager({ sources: parsed.config.sources, cacheDir: path.join(dir, cache), backendKind: () => 'local' });
  }

  it('fetches with the deploy key and remembers the host key in the app known_hosts', async () => {
    const m = manager(deployKey, 'cache-ok');
    const [st] = await m.sync('remote');
    expect(st!.error).toBeNull();
    expect(st!.last_commit).toBe(sha);
    expect(st!.workflows.map((w) => w.file)).toEqual(['flows/hello.json']);
    const known = fs.readFileSync(path.join(dir, 'cache-ok', 'known_hosts'), 'utf8');
    expect(known).toContain(sshd.hostPublicKey.split(/\s+/)[1]);
    const wf = await m.workflow('remote', 'hello');
    expect(wf.commit).toBe(sha);
  });

  it('a key the server refuses: clear error, no prompt, nothing half-created', async () => {
    const m = manager(otherKey, 'cache-bad');
    const [st] = await m.sync('remote');
    expect(st!.error).toMatch(/cannot fetch from ssh:\/\/.*Permission denied|Could not read from remote/);
    expect(fs.readdirSync(path.join(dir, 'cache-bad')).filter((f) => f.startsWith('remote'))).toEqual([]);
  });

  it('the backend checkout script clones <clone_dir>/<sha12> over SSH with the key from stdin, reuses it and leaves no key behind', async () => {
    const runner = new LocalRunner();
    const keys = () => fs.readdirSync('/tmp').filter((f) => f.startsWith('scripthut_key_')).length;
    const keysBefore = keys();
    const cloneDir = path.join(dir, 'backend-clones');
    const plan = { cloneDir, url, branch: 'main', commit: sha, postclone: 'echo built > built.txt', deployKey: fs.readFileSync(deployKey, 'utf8') };
    const first = await runner.run(remoteCheckoutScript(plan), { stdin: plan.deployKey, timeoutMs: 120_000 });
    expect(first.exitCode, first.stderr).toBe(0);
    const checkout = path.join(cloneDir, sha.slice(0, 12));
    expect(first.stdout.trim()).toBe(checkout);
    expect(fs.readFileSync(path.join(checkout, 'built.txt'), 'utf8')).toBe('built\n');
    expect(execFileSync('git', ['-C', checkout, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim()).toBe(sha);
    expect(keys()).toBe(keysBefore);
    // Reused: postclone does not run again.
    fs.writeFileSync(path.join(checkout, 'built.txt'), 'kept');
    const again = await runner.run(remoteCheckoutScript(plan), { stdin: plan.deployKey });
    expect(again.exitCode).toBe(0);
    expect(fs.readFileSync(path.join(checkout, 'built.txt'), 'utf8')).toBe('kept');

    const refused = await runner.run(remoteCheckoutScript({ ...plan, cloneDir: path.join(dir, 'refused'), deployKey: fs.readFileSync(otherKey, 'utf8') }), { stdin: fs.readFileSync(otherKey, 'utf8'), timeoutMs: 120_000 });
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toMatch(/Permission denied|Could not read from remote/);
    expect(fs.readdirSync(path.join(dir, 'refused'))).toEqual([]);
    expect(keys()).toBe(keysBefore);
  });
});
