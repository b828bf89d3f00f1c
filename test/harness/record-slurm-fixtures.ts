// Records real Slurm outputs into test/fixtures/slurm/ for the dialect's unit tests.
// Run (as root, Slurm packages installed):
//   npx esbuild test/harness/record-slurm-fixtures.ts --bundle --platform=node --format=esm --outfile=/tmp/rec.mjs && node /tmp/rec.mjs
// Jobs are submitted over the harness sshd as the test user, like the app would do.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { clusterInfoCommand, sacctCommand, SACCT_FIELDS, squeueCommand } from '../../src-main/backends/dialects/slurm';
import { startSlurmCluster } from './slurm';

const out = resolve(process.argv[2] ?? 'test/fixtures/slurm');
mkdirSync(out, { recursive: true });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const cluster = await startSlurmCluster();
const env = 'TZ=UTC LC_ALL=C';
const save = (name: string, text: string) => {
  writeFileSync(join(out, name), text);
  console.log(`wrote ${name} (${text.length} bytes)`);
};
const ssh = (cmd: string) => {
  const r = cluster.ssh(cmd);
  if (r.exitCode !== 0) console.warn(`exit ${r.exitCode}: ${cmd}\n${r.stderr}`);
  return r;
};
const submit = (args: string) => {
  const r = ssh(`sbatch --parsable -o /dev/null ${args}`);
  return r.stdout.trim().split(';')[0] ?? '';
};

try {
  const parsable = ssh(`sbatch --parsable -J rec_ok.t-ok -o /tmp/rec-ok.out --wrap 'echo start; sleep 2; echo done'`);
  save('sbatch-parsable.stdout.txt', parsable.stdout);
  const ok = parsable.stdout.trim();
  const classic = ssh(`sbatch -J rec_classic -o /dev/null --wrap 'true'`);
  save('sbatch-classic.stdout.txt', classic.stdout);
  const bad = ssh(`sbatch --parsable --partition=nosuchpartition --wrap true`);
  save('sbatch-bad-partition.stderr.txt', `exit ${bad.exitCode}\n${bad.stderr}`);
  const fail3 = submit(`-J rec_exit3 --wrap 'echo about to fail; exit 3'`);
  const oom = submit(`-J rec_mem --mem=50M --wrap 'python3 -c "import time; a=bytearray(400*1024*1024); time.sleep(5)"'`);
  await sleep(9000);

  const run1 = submit(`-J rec_running1 --wrap 'sleep 120'`);
  submit(`-J rec_running2 --wrap 'sleep 120'`);
  const pend = submit(`-J rec_pending --wrap 'sleep 1'`);
  submit(`-J rec_array --array=1-3 --wrap 'sleep 1'`);
  submit(`-J rec_dep_never --dependency=afterok:${fail3} --wrap true`);
  submit(`-J rec_dep_wait --dependency=afterok:${run1} --wrap true`);
  await sleep(3000);
  save('squeue-mixed.txt', ssh(`${env} ${squeueCommand()}`).stdout);
  save('scontrol-show-job.txt', ssh(`${env} scontrol -o show job`).stdout);
  save('cluster-info.txt', ssh(clusterInfoCommand()).stdout);

  ssh(`scancel ${pend}`);
  await sleep(1000);
  ssh(`scancel ${run1}`);
  await sleep(5000);
  const now = new Date(Date.now() - 600_000).toISOString();
  const ids = [ok, fail3, oom, run1, pend];
  const sacct = sacctCommand(ids.map((jobId) => ({ jobId, submittedAt: now })));
  save('sacct-command.txt', `${sacct}\n`);
  save('sacct-mixed.txt', ssh(`${env} ${sacct}`).stdout);
  save('sacct-fields.txt', `${SACCT_FIELDS}\nok=${ok} exit3=${fail3} memkill=${oom} cancelled_running=${run1} cancelled_pending=${pend}\n`);
  save('sacct-recent.txt', ssh(`${env} sacct -n -P -X -S now-1days -o JobID,JobName`).stdout);
  save('squeue-after-cancel.txt', ssh(`${env} ${squeueCommand()}`).stdout);
  save('scontrol-after-cancel.txt', ssh(`${env} scontrol -o show job`).stdout);
  save('scancel-finished.txt', (() => {
    const r = ssh(`scancel ${ok}; echo "exit $?"`);
    return r.stdout + r.stderr;
  })());
} finally {
  cluster.run('scancel --full -u shtest');
  await cluster.stop();
}
