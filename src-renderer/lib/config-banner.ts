// What the config error banner shows: each located issue once. The engine's message and its issues repeat the
// location ("file:3:1: YAML syntax error…" and "line 3, column 1: YAML syntax error…" with line 3) and the
// path ("backends[0] ('x').max_concurrent: …" under path backends[0].max_concurrent), for terminals that only
// print the message; here the location goes in its own column and nothing is said twice.
export interface ConfigErrorLike {
  message: string;
  issues: ReadonlyArray<{ path: string; message: string; line?: number | null }>;
}

export interface BannerIssue {
  /** "line 3" or "line 3, column 1"; null when the issue has no line. */
  where: string | null;
  /** The config path, when the message does not already start with it. */
  path: string | null;
  message: string;
}

const LOCATION = /^line (\d+)(?:, column (\d+))?: /;

export function bannerIssues(error: ConfigErrorLike): BannerIssue[] {
  return error.issues.map((i) => {
    const m = LOCATION.exec(i.message);
    const message = m ? i.message.slice(m[0].length) : i.message;
    const line = i.line ?? (m ? Number(m[1]) : null);
    const where = line ? `line ${line}${m?.[2] && Number(m[1]) === line ? `, column ${m[2]}` : ''}` : null;
    const head = i.path.split(/[.[]/)[0] ?? '';
    const path = i.path && !(head && message.startsWith(head)) ? i.path : null;
    return { where, path, message };
  });
}

/** The sentence above the issue list: the message's first line, unless it only repeats an issue. */
export function bannerSummary(error: ConfigErrorLike, issues: readonly BannerIssue[] = bannerIssues(error)): string {
  if (!error.issues.length) return error.message;
  const first = error.message.split('\n')[0] ?? error.message;
  return issues.some((i) => i.message && first.endsWith(i.message)) ? '' : first;
}
