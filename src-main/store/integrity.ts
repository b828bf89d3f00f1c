// A damaged history database must stop the engine with a message that names the file and says what to do,
// never start silently with empty history or die later with a raw SQLite stack.
import fs from 'node:fs';
import path from 'node:path';

/** Process exit code for "the history database is damaged" (documented in the CLI help and README). */
export const DAMAGED_DB_EXIT_CODE = 4;

export class DatabaseDamagedError extends Error {
  readonly exitCode = DAMAGED_DB_EXIT_CODE;
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(
      `The history database ${file} is damaged (${problem}). ScriptHut did not start, so nothing more is lost.\n` +
        `To fix it: stop ScriptHut, then restore a backup with \`scripthut db restore <backup>\` ` +
        `(list them with \`scripthut db backups\`; they are kept in ${path.join(path.dirname(file), 'backups')}), ` +
        `or move ${path.basename(file)} away to start with empty history.`,
    );
    this.name = 'DatabaseDamagedError';
  }
}

/** Before opening: an existing file of 0 bytes is a truncated database, not a new one. */
export function checkFileBeforeOpen(file: string): void {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return; // missing: a new database is created
  }
  if (size === 0) throw new DatabaseDamagedError(file, 'the file is empty (0 bytes) although it should hold your history');
}

/** SQLite error codes that mean the file itself is damaged rather than busy or misused. */
export function isCorruptionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || (typeof code === 'string' && code.startsWith('SQLITE_CORRUPT'));
}

/** `PRAGMA quick_check` result rows: ['ok'] when the file is sound. */
export function quickCheckProblem(rows: ReadonlyArray<{ quick_check: string }>): string | null {
  const msgs = rows.map((r) => r.quick_check).filter((m) => m !== 'ok');
  if (msgs.length === 0) return null;
  return `integrity check: ${msgs.slice(0, 3).join('; ')}${msgs.length > 3 ? `; and ${msgs.length - 3} more` : ''}`;
}
