// One change of a task's status, with the reason shown in its history and the fields it writes.
import type { TaskStatus } from '../../src-shared/model/status';
import type { TaskPatch } from './task-runtime';

export interface Transition {
  taskId: string;
  from: TaskStatus;
  to: TaskStatus;
  reason: string;
  patch: TaskPatch;
}
