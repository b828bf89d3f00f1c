import { describe, expect, it } from 'vitest';
import { failureText } from '../../src-main/cli/failure-text';

const base = { scheduler_state: null, memory: '4G', time_limit: '1:00:00' } as const;

describe('failureText: the ERROR words of run view / run watch', () => {
  it.each([
    [{ status: 'failed', exit_code: 3, error: 'Non-zero exit code' }, 'Exit code 3'],
    [{ status: 'failed', exit_code: 137, error: 'Non-zero exit code' }, 'Killed (SIGKILL)'],
    [{ status: 'failed', exit_code: 139, error: null }, 'Killed (SIGSEGV)'],
    // Specific reasons the engine recorded are kept word for word.
    [{ status: 'failed', exit_code: null, error: 'lost: no record of the job after 300 s' }, 'lost: no record of the job after 300 s'],
    [{ status: 'failed', exit_code: 0, error: 'Out of memory (OOM killed)' }, 'Out of memory (OOM killed)'],
    [{ status: 'dep_failed', exit_code: null, error: "Dependency 'bad' failed" }, "Dependency 'bad' failed"],
    [{ status: 'cancelled', exit_code: 143, error: 'Cancelled by user' }, 'Cancelled by user'],
    [{ status: 'completed', exit_code: 0, error: null }, ''],
  ] as const)('%j → %s', (t, words) => {
    expect(failureText({ ...base, ...t })).toBe(words);
  });
});
