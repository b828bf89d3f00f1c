// The runs list's page size, shared by the renderer (which asks for it) and the host (which reads it once before
// it listens, so the first open after a start finds the read worker running and SQLite's pages cached).
export const RUNS_PAGE = 500;

/** The runs page's first request exactly as the renderer sends it with no filter. */
export const FIRST_RUNS_PAGE = { limit: RUNS_PAGE } as const;
