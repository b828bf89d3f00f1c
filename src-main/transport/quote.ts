// The one quoting helper. Remote and local commands are built from these, never concatenated from raw text.

/** Quote a value as ONE POSIX shell word. Nothing inside is expanded: quotes, `$(...)`, backticks, newlines. */
export function shq(value: string): string {
  if (value === '') return "''";
  if (/^[A-Za-z0-9_\-+=.,/:@%^]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Quote a path, keeping a leading `~` meaningful: `~/x y` becomes `"$HOME"/'x y'`. A single-quoted `~` would be
 * a literal folder named `~` (the original got this wrong).
 */
export function shPath(path: string): string {
  if (path === '~') return '"$HOME"';
  if (path.startsWith('~/')) return `"$HOME"/${shq(path.slice(2))}`;
  return shq(path);
}

/** Build a command line from words: `cmd('squeue', '--me', '-o', fmt)`. */
export function cmd(...words: string[]): string {
  return words.map(shq).join(' ');
}

/** Scripts travel with LF line endings only (a CRLF shebang breaks bash). */
export function normaliseNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/**
 * A heredoc that delivers `body` verbatim to `command`'s stdin. The delimiter is chosen so it cannot occur in
 * the body, and it is quoted so the shell expands nothing inside.
 */
export function heredoc(command: string, body: string): string {
  const text = normaliseNewlines(body);
  let delim = 'SCRIPTHUT_EOF';
  let n = 0;
  while (text.split('\n').includes(delim)) delim = `SCRIPTHUT_EOF_${++n}`;
  return `${command} <<'${delim}'\n${text}${text.endsWith('\n') ? '' : '\n'}${delim}`;
}
