// Health's disk check reads the real free space of the data folder's filesystem (statfs).
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { dataDirSpace } from '../../src-main/platform/disk-space';

describe('dataDirSpace', () => {
  it('reports free bytes, and a warning naming the folder only when below the threshold', () => {
    const dir = os.tmpdir();
    const fine = dataDirSpace(dir, 0);
    expect(fine.free_bytes).toBeGreaterThan(0);
    expect(fine.warning).toBeNull();
    const full = dataDirSpace(dir, Number.MAX_SAFE_INTEGER);
    expect(full.warning).toContain(dir);
    expect(full.warning).toMatch(/full/);
  });
  it('says nothing rather than guessing when the folder cannot be measured', () => {
    expect(dataDirSpace('/no/such/folder/anywhere')).toEqual({ free_bytes: null, warning: null });
  });
});
