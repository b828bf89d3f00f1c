// The bash supervisor that owns one local job. It runs detached in its own session, so it outlives the engine;
// it records its identity, runs the job script with the log redirections and records the exit code — all as
// files in the spool, which is how any later engine learns what happened.
import { shq } from '../../transport/quote';
import { SPOOL_FILES, metaLine, type JobMeta } from './spool';

export interface SupervisorOptions {
  /** Absolute log paths (already `~`-expanded). */
  output: string;
  error: string;
  loginShell: boolean;
  /** Umask for the job itself (the user's own, e.g. '0022'); the logs keep the engine's private one. */
  jobUmask?: string | null;
  /** The job's facts, kept as a comment line (the spool's record of which tag this folder is). */
  meta?: JobMeta;
}

/** Exit code recorded when a job is cancelled before its script started (128 + SIGTERM, like a killed job). */
export const CANCELLED_BEFORE_START_RC = 143;

export function supervisorScript(opts: SupervisorOptions): string {
  const f = SPOOL_FILES;
  // Same file for both streams: one descriptor, or the two would overwrite each other's bytes.
  const redirect = opts.output === opts.error ? `> ${shq(opts.output)} 2>&1` : `> ${shq(opts.output)} 2> ${shq(opts.error)}`;
  return [
    '#!/bin/bash',
    '# ScriptHut local supervisor (runs with the spool folder as its working directory).',
    // A trap (not the default action) keeps the supervisor alive when cancel signals the whole group, so it
    // can still record the job\'s exit code; the job itself gets the default action (traps are reset in children).
    "trap 'true' TERM INT HUP",
    // bash >= 4.3 formats the time itself: one process fewer per stamp matters when thousands of short jobs run.
    'now_utc() {',
    "  if (( BASH_VERSINFO[0] > 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] >= 3) )); then TZ=UTC printf -v now '%(%Y-%m-%dT%H:%M:%SZ)T' -1; else now=$(date -u +%Y-%m-%dT%H:%M:%SZ); fi",
    '}',
    // Started by the launcher, the supervisor is a subshell sourcing this file: $$ would be the launcher's pid.
    'me=${BASHPID:-$$}',
    'set -f',
    "start_time=''",
    'if [ -r /proc/$me/stat ]; then',
    '  read -r stat_line < /proc/$me/stat',
    '  stat_rest=${stat_line##*) }',
    '  set -- $stat_rest',
    '  start_time=${20}',
    'else',
    "  start_time=$(LC_ALL=C ps -o lstart= -p $me 2>/dev/null | tr -s ' ' ' ' | sed 's/^ //;s/ $//')",
    'fi',
    'now_utc; started=$now',
    // The pid file is the lock that makes starting a supervisor idempotent: an engine that restarts after a crash
    // between creating the spool and starting the job can start it again without ever running it twice.
    // noclobber makes the redirection an exclusive create (O_EXCL) without starting a process. Readers take an
    // empty pid file (created, not yet written) for "not yet".
    'set -C',
    `{ printf '%s %s\\n%s\\n' "$me" "$start_time" "$started" > ${f.pid}; } 2>/dev/null || exit 0`,
    'set +C',
    `if [ -e ${f.cancelled} ]; then`,
    `  rc=${CANCELLED_BEFORE_START_RC}`,
    'else',
    // The redirections are opened by this shell (engine umask: private logs); the subshell runs the job with
    // the user's umask, so the files it writes are not unexpectedly owner-only.
    opts.jobUmask && /^0?[0-7]{3}$/.test(opts.jobUmask)
      ? `  (umask ${opts.jobUmask}; exec bash${opts.loginShell ? ' -l' : ''} ${f.script}) ${redirect} < /dev/null`
      : `  bash${opts.loginShell ? ' -l' : ''} ${f.script} ${redirect} < /dev/null`,
    '  rc=$?',
    'fi',
    'now_utc; finished=$now',
    // One small write; readers take an empty rc for "not yet" and check liveness first, so no rename (one
    // process fewer per job) is needed.
    `printf '%s\\n%s\\n' "$rc" "$finished" > ${f.rc}`,
    // The launcher's pipe (or /dev/null when started on its own): the engine learns of the end without polling.
    `if [ -e ${f.cancelled} ]; then c=1; else c=0; fi`,
    'echo "done ${PWD##*/} $rc $c $started $finished" 2>/dev/null',
    // Last, and newline-terminated: a folder whose supervisor has this line is complete (see LocalBackend.submit).
    ...(opts.meta ? [metaLine(opts.meta)] : []),
    '',
  ].join('\n');
}
