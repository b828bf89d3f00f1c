// Prepared statements of the paged reads, kept per connection: a page is read again and again (50 readers
// polling a run), and preparing its SQL cost as much as running it. Bounded, since IN-lists vary in length.
import type { Statement } from 'better-sqlite3';
import type { Db } from '../db';

const MAX_STATEMENTS = 256;
const byDb = new WeakMap<Db, Map<string, Statement<unknown[], unknown>>>();

/** The prepared statement of `sql` on `db`. Each SQL text is always used in one mode (plain, pluck or raw). */
export function prepared(db: Db, sql: string): Statement<unknown[], unknown> {
  let cache = byDb.get(db);
  if (!cache) byDb.set(db, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) {
    if (cache.size >= MAX_STATEMENTS) cache.clear();
    cache.set(sql, (stmt = db.prepare<unknown[], unknown>(sql)));
  }
  return stmt;
}
