// The message of the bad_input ApiError that `fn` throws; fails the test when it throws nothing or something else.
import { expect } from 'vitest';
import { ApiError } from '../../src-shared/api/contract';

export function badInput(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('bad_input');
    return (err as ApiError).message;
  }
  throw new Error('expected a bad_input error');
}
