// Which branch names a user may ask for. The name ends up in `git fetch origin refs/heads/<b>`, so anything that
// could read as an option, a revision range or a path escape is refused before git sees it.
const BRANCH_RE = /^[A-Za-z0-9](?:[A-Za-z0-9._/+-]*[A-Za-z0-9])?$/;
export const MAX_BRANCH_LENGTH = 200;

/** null when the name is acceptable, otherwise why not. */
export function branchNameProblem(name: string): string | null {
  if (name.length === 0) return 'the branch name is empty';
  if (name.length > MAX_BRANCH_LENGTH) return `the branch name is ${name.length} characters long (at most ${MAX_BRANCH_LENGTH})`;
  if (name.includes('..')) return `the branch name '${name}' contains '..'`;
  if (!BRANCH_RE.test(name)) return `the branch name '${name}' may only use letters, digits and . _ / + - (and must start and end with a letter or digit)`;
  return null;
}
