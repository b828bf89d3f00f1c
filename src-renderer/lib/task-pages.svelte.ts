// A run's tasks as the server pages them: only the pages under the visible window are fetched, filter/search/sort
// are the server's, and live task events patch the rows already loaded. A run of 100,000 tasks therefore costs
// one page of rows in memory and in the DOM, not the whole run.
import type { RunDetail, TaskView } from '../../src-shared/api/schemas';

import { PAGE_SIZE, pagesFor, pagesToEvict, prefetchRange, queryInput, type PageFetcher, type TaskQuery } from './task-page-query';

export { PAGE_SIZE, pagesFor, queryInput, type PageFetcher, type ServerSortKey, type TaskQuery } from './task-page-query';

export class TaskPages {
  /** Tasks matching the query across all pages (the table's row count). */
  matched = $state(0);
  /** Bumped whenever loaded rows change, so views re-read `row(i)`. */
  version = $state(0);
  error = $state<string | null>(null);

  // Deliberately plain maps: views re-read rows when `version` is bumped, so 100,000 rows stay unproxied.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private pages = new Map<number, TaskView[]>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping of requests, never rendered
  private inflight = new Map<number, Promise<void>>();
  /** Bumped by reset: answers to an older query are dropped. */
  private generation = 0;
  /** Where the last window started, to tell which way the view scrolls. */
  private lastStart = 0;
  /**
   * The live changes that arrived while each read was on its way, the newest per task (and of the run). A read
   * and the event stream travel apart, so an answer can land after events newer than what it read: those are laid
   * over it, or the rows (and the header) would stay as the read saw them until the next change, which for a run
   * that just finished never comes.
   */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping of requests, never rendered
  private arrivedDuringReads = new Set<{ tasks: Map<string, TaskView>; run: Partial<RunDetail> | null }>();
  /** A task whose page is never dropped (the selected one: its panel reads it from here). */
  pinned: string | null = null;

  constructor(
    private runId: string,
    private fetchPage: PageFetcher,
    private query: TaskQuery,
    private onRun: (detail: RunDetail) => void = () => {},
  ) {}

  /** A new query (or a forced refresh): forget the loaded pages; the caller then asks for its window again. */
  reset(query: TaskQuery = this.query): void {
    this.query = query;
    this.generation++;
    this.pages.clear();
    this.inflight.clear();
    this.version++;
  }

  /** Re-read the loaded pages in place (rows stay on screen until the new answers land). */
  refresh(): Promise<void> {
    const loaded = [...this.pages.keys()];
    this.generation++;
    this.inflight.clear();
    return Promise.all(loaded.map((p) => this.load(p))).then(() => undefined);
  }

  row(i: number): TaskView | undefined {
    return this.pages.get(Math.floor(i / PAGE_SIZE))?.[i % PAGE_SIZE];
  }

  find(taskId: string): TaskView | undefined {
    for (const rows of this.pages.values()) {
      const t = rows.find((r) => r.id === taskId);
      if (t) return t;
    }
    return undefined;
  }

  /**
   * A view's window [start, end): fetch its pages and the rows just ahead of it in the direction of scrolling,
   * and forget the pages farthest from it beyond MAX_PAGES. A page fetched ahead lands off screen, so no row
   * slot changes when it does, and it is there when the window reaches it.
   */
  ensureWindow(start: number, end: number): Promise<void> {
    const [from, to] = prefetchRange(start, end, this.lastStart, this.matched);
    this.lastStart = start;
    const want = pagesFor(from, Math.max(to, from + 1));
    const first = want[0] ?? 0;
    const last = want[want.length - 1] ?? 0;
    const drop = pagesToEvict([...this.pages.keys()], first, last).filter((p) => !this.holdsPinned(p));
    for (const p of drop) this.pages.delete(p);
    return this.ensure(from, to);
  }

  private holdsPinned(page: number): boolean {
    const id = this.pinned;
    return id !== null && (this.pages.get(page)?.some((r) => r.id === id) ?? false);
  }

  /** Fetch whatever pages of rows [start, end) are not loaded yet. */
  ensure(start: number, end: number): Promise<void> {
    const want = pagesFor(start, Math.max(end, start + 1)).filter((p) => !this.pages.has(p));
    return Promise.all(want.map((p) => this.inflight.get(p) ?? this.load(p))).then(() => undefined);
  }

  private load(page: number): Promise<void> {
    const gen = this.generation;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping of requests, never rendered
    const arrived = { tasks: new Map<string, TaskView>(), run: null as Partial<RunDetail> | null };
    this.arrivedDuringReads.add(arrived);
    const job = this.fetchPage(queryInput(this.runId, this.query, page * PAGE_SIZE))
      .then((detail) => {
        if (gen !== this.generation) return;
        this.pages.set(page, arrived.tasks.size ? detail.items.map((t) => arrived.tasks.get(t.id) ?? t) : detail.items);
        this.matched = detail.matched_items;
        this.error = null;
        this.version++;
        this.onRun(arrived.run ? { ...detail, ...arrived.run } : detail);
      })
      .catch((err: unknown) => {
        if (gen === this.generation) this.error = (err as Error).message;
      })
      .finally(() => {
        this.arrivedDuringReads.delete(arrived);
        if (this.inflight.get(page) === job) this.inflight.delete(page);
      });
    this.inflight.set(page, job);
    return job;
  }

  /** A live change: replace the row wherever it is loaded. Returns whether it was on a loaded page. */
  patch(task: TaskView): boolean {
    for (const a of this.arrivedDuringReads) a.tasks.set(task.id, task);
    for (const rows of this.pages.values()) {
      const i = rows.findIndex((r) => r.id === task.id);
      if (i >= 0) {
        rows[i] = task;
        this.version++;
        return true;
      }
    }
    return false;
  }

  /** A live change of the run itself: kept for the reads on their way (the caller shows it). */
  patchRun(run: Partial<RunDetail>): void {
    for (const a of this.arrivedDuringReads) a.run = { ...a.run, ...run };
  }

  /** Whether a task change can move rows (filter or sort by a changing field), so loaded pages need re-reading. */
  get orderDependsOnState(): boolean {
    return this.query.status.length > 0 || (this.query.sort !== null && this.query.sort !== 'id');
  }
}
