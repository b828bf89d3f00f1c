// The per-run checkout of a git source on a backend reached over a shell (SSH clusters): `<clone_dir>/<sha12>`,
// reused when present. The deploy key travels on stdin into a private temp file that the script always removes
// (trap), so it is never on a command line, in the command log or left behind. Built in a temp folder and moved
// into place only when clone, checkout and postclone all worked.
import { shPath, shq } from '../transport/quote';

export interface RemoteCheckoutPlan {
  cloneDir: string;
  url: string;
  branch: string;
  commit: string;
  postclone: string | null;
  /** The deploy key's text (read on this machine), sent on stdin; null = the backend's own credentials. */
  deployKey: string | null;
}

export function remoteCheckoutDir(cloneDir: string, commit: string): string {
  return `${cloneDir.replace(/\/+$/, '')}/${commit.slice(0, 12)}`;
}

/** A bash script; it prints the checkout folder on its last line. Feed `plan.deployKey` (if any) on stdin. */
export function remoteCheckoutScript(plan: RemoteCheckoutPlan): string {
  const dir = remoteCheckoutDir(plan.cloneDir, plan.commit);
  // $TMPKEY comes from mktemp (no spaces), so it may expand inside the double quotes.
  const ssh = plan.deployKey
    ? '"ssh -i $TMPKEY -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=accept-new"'
    : '"ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new"';
  return [
    'set -eu',
    `DIR=${shPath(dir)}`,
    'if [ -d "$DIR" ]; then cd "$DIR" && pwd; exit 0; fi',
    `mkdir -p ${shPath(plan.cloneDir)}`,
    'TMP=$(mktemp -d "$DIR.tmp-XXXXXX")',
    'TMPKEY=',
    `trap 'rm -rf "$TMP"; [ -z "$TMPKEY" ] || rm -f "$TMPKEY"' EXIT`,
    ...(plan.deployKey ? ['TMPKEY=$(mktemp /tmp/scripthut_key_XXXXXX)', 'chmod 600 "$TMPKEY"', 'cat > "$TMPKEY"'] : []),
    'export GIT_TERMINAL_PROMPT=0',
    `export GIT_SSH_COMMAND=${ssh}`,
    `git clone -q --branch ${shq(plan.branch)} --single-branch ${shq(plan.url)} "$TMP"`,
    `git -C "$TMP" checkout -q --detach ${shq(plan.commit)}`,
    ...(plan.postclone ? [`(cd "$TMP" && bash -c ${shq(plan.postclone)}) 1>&2`] : []),
    // Another run may have made the same checkout meanwhile: keep theirs.
    'if mv -T "$TMP" "$DIR" 2>/dev/null; then :; fi',
    'cd "$DIR" && pwd',
  ].join('\n');
}
