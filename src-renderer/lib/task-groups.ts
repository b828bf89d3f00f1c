// Dot-named task ids group under their first segment, as the original did: `a.b.c` belongs to `a`.

/** The group of a task id, or null for an id without a dot. */
export function groupOf(id: string): string | null {
  const dot = id.indexOf('.');
  return dot > 0 ? id.slice(0, dot) : null;
}
