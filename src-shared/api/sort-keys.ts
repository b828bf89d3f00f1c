// The sort keys of the paged reads, apart from the contract: the renderer's boot entry (router → run-sort) needs
// them, and importing the contract there would evaluate zod and every schema before the app's own entry.

/** Sort keys of a run's task page (runs.get). */
export const TASK_SORT_KEYS = ['id', 'status', 'submitted_at', 'started_at', 'finished_at', 'duration'] as const;
export const SORT_ORDERS = ['asc', 'desc'] as const;
/** Sort keys of the runs list (runs.list): the columns the runs table shows, bar the computed progress and cost. */
export const RUN_SORT_KEYS = ['created_at', 'finished_at', 'status', 'workflow', 'backend'] as const;
