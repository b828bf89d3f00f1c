// What a sortable column header of the runs and task grids says about the current order: `aria-sort` for screen
// readers and an arrow for the eye. Both grids render their headers from these, so they cannot disagree.
export interface ColumnSort<K extends string> {
  key: K;
  order: 'asc' | 'desc';
}

export function ariaSort<K extends string>(sort: ColumnSort<K>, key: K): 'ascending' | 'descending' | 'none' {
  return sort.key === key ? (sort.order === 'asc' ? 'ascending' : 'descending') : 'none';
}

/** The arrow after the header's label ('' on columns the rows are not sorted by). */
export function sortArrow<K extends string>(sort: ColumnSort<K>, key: K): string {
  return sort.key === key ? (sort.order === 'asc' ? ' ↑' : ' ↓') : '';
}
