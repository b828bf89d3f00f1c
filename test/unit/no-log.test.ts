// Why a task has no log, said once and plainly (found by a try-out: "(dependency failed: Dependency 'x' failed)").
import { describe, expect, it } from 'vitest';
import { noLogMessage } from '../../src-shared/model/no-log';

describe('noLogMessage', () => {
  it('a task whose dependency failed says so once', () => {
    const m = noLogMessage({ id: 'b', status: 'dep_failed', attempt: 1, error: "Dependency 'x' failed" }, 1);
    expect(m).toBe("Task 'b' never ran in attempt 1: its dependency 'x' failed, so it has no log.");
  });

  it('a task whose dependency was cancelled says that', () => {
    const m = noLogMessage({ id: 'b', status: 'dep_failed', attempt: 2, error: "Dependency 'x' was cancelled" }, 2);
    expect(m).toBe("Task 'b' never ran in attempt 2: its dependency 'x' was cancelled, so it has no log.");
  });

  it('a cancel does not repeat the status word', () => {
    const m = noLogMessage({ id: 'a', status: 'cancelled', attempt: 1, error: 'Cancelled by user' }, 1);
    expect(m).toBe("Task 'a' never ran in attempt 1: cancelled by user, so it has no log.");
  });

  it('other reasons keep the status and the reason', () => {
    expect(noLogMessage({ id: 'a', status: 'failed', attempt: 1, error: 'Submission halted: no such partition' }, 1))
      .toBe("Task 'a' never ran in attempt 1: failed: Submission halted: no such partition, so it has no log.");
    expect(noLogMessage({ id: 'a', status: 'cancelled', attempt: 1, error: null }, 1)).toBe("Task 'a' never ran in attempt 1: cancelled, so it has no log.");
  });

  it('a task still to run, and a missing attempt', () => {
    expect(noLogMessage({ id: 'a', status: 'pending', attempt: 1, error: null }, 1)).toBe("Task 'a' has not been submitted yet (attempt 1); no log exists.");
    expect(noLogMessage({ id: 'a', status: 'completed', attempt: 2, error: null }, 5)).toBe("Task 'a' has no attempt 5 (its latest is 2); no log exists.");
  });
});
