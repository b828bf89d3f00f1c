// Stand-in PBS commands for the real-Slurm harness: qsub/qstat/qdel/pbsnodes shell scripts (pbs-standins/) that
// drive the real Slurm underneath (sbatch/squeue/sacct/scancel/sinfo) and print PBS-format output, so a `type: pbs`
// backend runs end to end over the real sshd. They speak just the forms the PBS dialect uses.
import { chmodSync, copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

// Under vitest __dirname is this folder. Bundled into a bench (an ES module, where there is no __dirname) it is
// found from the repository root, where benches run.
const SOURCE = typeof __dirname === 'string' ? join(__dirname, 'pbs-standins') : resolve('test', 'harness', 'pbs-standins');

/** Copies the stand-ins into `binDir` (readable and runnable by everyone, so the ssh test user can use them). */
export function installPbsStandIns(binDir: string): void {
  mkdirSync(binDir, { recursive: true, mode: 0o755 });
  for (const name of readdirSync(SOURCE)) {
    copyFileSync(join(SOURCE, name), join(binDir, name));
    chmodSync(join(binDir, name), 0o755);
  }
  chmodSync(binDir, 0o755);
}
