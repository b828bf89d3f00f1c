// fnmatch-style patterns for wildcard dependencies (Python `fnmatch.fnmatchcase` semantics, which the original
// ScriptHut used, so existing workflow files keep meaning the same thing).

const WILDCARD_CHARS = /[*?[]/;

/** A dependency is a pattern when it contains `*`, `?` or `[`. */
export function isWildcard(dep: string): boolean {
  return WILDCARD_CHARS.test(dep);
}

/** The part before the first wildcard character: every match starts with it (used to index ids). */
export function literalPrefix(pattern: string): string {
  const m = WILDCARD_CHARS.exec(pattern);
  return m ? pattern.slice(0, m.index) : pattern;
}

const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|/-]/g;
const escapeRegex = (s: string): string => s.replace(REGEX_SPECIAL, '\\$&');
const escapeClassChar = (c: string): string => (c === '\\' || c === ']' || c === '[' || c === '^' || c === '-' ? `\\${c}` : c);

/** Translate an fnmatch pattern to an anchored RegExp source, mirroring Python's `fnmatch.translate`. */
export function globToRegExpSource(pattern: string): string {
  let out = '';
  const n = pattern.length;
  let i = 0;
  while (i < n) {
    const c = pattern[i++] as string;
    if (c === '*') {
      while (pattern[i] === '*') i++;
      out += '[\\s\\S]*';
    } else if (c === '?') {
      out += '[\\s\\S]';
    } else if (c === '[') {
      let j = i;
      if (pattern[j] === '!') j++;
      if (pattern[j] === ']') j++;
      while (j < n && pattern[j] !== ']') j++;
      if (j >= n) {
        out += '\\['; // no closing bracket: a literal '['
        continue;
      }
      let body = pattern.slice(i, j);
      i = j + 1;
      const negate = body.startsWith('!');
      if (negate) body = body.slice(1);
      let cls = '';
      for (let k = 0; k < body.length; k++) {
        const lo = body[k] as string;
        if (body[k + 1] === '-' && k + 2 < body.length) {
          const hi = body[k + 2] as string;
          k += 2;
          if (lo <= hi) cls += `${escapeClassChar(lo)}-${escapeClassChar(hi)}`; // reversed ranges match nothing, as in Python
        } else {
          cls += escapeClassChar(lo);
        }
      }
      if (cls === '') out += negate ? '[\\s\\S]' : '(?!)';
      else out += `[${negate ? '^' : ''}${cls}]`;
    } else {
      out += escapeRegex(c);
    }
  }
  return `^${out}$`;
}

/** Compile an fnmatch pattern into a case-sensitive predicate. */
export function compileGlob(pattern: string): (id: string) => boolean {
  const re = new RegExp(globToRegExpSource(pattern));
  return (id) => re.test(id);
}
