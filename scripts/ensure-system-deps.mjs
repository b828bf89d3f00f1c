#!/usr/bin/env node
// Runs before `npm test`: makes sure the Debian packages the real-system tests use are installed (Chromium for the
// UI tests; Slurm, MariaDB, munge and OpenSSH for the cluster tests). As root on Debian/Ubuntu it installs what is
// missing; otherwise it says what is missing, and the tests that need it skip with a clear message (or fail, when
// SCRIPTHUT_REQUIRE_SLURM=1 as in CI).
import { spawnSync } from 'node:child_process';

const PACKAGES = ['chromium', 'openssh-server', 'openssh-client', 'munge', 'slurmctld', 'slurmd', 'slurm-client', 'slurmdbd', 'mariadb-server'];

if (process.platform !== 'linux' || process.env.SCRIPTHUT_SKIP_SYSTEM_DEPS === '1') process.exit(0);
const hasDpkg = spawnSync('sh', ['-c', 'command -v dpkg-query && command -v apt-get'], { stdio: 'ignore' }).status === 0;
if (!hasDpkg) {
  console.warn('[system deps] not a Debian-like system: install Chromium (and Slurm + OpenSSH for the cluster tests) yourself.');
  process.exit(0);
}
const missing = PACKAGES.filter((p) => {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' });
  return r.status !== 0 || !r.stdout.includes('install ok installed');
});
if (!missing.length) process.exit(0);
if (process.getuid?.() !== 0) {
  console.warn(`[system deps] missing Debian packages: ${missing.join(' ')}\n  install them with: sudo apt-get install --no-install-recommends ${missing.join(' ')}\n  (tests that need them will be skipped)`);
  process.exit(0);
}
console.log(`[system deps] installing: ${missing.join(' ')}`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const run = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env }).status === 0;
if (!run(['update', '-qq']) || !run(['install', '-y', '-qq', '--no-install-recommends', ...missing])) {
  console.error('[system deps] apt-get failed; see above.');
  process.exit(1);
}
