// The bash text of the job launcher (see launcher.ts). Two ways to start a job, chosen by the launcher itself:
//
// "reaper" (bash >= 5.1 with /proc): the launcher does the supervisor's work with builtins and starts
// `bash script.sh` as its own child, one fork + one exec per job (as `xargs -P` pays). It records the job's pid
// (= its process group) and its own identity in the pid file, notices ended jobs from /proc, takes their status
// with `wait PID`, writes the rc file and reports "done". Bash runs no trap while it blocks in `read` and a
// signal that interrupts `wait -n` can cost a job's status (seen with bash 5.2), so while jobs run the launcher
// waits for input with `read -t` and looks at its jobs between reads. Job control is on only around the fork
// (own process group, SIGINT not ignored).
//
// "supervisor" (older bash, e.g. macOS /bin/bash 3.2, or asked for): a subshell per job sources the job's
// supervisor from the spool (supervisor.ts), which writes pid and rc and reports "done" itself.
import { SPOOL_FILES } from './spool';
import { CANCELLED_BEFORE_START_RC } from './supervisor';

const f = SPOOL_FILES;

// Start lines are fields separated by \x1f (not whitespace to IFS, so empty fields stay): folder, stdout log,
// stderr log, '-l' or '', job umask or ''.
const REAPER = `
sh_utc() { TZ=UTC printf -v now '%(%Y-%m-%dT%H:%M:%SZ)T' -1; }
# Start time (field 22 of /proc/<pid>/stat, the representation process-identity.ts compares) and state of a pid;
# both empty when there is no such process.
sh_proc() {
  local IFS=' ' l
  st=''
  state=''
  { read -r l < "/proc/$1/stat"; } 2>/dev/null || return 0
  l=\${l##*) }
  set -- $l
  state=$1
  st=\${20}
}
sh_job() {
  if [ -n "$2" ]; then umask "$2"; fi
  exec bash $1 ${f.script}
}
sh_start() {
  local d=$1 o=$2 e=$3 login=$4 um=$5 now p st state
  if ! cd -- "$d" 2>/dev/null; then echo "failed cannot enter $d"; return; fi
  # The pid file is the one-supervisor lock: an exclusive create (noclobber), empty until the job's pid is known.
  set -C
  if ! { : > ${f.pid}; } 2>/dev/null; then set +C; cd /; echo "started 0"; return; fi
  set +C
  sh_utc
  if [ -e ${f.cancelled} ]; then
    # Pid 0 is no process: a cancel that reads this file signals nothing; the rc file says how it ended.
    { printf '0 -\\n%s\\n' "$now" > ${f.pid}; printf '%s\\n%s\\n' ${CANCELLED_BEFORE_START_RC} "$now" > ${f.rc}; } 2>/dev/null
    cd /
    echo "started 0"
    echo "done \${d##*/} ${CANCELLED_BEFORE_START_RC} 1 $now $now"
    return
  fi
  # Logs are opened here with the engine's private umask; the job runs with the user's.
  set -m
  if [ "$o" = "$e" ]; then sh_job "$login" "$um" > "$o" 2>&1 < /dev/null &
  else sh_job "$login" "$um" > "$o" 2> "$e" < /dev/null &
  fi
  p=$!
  set +m
  sh_proc "$p"
  printf '%s %s\\n%s\\nreaper %s %s\\n' "$p" "$st" "$now" "$$" "$sh_me" > ${f.pid}
  cd /
  sh_dir[$p]=$d
  sh_began[$p]=$now
  sh_st[$p]=$st
  echo "started $p"
}
sh_end() {
  local p=$1 s=$2 d=\${sh_dir[$1]} now c=0
  sh_utc
  { printf '%s\\n%s\\n' "$s" "$now" > "$d/${f.rc}"; } 2>/dev/null
  [ -e "$d/${f.cancelled}" ] && c=1
  echo "done \${d##*/} $s $c \${sh_began[$p]} $now"
  unset "sh_dir[$p]" "sh_began[$p]" "sh_st[$p]"
}
# A job that has ended (its pid gone, reused, or a zombie about to be reaped) gets its rc and its "done" line;
# a plain \`wait PID\` gives its status even after bash has dropped it from its job table.
sh_sweep() {
  local p st state
  swept=0
  for p in "\${!sh_dir[@]}"; do
    sh_proc "$p"
    if [ -z "$st" ] || [ "$st" != "\${sh_st[$p]}" ] || [ "$state" = Z ]; then
      wait "$p"
      sh_end "$p" $?
      swept=1
    fi
  done
}
# One start line (fields split without a here-string: no temporary pipe per job).
sh_line() {
  local d o e lg um r=$1
  d=\${r%%$'\\x1f'*}; r=\${r#*$'\\x1f'}
  o=\${r%%$'\\x1f'*}; r=\${r#*$'\\x1f'}
  e=\${r%%$'\\x1f'*}; r=\${r#*$'\\x1f'}
  lg=\${r%%$'\\x1f'*}; um=\${r#*$'\\x1f'}
  sh_start "$d" "$o" "$e" "$lg" "$um"
}
sh_reaper() {
  declare -A sh_dir sh_began sh_st
  local eof=0 p s st state swept line c i=0
  # How long to wait for input before looking at the jobs again: short right after something happened, longer
  # while nothing does (a long job costs a few wake-ups a second, a stream of short jobs is seen within ms).
  local -a wait_s=(0.002 0.005 0.01 0.02 0.05 0.1 0.2)
  # An engine that died must not take its launcher with it: keep reaping, stop reporting.
  trap 'exec > /dev/null' PIPE
  sh_proc $$
  sh_me=$st
  echo "mode reaper"
  while :; do
    sh_sweep
    (( swept )) && i=0
    if (( \${#sh_dir[@]} == 0 )); then
      [ $eof = 1 ] && break
      # Nothing runs: sleep in read until the engine writes.
      if IFS= read -r line; then sh_line "$line"; else eof=1; fi
    elif [ $eof = 1 ]; then
      # No more input can come, so nothing can interrupt this wait.
      p=''
      wait -n -p p
      s=$?
      if [ -n "$p" ] && [ -n "\${sh_dir[$p]+x}" ]; then sh_end "$p" "$s"; fi
    elif IFS= read -r -N 1 -t \${wait_s[i]} c; then
      # One character with a timeout (a timed-out read of a whole line can drop what it had read), then the rest
      # of the line, which the engine wrote in the same write.
      if [ "$c" != $'\\n' ] && IFS= read -r line; then sh_line "$c$line"; fi
      i=0
    elif (( $? > 128 )); then
      (( i < \${#wait_s[@]} - 1 )) && i=$((i + 1))
    else
      eof=1
    fi
  done
}
`;

// The working directory goes back to / so a removed spool folder is never held. Job control (-m) puts every
// supervisor in its own process group, whose id is the supervisor's pid: cancel signals the whole group.
const SUPERVISOR = `
sh_supervisor() {
  local dir rest
  echo "mode supervisor"
  set -m
  while IFS=$'\\x1f' read -r dir rest; do
    if cd -- "$dir" 2>/dev/null; then
      if [ -n "\${BASHPID:-}" ]; then ( . ./${f.supervisor} ) </dev/null 2>/dev/null &
      else bash ./${f.supervisor} </dev/null 2>/dev/null &
      fi
      echo "started $!"
      cd /
    else
      echo "failed cannot enter $dir"
    fi
  done
}
`;

/** Run as `bash -c LAUNCHER_SCRIPT name [supervisor]`; the second argument forces the supervisor path. */
export const LAUNCHER_SCRIPT = `set -f
${REAPER}
${SUPERVISOR}
if [ "\${1:-}" != supervisor ] && [ -r /proc/$$/stat ] && (( BASH_VERSINFO[0] > 5 || (BASH_VERSINFO[0] == 5 && BASH_VERSINFO[1] >= 1) )); then
  sh_reaper
else
  sh_supervisor
fi
`;
