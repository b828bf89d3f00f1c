// A REAL single-node Slurm 22.05 cluster with accounting on 127.0.0.1, for integration tests.
// munged + MariaDB (private datadir/port) + slurmdbd + slurmctld + slurmd + an sshd with SLURM_CONF set.
// Follows /work/shared/notes/real-slurm-on-loopback.md. Every daemon has its own pid file; stop() kills by pid only.
//
// Reuse: pass `dir` (or set SCRIPTHUT_SLURM_DIR) and `keep: true` (or SCRIPTHUT_SLURM_KEEP=1): stop() then
// leaves the cluster running and the next startSlurmCluster() with the same dir reuses it if all pids are alive.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTestUser, freePort, killPid, makeClientKey, sshdAvailable, startSshd, type SshdHandle } from './sshd';
import { installPbsStandIns } from './pbs-standins';

export interface SlurmCluster {
  sshPort: number;
  host: '127.0.0.1';
  /** Login user for ssh (jobs submitted over ssh run as this user). */
  user: string;
  clientKeyPath: string;
  clientPublicKey: string;
  hostPublicKey: string;
  slurmConf: string;
  /** Environment for local scheduler commands: `{ SLURM_CONF }`. */
  env: Record<string, string>;
  dir: string;
  clusterName: string;
  nodeName: string;
  stop(): Promise<void>;
  restartSshd(): Promise<void>;
  /** Run a shell command locally (as root) with SLURM_CONF set. */
  run(cmd: string): { stdout: string; stderr: string; exitCode: number };
  /** Run a command over the harness sshd as `user` with the system ssh client. */
  ssh(cmd: string): { stdout: string; stderr: string; exitCode: number };
}

export interface SlurmClusterOptions {
  dir?: string;
  user?: string;
  keep?: boolean;
}

const REQUIRED_BINARIES = [
  '/usr/sbin/slurmctld',
  '/usr/sbin/slurmd',
  '/usr/sbin/slurmdbd',
  '/usr/bin/sbatch',
  '/usr/bin/sacct',
  '/usr/sbin/munged',
  '/usr/sbin/mariadbd',
  '/usr/bin/mariadb-install-db',
  '/usr/sbin/sshd',
];

export function slurmAvailability(): { ok: true } | { ok: false; reason: string } {
  if (process.platform !== 'linux') return { ok: false, reason: 'real Slurm harness needs Linux' };
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return { ok: false, reason: 'real Slurm harness must run as root (it starts slurmd and sshd)' };
  const missing = REQUIRED_BINARIES.filter((b) => !existsSync(b));
  if (missing.length) {
    return { ok: false, reason: `missing ${missing.join(', ')}; install: apt-get install --no-install-recommends slurmctld slurmd slurm-client munge openssh-server slurmdbd mariadb-server` };
  }
  if (!sshdAvailable()) return { ok: false, reason: 'openssh-server not usable' };
  return { ok: true };
}

/** For describe.skipIf: skip with a reason, unless SCRIPTHUT_REQUIRE_SLURM=1 where a missing cluster must fail. */
export function shouldSkipSlurm(): boolean {
  const a = slurmAvailability();
  if (a.ok) return false;
  if (process.env.SCRIPTHUT_REQUIRE_SLURM === '1') return false; // let startSlurmCluster throw: the suite fails
  console.warn(`[slurm harness] skipping real-Slurm tests: ${a.reason} (set SCRIPTHUT_REQUIRE_SLURM=1 to make this a failure)`);
  return true;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readPid(file: string): number | null {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

function sh(cmd: string, env: Record<string, string> = {}, timeoutMs = 30_000): { stdout: string; stderr: string; exitCode: number } {
  const r = spawnSync('bash', ['-c', cmd], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: timeoutMs });
  return { stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error.message) : ''), exitCode: r.status ?? -1 };
}

async function waitFor(what: string, logHint: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await sleep(100);
  }
  const tail = existsSync(logHint) ? readFileSync(logHint, 'utf8').split('\n').slice(-25).join('\n') : '(no log)';
  throw new Error(`slurm harness: timed out waiting for ${what}. Last lines of ${logHint}:\n${tail}`);
}

interface State {
  ports: { db: number; dbd: number; ctld: number; slurmd: number; ssh: number };
  user: string;
  clusterName: string;
  nodeName: string;
}

const PIDS = ['mysql/mariadb.pid', 'run/slurmdbd.pid', 'run/slurmctld.pid', 'run/slurmd.pid', 'ssh/sshd.pid'] as const;

function mungeWorks(): boolean {
  return sh('munge -n | unmunge >/dev/null 2>&1').exitCode === 0;
}

async function ensureMunge(): Promise<void> {
  if (mungeWorks()) return; // reuse an already running munged on the default socket
  // munged outlives clusters (it is shared like a system service), so its key/pid/log live outside the cluster dir.
  const mdir = join(tmpdir(), 'scripthut-munge');
  mkdirSync(mdir, { recursive: true, mode: 0o700 });
  chownSync(mdir, uid('munge'), gid('munge'));
  chmodSync(mdir, 0o700);
  const key = join(mdir, 'munge.key');
  if (!existsSync(key)) {
    if (existsSync('/etc/munge/munge.key')) copyFileSync('/etc/munge/munge.key', key);
    else execFileSync('dd', ['if=/dev/urandom', `of=${key}`, 'bs=1024', 'count=1'], { stdio: 'pipe' });
  }
  chownSync(key, uid('munge'), gid('munge'));
  chmodSync(key, 0o400);
  // Slurm 22.05 ignores AuthInfo=socket= on the ctld→dbd link, so munged must sit on the default socket.
  mkdirSync('/run/munge', { recursive: true });
  chownSync('/run/munge', uid('munge'), gid('munge'));
  chmodSync('/run/munge', 0o755);
  const r = sh(
    `runuser -u munge -- /usr/sbin/munged --key-file=${key} --pid-file=${mdir}/munged.pid --log-file=${mdir}/munged.log --seed-file=${mdir}/munged.seed --force`,
  );
  if (r.exitCode !== 0) throw new Error(`slurm harness: munged failed to start: ${r.stderr}${r.stdout}`);
  await waitFor('munge', join(mdir, 'munged.log'), mungeWorks, 10_000);
}

function uid(user: string): number {
  return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
}
function gid(user: string): number {
  return Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
}

function sshOptions(cluster: { sshPort: number; clientKeyPath: string; dir: string }): string {
  return [
    '-p', String(cluster.sshPort),
    '-i', cluster.clientKeyPath,
    '-o', 'BatchMode=yes',
    '-o', 'IdentitiesOnly=yes',
    '-o', `UserKnownHostsFile=${join(cluster.dir, 'ssh', 'known_hosts')}`,
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'ConnectTimeout=5',
  ].join(' ');
}

function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function buildCluster(dir: string, state: State, sshd: SshdHandle | null, keep: boolean, removeDir: boolean): SlurmCluster {
  const slurmConf = join(dir, 'etc', 'slurm.conf');
  const env = { SLURM_CONF: slurmConf };
  const clientKeyPath = join(dir, 'client', 'id_ed25519');
  const hostPublicKey = readFileSync(join(dir, 'ssh', 'ssh_host_ed25519_key.pub'), 'utf8').trim();
  let sshdHandle = sshd;
  const cluster: SlurmCluster = {
    sshPort: state.ports.ssh,
    host: '127.0.0.1',
    user: state.user,
    clientKeyPath,
    clientPublicKey: readFileSync(`${clientKeyPath}.pub`, 'utf8').trim(),
    hostPublicKey,
    slurmConf,
    env,
    dir,
    clusterName: state.clusterName,
    nodeName: state.nodeName,
    run: (cmd) => sh(cmd, env),
    ssh: (cmd) => sh(`ssh ${sshOptions(cluster)} ${state.user}@127.0.0.1 ${shQuote(cmd)}`, {}, 60_000),
    async restartSshd() {
      if (sshdHandle) return sshdHandle.restart();
      // Reused cluster: restart from the saved config by pid file.
      const pid = readPid(join(dir, 'ssh', 'sshd.pid'));
      if (pid) await killPid(pid);
      sshdHandle = await startClusterSshd(dir, state);
    },
    async stop() {
      if (keep) return;
      await stopSlurmCluster(dir);
      // A temp cluster folder holds a MariaDB datadir (~100 MB): remove it unless the caller chose the folder.
      if (removeDir) rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}

async function startClusterSshd(dir: string, state: State): Promise<SshdHandle> {
  const clientPub = readFileSync(join(dir, 'client', 'id_ed25519.pub'), 'utf8').trim();
  const pbsBin = join(dir, 'pbs-bin');
  installPbsStandIns(pbsBin);
  const sshDir = join(dir, 'ssh');
  const handle = await startSshd({
    dir: sshDir,
    port: state.ports.ssh,
    user: state.user,
    authorizedKeys: [clientPub],
    hostKeyPath: join(sshDir, 'ssh_host_ed25519_key'),
    // Stand-in qsub/qstat/qdel/pbsnodes on the login PATH, for `type: pbs` tests (see pbs-standins.ts).
    extraConfig: [`SetEnv SLURM_CONF=${join(dir, 'etc', 'slurm.conf')} PATH=${pbsBin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`],
  });
  writeFileSync(join(sshDir, 'known_hosts'), `[127.0.0.1]:${state.ports.ssh} ${handle.hostPublicKey}\n`);
  return handle;
}

/** Stop every daemon of the cluster in `dir` (cancelling jobs first), by pid files only. */
export async function stopSlurmCluster(dir: string): Promise<void> {
  const conf = join(dir, 'etc', 'slurm.conf');
  if (existsSync(conf) && readPid(join(dir, 'run', 'slurmctld.pid'))) {
    sh('scancel --user=root --full >/dev/null 2>&1; scancel --full $(squeue -h -o %i 2>/dev/null) >/dev/null 2>&1 || true', { SLURM_CONF: conf }, 10_000);
  }
  // slurmd first, then ctld, dbd, db; sshd last-but-independent. slurmd may ignore SIGTERM while it retries
  // registering with a dead ctld, so killPid falls back to SIGKILL.
  const order = ['ssh/sshd.pid', 'run/slurmd.pid', 'run/slurmctld.pid', 'run/slurmdbd.pid', 'mysql/mariadb.pid'];
  for (const rel of order) {
    const pid = readPid(join(dir, rel));
    if (pid) await killPid(pid, rel.startsWith('mysql') ? 10_000 : 4000);
  }
  // munged is shared (default socket) and cheap: left running on purpose, like a system service.
}

export async function startSlurmCluster(opts: SlurmClusterOptions = {}): Promise<SlurmCluster> {
  const avail = slurmAvailability();
  if (!avail.ok) throw new Error(`slurm harness: ${avail.reason}`);
  const explicitDir = opts.dir ?? process.env.SCRIPTHUT_SLURM_DIR;
  const keep = opts.keep ?? process.env.SCRIPTHUT_SLURM_KEEP === '1';
  const dir = explicitDir ?? mkdtempSync(join(tmpdir(), 'scripthut-slurm-'));
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);

  const statePath = join(dir, 'cluster.json');
  if (explicitDir && existsSync(statePath)) {
    const state = JSON.parse(readFileSync(statePath, 'utf8')) as State;
    const alive = PIDS.every((rel) => {
      const pid = readPid(join(dir, rel));
      return pid !== null && pidAlive(pid);
    });
    if (alive && mungeWorks() && /idle|mix|alloc/.test(sh(`sinfo -h -N -o %T`, { SLURM_CONF: join(dir, 'etc', 'slurm.conf') }).stdout)) {
      return buildCluster(dir, state, null, keep, false);
    }
    // Only sshd is gone (a test or a person stopped it to play an outage): start it again on its port and keep the
    // cluster, its jobs and its job ids, rather than rebuilding everything on new ports.
    const daemonsAlive = PIDS.filter((rel) => rel !== 'ssh/sshd.pid').every((rel) => {
      const pid = readPid(join(dir, rel));
      return pid !== null && pidAlive(pid);
    });
    if (daemonsAlive && mungeWorks() && /idle|mix|alloc/.test(sh(`sinfo -h -N -o %T`, { SLURM_CONF: join(dir, 'etc', 'slurm.conf') }).stdout)) {
      await startClusterSshd(dir, state);
      return buildCluster(dir, state, null, keep, false);
    }
    await stopSlurmCluster(dir);
    for (const sub of ['mysql', 'run', 'state', 'spool', 'log', 'etc']) rmSync(join(dir, sub), { recursive: true, force: true });
  }

  const user = ensureTestUser(opts.user ?? 'shtest');
  const nodeName = hostname().split('.')[0] ?? 'localhost';
  const resolved = sh(`getent hosts ${nodeName}`).stdout.trim().split(/\s+/)[0] ?? '';
  if (!resolved.startsWith('127.')) {
    throw new Error(`slurm harness: hostname '${nodeName}' resolves to '${resolved || 'nothing'}', not a 127.x address; add '127.0.1.1 ${nodeName}' to /etc/hosts`);
  }
  const state: State = {
    ports: { db: await freePort(), dbd: await freePort(), ctld: await freePort(), slurmd: await freePort(), ssh: await freePort() },
    user,
    clusterName: 'shtest',
    nodeName,
  };
  // freePort can hand out the same port twice when called in a row; retry until all differ.
  while (new Set(Object.values(state.ports)).size < 5) state.ports.ssh = await freePort();

  try {
    for (const sub of ['etc', 'run', 'state', 'spool', 'log', 'ssh', 'client']) mkdirSync(join(dir, sub), { recursive: true });
    makeClientKey(join(dir, 'client'));

    await ensureMunge();
    await startMariaDb(dir, state.ports.db);

    const slurmConf = join(dir, 'etc', 'slurm.conf');
    const env = { SLURM_CONF: slurmConf };
    const nodeLine = (sh('slurmd -C').stdout.split('\n')[0] ?? '').trim();
    if (!nodeLine.startsWith('NodeName=')) throw new Error(`slurm harness: 'slurmd -C' printed no NodeName line`);
    writeFileSync(
      slurmConf,
      [
        `ClusterName=${state.clusterName}`,
        `SlurmctldHost=${nodeName}(127.0.0.1)`,
        'SlurmUser=root',
        'AuthType=auth/munge',
        'CredType=cred/munge',
        `SlurmctldPort=${state.ports.ctld}`,
        `SlurmdPort=${state.ports.slurmd}`,
        'CommunicationParameters=NoCtldInAddrAny,NoInAddrAny',
        `StateSaveLocation=${join(dir, 'state')}`,
        `SlurmdSpoolDir=${join(dir, 'spool')}`,
        `SlurmctldPidFile=${join(dir, 'run', 'slurmctld.pid')}`,
        `SlurmdPidFile=${join(dir, 'run', 'slurmd.pid')}`,
        `SlurmctldLogFile=${join(dir, 'log', 'slurmctld.log')}`,
        `SlurmdLogFile=${join(dir, 'log', 'slurmd.log')}`,
        'ProctrackType=proctrack/linuxproc',
        'TaskPlugin=task/none',
        'JobAcctGatherType=jobacct_gather/linux',
        'JobAcctGatherFrequency=task=1',
        // Lets a job that outgrows --mem end as OUT_OF_MEMORY without cgroups (polling-based).
        'JobAcctGatherParams=OverMemoryKill',
        'SelectType=select/cons_tres',
        // Memory as a consumable is what gives steps a memory limit that OverMemoryKill can enforce.
        'SelectTypeParameters=CR_Core_Memory',
        'DefMemPerCPU=500',
        'SchedulerType=sched/backfill',
        'MinJobAge=300',
        'KillWait=2',
        'MailProg=/bin/true',
        'ReturnToService=2',
        'AccountingStorageType=accounting_storage/slurmdbd',
        'AccountingStorageHost=127.0.0.1',
        `AccountingStoragePort=${state.ports.dbd}`,
        'JobCompType=jobcomp/none',
        'SlurmctldTimeout=30',
        'SlurmdTimeout=30',
        `${nodeLine} NodeAddr=127.0.0.1 State=UNKNOWN`,
        `PartitionName=debug Nodes=${nodeName} Default=YES MaxTime=INFINITE State=UP`,
        '',
      ].join('\n'),
    );
    const dbdConf = join(dir, 'etc', 'slurmdbd.conf');
    writeFileSync(
      dbdConf,
      [
        'AuthType=auth/munge',
        'DbdAddr=127.0.0.1',
        'DbdHost=localhost',
        `DbdPort=${state.ports.dbd}`,
        'CommunicationParameters=NoInAddrAny',
        'SlurmUser=root',
        `PidFile=${join(dir, 'run', 'slurmdbd.pid')}`,
        `LogFile=${join(dir, 'log', 'slurmdbd.log')}`,
        'StorageType=accounting_storage/mysql',
        'StorageHost=127.0.0.1',
        `StoragePort=${state.ports.db}`,
        'StorageUser=slurm',
        'StoragePass=slurmpass',
        'StorageLoc=slurm_acct_db',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    chmodSync(dbdConf, 0o600);

    // slurmdbd finds slurmdbd.conf next to $SLURM_CONF.
    let r = sh('/usr/sbin/slurmdbd', env);
    if (r.exitCode !== 0) throw new Error(`slurm harness: slurmdbd failed: ${r.stderr}`);
    await waitFor('slurmdbd', join(dir, 'log', 'slurmdbd.log'), () => sh(`sacctmgr -n -P show cluster format=Cluster`, env, 5000).exitCode === 0);

    const loadFile = join(dir, 'etc', 'accounts.cfg');
    writeFileSync(
      loadFile,
      [
        `Cluster - '${state.clusterName}'`,
        `Parent - 'root'`,
        `Account - 'scripthut':Description='scripthut tests':Organization='scripthut'`,
        `Parent - 'scripthut'`,
        `User - '${user}':DefaultAccount='scripthut'`,
        `User - 'root':DefaultAccount='scripthut'`,
        '',
      ].join('\n'),
    );
    r = sh(`sacctmgr -i load file=${loadFile}`, env);
    if (r.exitCode !== 0) throw new Error(`slurm harness: sacctmgr load failed: ${r.stderr}${r.stdout}`);

    r = sh(`/usr/sbin/slurmctld -f ${slurmConf} -c -i`, env);
    if (r.exitCode !== 0) throw new Error(`slurm harness: slurmctld failed: ${r.stderr}`);
    await waitFor('slurmctld', join(dir, 'log', 'slurmctld.log'), () => sh('scontrol ping', env, 5000).stdout.includes('UP'));
    r = sh(`/usr/sbin/slurmd -f ${slurmConf}`, env);
    if (r.exitCode !== 0) throw new Error(`slurm harness: slurmd failed: ${r.stderr}`);
    await waitFor('node idle', join(dir, 'log', 'slurmd.log'), () => /^idle/m.test(sh('sinfo -h -N -o %T', env, 5000).stdout));

    await startClusterSshd(dir, state);
    writeFileSync(statePath, JSON.stringify(state, null, 2));
    const sshd = null; // pid file based from here on (restartSshd works the same for fresh and reused clusters)
    const cluster = buildCluster(dir, state, sshd, keep, !explicitDir && process.env.SCRIPTHUT_SLURM_KEEP_DIR !== '1');

    // Ready = a job submitted over ssh is accepted.
    const smoke = cluster.ssh(`sbatch --parsable -o /dev/null --wrap 'echo hi'`);
    if (smoke.exitCode !== 0 || !/^\d+/.test(smoke.stdout.trim())) {
      throw new Error(`slurm harness: sbatch over ssh failed (exit ${smoke.exitCode}): ${smoke.stdout}${smoke.stderr}`);
    }
    return cluster;
  } catch (err) {
    // Leave nothing half-started behind.
    await stopSlurmCluster(dir);
    throw err;
  }
}

async function startMariaDb(dir: string, port: number): Promise<void> {
  const mdir = join(dir, 'mysql');
  const data = join(mdir, 'data');
  mkdirSync(data, { recursive: true });
  // pid/log must be writable by mysql, or mariadbd segfaults after failing to write its pid.
  execFileSync('chown', ['-R', 'mysql:mysql', mdir]);
  const cnf = join(mdir, 'my.cnf');
  const sock = join(mdir, 'mysqld.sock');
  writeFileSync(
    cnf,
    [
      '[mysqld]',
      'user=mysql',
      `datadir=${data}`,
      `socket=${sock}`,
      `pid-file=${join(mdir, 'mariadb.pid')}`,
      `log-error=${join(mdir, 'mariadb.log')}`,
      'bind-address=127.0.0.1',
      `port=${port}`,
      'skip-name-resolve',
      'innodb_flush_log_at_trx_commit=0',
      'innodb_doublewrite=0',
      'innodb_buffer_pool_size=512M',
      '[client]',
      `socket=${sock}`,
      '',
    ].join('\n'),
  );
  let r = sh(`mariadb-install-db --defaults-file=${cnf} --skip-test-db >${mdir}/install.log 2>&1`);
  if (r.exitCode !== 0) throw new Error(`slurm harness: mariadb-install-db failed; see ${mdir}/install.log`);
  r = sh(`setsid /usr/sbin/mariadbd --defaults-file=${cnf} </dev/null >/dev/null 2>&1 &`);
  await waitFor('MariaDB', join(mdir, 'mariadb.log'), () => sh(`mariadb --defaults-file=${cnf} -uroot -e 'select 1'`, {}, 5000).exitCode === 0);
  r = sh(
    `mariadb --defaults-file=${cnf} -uroot -e "CREATE USER 'slurm'@'127.0.0.1' IDENTIFIED BY 'slurmpass'; CREATE DATABASE slurm_acct_db; GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';"`,
  );
  if (r.exitCode !== 0) throw new Error(`slurm harness: could not create the slurm database user: ${r.stderr}`);
}
