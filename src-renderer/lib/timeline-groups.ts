// The grouped Timeline of a big run: one bar per task group, which opens into its tasks' own bars. This file is
// the pure part: when the Timeline groups, what a group's bar spans, and the flat row list the view virtualises.
import type { TimelineGroup, TimelineTask } from '../../src-shared/api/graph-schemas';
import { groupState } from '../../src-shared/model/run-graph';
import type { TaskStatus } from '../../src-shared/model/status';

export type { TimelineGroup, TimelineTask };

/** Above this many tasks (matching the table's filters) the Timeline draws groups instead of one bar per task. */
export const GROUPED_TIMELINE_ABOVE = 2000;
/** Tasks fetched when a group opens, and per "Show more". */
export const GROUP_PAGE = 500;

export function timelineGrouped(taskCount: number): boolean {
  return taskCount > GROUPED_TIMELINE_ABOVE;
}

/** How the API names a group: its name, or '' for the ungrouped tasks. */
export function groupKey(group: string | null): string {
  return group ?? '';
}

export function groupLabel(group: string | null): string {
  return group ?? '(ungrouped tasks)';
}

/** A group's bar as one task's would be: waiting from its first submission to its first start, running from
 * its first start to its last finish (or now while any task is unfinished). */
export function groupSpan(g: Pick<TimelineGroup, 'submitted_at' | 'started_at' | 'finished_at'>): { submitted_at: string | null; started_at: string | null; finished_at: string | null } {
  return { submitted_at: g.submitted_at, started_at: g.started_at, finished_at: g.finished_at };
}

/** The state a group's bar is coloured by: trouble first, then activity (as the DAG view's group nodes). */
export function groupBarState(g: Pick<TimelineGroup, 'status_counts'>): TaskStatus {
  return groupState(g.status_counts);
}

export interface OpenGroup {
  tasks: TimelineTask[];
  total: number;
  loading: boolean;
}

export type TimelineRow =
  | { kind: 'group'; key: string; group: TimelineGroup; open: boolean }
  | { kind: 'task'; key: string; task: TimelineTask }
  | { kind: 'more'; key: string; loaded: number; total: number; loading: boolean };

/** Groups in order; an open group is followed by its loaded tasks and, while more remain, a "show more" row. */
export function timelineRows(groups: readonly TimelineGroup[], open: Readonly<Record<string, OpenGroup>>): TimelineRow[] {
  const rows: TimelineRow[] = [];
  for (const group of groups) {
    const key = groupKey(group.group);
    const o = open[key];
    rows.push({ kind: 'group', key, group, open: o !== undefined });
    if (!o) continue;
    for (const task of o.tasks) rows.push({ kind: 'task', key, task });
    if (o.loading || o.tasks.length < o.total) rows.push({ kind: 'more', key, loaded: o.tasks.length, total: o.total, loading: o.loading });
  }
  return rows;
}
