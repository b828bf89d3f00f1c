// The shell text of every stack operation: check (one command), delete, and the install task's command. Paths
// keep a leading `~` meaningful ("$HOME"/…): a quoted `~` is a literal folder (the original's bug 71d2ab8).
import { shPath, shq } from '../transport/quote';

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Stack names become folder names that `rm -rf` acts on: no `/`, no `..`, no leading dot or dash. */
export function stackNameProblem(name: string): string | null {
  if (!SAFE_NAME.test(name) || name.includes('..')) return `stack name '${name}' must be letters, digits, '.', '_' or '-' (starting with a letter or digit) because it names a folder`;
  return null;
}

function trimSlash(dir: string): string {
  const t = dir.replace(/\/+$/, '');
  return t === '' ? '/' : t;
}

/** `<cache_dir>/<name>`: every build of a stack (one folder per hash). */
export function stackRoot(cacheDir: string, name: string): string {
  return `${trimSlash(cacheDir)}/${name}`;
}

/** `<cache_dir>/<name>/<hash>`: one build; ready when it holds `.ready`. */
export function stackDir(cacheDir: string, name: string, hash: string): string {
  return `${stackRoot(cacheDir, name)}/${hash}`;
}

export const READY_FILE = '.ready';

/**
 * One command answering READY (then the sentinel's mtime in epoch seconds and the size in bytes), INSTALLING
 * (folder without sentinel) or MISSING. GNU stat/du first, BSD forms as the fallback (a Mac's local backend).
 */
export function checkScript(dir: string): string {
  return [
    `D=${shPath(dir)}`,
    `if [ -f "$D/${READY_FILE}" ]; then`,
    '  echo READY',
    `  stat -c %Y "$D/${READY_FILE}" 2>/dev/null || stat -f %m "$D/${READY_FILE}"`,
    '  S=$(du -sb "$D" 2>/dev/null | cut -f1)',
    '  [ -n "$S" ] || S=$(( $(du -sk "$D" | cut -f1) * 1024 ))',
    '  echo "$S"',
    'elif [ -d "$D" ]; then echo INSTALLING',
    'else echo MISSING',
    'fi',
  ].join('\n');
}

/** Removes every build of the stack (all hashes), like the original's delete. */
export function deleteScript(cacheDir: string, name: string): string {
  const problem = stackNameProblem(name);
  if (problem) throw new Error(problem);
  return `rm -rf -- ${shPath(stackRoot(cacheDir, name))}`;
}

export type StackState = 'missing' | 'installing' | 'ready';

export interface CheckResult {
  state: StackState;
  lastBuilt: string | null;
  sizeBytes: number | null;
  error: string | null;
}

/** Reads checkScript's answer. A failed command is "missing" with its stderr as the error (as the original). */
export function parseCheck(res: { exitCode: number; stdout: string; stderr: string }): CheckResult {
  if (res.exitCode !== 0) return { state: 'missing', lastBuilt: null, sizeBytes: null, error: res.stderr.trim() || `check exited with code ${res.exitCode}` };
  const lines = res.stdout.replace(/\r/g, '').split('\n').map((l) => l.trim()).filter(Boolean);
  const word = lines.find((l) => l === 'READY' || l === 'INSTALLING' || l === 'MISSING');
  if (word === 'READY') {
    const at = lines.indexOf('READY');
    const epoch = Number(lines[at + 1]);
    const size = Number(lines[at + 2]);
    return {
      state: 'ready',
      lastBuilt: Number.isFinite(epoch) && lines[at + 1] ? new Date(epoch * 1000).toISOString() : null,
      sizeBytes: Number.isFinite(size) && lines[at + 2] ? size : null,
      error: null,
    };
  }
  if (word === 'INSTALLING') return { state: 'installing', lastBuilt: null, sizeBytes: null, error: `Cache directory exists but ${READY_FILE} sentinel is missing` };
  if (word === 'MISSING') return { state: 'missing', lastBuilt: null, sizeBytes: null, error: null };
  return { state: 'missing', lastBuilt: null, sizeBytes: null, error: `unexpected check output: ${res.stdout.trim().slice(0, 200) || '(empty)'}` };
}

/**
 * The install task's command. It runs in a subshell so its `set -euo pipefail` and fast-path `exit 0` stay
 * inside it; the job script around it still records the exit code. A rebuild, or a folder left half-built by an
 * earlier attempt, is removed first.
 */
export function installCommand(args: { name: string; dir: string; prep: string; rebuild: boolean }): string {
  const problem = stackNameProblem(args.name);
  if (problem) throw new Error(problem);
  const prep = args.prep.replace(/\r\n?/g, '\n').trimEnd();
  const lines = [
    '(',
    `HASH_DIR=${shPath(args.dir)}`,
    `READY="$HASH_DIR/${READY_FILE}"`,
    `REBUILD=${args.rebuild ? 1 : 0}`,
    `if [ "$REBUILD" = 0 ] && [ -f "$READY" ]; then echo ${shq(`Stack ${args.name} is already built`)} "at $HASH_DIR"; exit 0; fi`,
    'if [ -e "$HASH_DIR" ]; then echo "Removing $HASH_DIR"; rm -rf -- "$HASH_DIR"; fi',
    'set -euo pipefail',
    'mkdir -p "$HASH_DIR"',
    'export STACK_DIR="$HASH_DIR"',
    'cd "$HASH_DIR"',
  ];
  if (prep) lines.push('# --- prep ---', prep, '# --- end prep ---');
  lines.push('touch "$READY"', `echo ${shq(`Stack ${args.name} built`)} "at $HASH_DIR"`, ')');
  return lines.join('\n');
}
