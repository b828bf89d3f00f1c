// The user-data of a one-task EC2 instance: run the task script (in its container image when one is set),
// record the exit code in a file SSM can read, and make sure the instance cannot outlive its task: a safety
// timer powers it off after time limit + idle period, and once the task ends it powers off after the idle
// period if nobody collected the result (shutdown behaviour is 'terminate', so power-off = terminated).
import { shq } from '../../transport/quote';

export const EC2_PATHS = {
  script: '/var/run/scripthut/task.sh',
  log: '/var/log/scripthut/task.log',
  exit: '/var/run/scripthut/exit_code',
  finished: '/var/run/scripthut/finished_at',
} as const;

/** Raw user-data may be at most 16 KB. */
export const USER_DATA_LIMIT = 16 * 1024;

export function ec2UserData(opts: { script: string; image: string | null; timeLimitSeconds: number; idleSeconds: number }): string {
  const b64 = Buffer.from(opts.script, 'utf8').toString('base64');
  const limit = Math.max(60, opts.timeLimitSeconds);
  const idleMinutes = Math.max(1, Math.ceil(opts.idleSeconds / 60));
  const run = opts.image
    ? `docker pull ${shq(opts.image)} && timeout ${limit}s docker run --rm --network host -v ${EC2_PATHS.script}:/scripthut-task.sh:ro ${shq(opts.image)} bash /scripthut-task.sh`
    : `timeout ${limit}s bash ${EC2_PATHS.script}`;
  return [
    '#!/bin/bash',
    'mkdir -p /var/log/scripthut /var/run/scripthut',
    `( sleep ${limit + opts.idleSeconds}; shutdown -h now ) >/dev/null 2>&1 &`,
    `echo ${b64} | base64 -d > ${EC2_PATHS.script}`,
    `chmod 755 ${EC2_PATHS.script}`,
    `${run} > ${EC2_PATHS.log} 2>&1`,
    `echo $? > ${EC2_PATHS.exit}.tmp && mv ${EC2_PATHS.exit}.tmp ${EC2_PATHS.exit}`,
    `date -u +%Y-%m-%dT%H:%M:%SZ > ${EC2_PATHS.finished}`,
    `shutdown -h +${idleMinutes}`,
    '',
  ].join('\n');
}

/** Shell run through SSM to learn whether the task ended: prints `EXIT=<n> FINISHED=<iso>` or `RUNNING`. */
export const PROBE_COMMAND = `if [ -f ${EC2_PATHS.exit} ]; then echo "EXIT=$(cat ${EC2_PATHS.exit}) FINISHED=$(cat ${EC2_PATHS.finished} 2>/dev/null)"; else echo RUNNING; fi`;

export function parseProbe(output: string): { exitCode: number; finishedAt: string | null } | null {
  const m = /EXIT=(-?\d+)(?: FINISHED=(\S*))?/.exec(output);
  if (!m) return null;
  return { exitCode: Number(m[1]), finishedAt: m[2] ? m[2] : null };
}

export const LOG_CHUNK_BYTES = 15_000;
/** One chunk of the task log from byte `offset`, base64 (SSM keeps at most 24,000 characters of output). */
export function logChunkCommand(offset: number): string {
  return `tail -c +${offset + 1} ${EC2_PATHS.log} 2>/dev/null | head -c ${LOG_CHUNK_BYTES} | base64 -w0`;
}
