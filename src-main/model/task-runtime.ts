// One task of a run as the state machine sees it, and the partial update a transition writes back.
import type { TaskStatus } from '../../src-shared/model/status';

export interface TaskRuntime {
  id: string;
  deps: string[];
  status: TaskStatus;
  jobId: string | null;
  attempt: number;
  retriesLeft: number;
  submittedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  settlingSince: string | null;
  exitCode: number | null;
  error: string | null;
  pendingReason: string | null;
  schedulerState: string | null;
}

// submitTag rides along with the 'submitted' transition so a submission is one UPDATE of the task row, not two.
export type TaskPatch = Partial<Omit<TaskRuntime, 'id' | 'deps'>> & { maxRss?: string | null; cpuEfficiency?: number | null; submitTag?: string | null };
