// Input checks and SQL fragments shared by the paged queries. Bad values become 'bad_input' errors that name the
// value and the allowed ones, so a typo in `--status runing` is a clear message, not an empty page.
import { ApiError } from '../../../src-shared/api/contract';

/** Split a comma list of statuses and check each against `allowed`; empty/absent means "no filter". */
export function parseStatusList<S extends string>(text: string | undefined, allowed: readonly S[], what: string): S[] {
  if (text === undefined) return [];
  const parts = text.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = parts.filter((p) => !(allowed as readonly string[]).includes(p));
  if (bad.length) {
    throw new ApiError('bad_input', `Unknown ${what} status ${bad.map((b) => `'${b}'`).join(', ')} in status filter; allowed: ${allowed.join(', ')}.`);
  }
  return [...new Set(parts)] as S[];
}

/** Check a one-of value (sort, order) with the same message shape as statuses. */
export function parseChoice<S extends string>(value: string | undefined, allowed: readonly S[], what: string): S | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new ApiError('bad_input', `Unknown ${what} '${value}'; allowed: ${allowed.join(', ')}.`);
  return value as S;
}

/** A LIKE pattern matching `q` anywhere, with LIKE's own wildcards taken literally (use with ESCAPE '\'). */
export function containsPattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** `col IN (?, ?, …)` for a non-empty list. */
export function inList(col: string, n: number): string {
  return `${col} IN (${Array.from({ length: n }, () => '?').join(', ')})`;
}

/** Clamp an optional page size to [1, max] with a default; the contract documents the cap. */
export function pageSize(limit: number | undefined, def: number, max: number): number {
  if (limit === undefined) return def;
  return Math.min(Math.max(limit, 1), max);
}
