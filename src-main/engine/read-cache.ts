// Answers of the read worker kept as encoded JSON until the database changes. Fifty UIs polling the same page between
// two commits of the engine cost one query and one serialisation; a commit from any other connection changes
// SQLite's `PRAGMA data_version` on this one, and the whole cache is dropped, so no answer outlives the state it
// was computed from. Bounded by entries and bytes: a flood of distinct queries drops the oldest answers first.
// The engine's thread keeps one too (read-replica.ts), filed under its own connection's change stamp.

export interface ReadCacheLimits {
  maxEntries: number;
  /** Budget in the answers' `length` (bytes for the worker's UTF-8 answers). */
  maxChars: number;
}

export const DEFAULT_READ_CACHE_LIMITS: ReadCacheLimits = { maxEntries: 512, maxChars: 32 * 1024 * 1024 };

export class ReadCache<T extends { readonly length: number } = string> {
  private readonly answers = new Map<string, T>();
  private version: number | string | null = null;
  private chars = 0;

  constructor(private readonly limits: ReadCacheLimits = DEFAULT_READ_CACHE_LIMITS) {}

  /**
   * The cached answer for key, if the database is still at `dataVersion`. A changed version empties the cache
   * first: the version is read before the answer is computed, so an entry is never older than its version.
   */
  get(dataVersion: number | string, key: string): T | undefined {
    if (dataVersion !== this.version) {
      this.answers.clear();
      this.chars = 0;
      this.version = dataVersion;
      return undefined;
    }
    return this.answers.get(key);
  }

  set(dataVersion: number | string, key: string, json: T): void {
    if (dataVersion !== this.version || json.length > this.limits.maxChars) return;
    this.answers.set(key, json);
    this.chars += json.length;
    for (const [oldKey, old] of this.answers) {
      if (this.answers.size <= this.limits.maxEntries && this.chars <= this.limits.maxChars) break;
      this.answers.delete(oldKey);
      this.chars -= old.length;
    }
  }

  get size(): number {
    return this.answers.size;
  }
}
