// The task table's CPU and memory cells from the values the backends record (sacct MaxRSS "…K", PBS "…kb").
import { describe, expect, it } from 'vitest';
import { cpuText, formatGiB, memoryGiB, memoryUse } from '../../src-renderer/lib/efficiency';

describe('efficiency cells', () => {
  it.each([
    ['4G', 4],
    ['4GB', 4],
    ['4GiB', 4],
    ['512M', 0.5],
    ['1024', 1],
    ['1048576K', 1],
    ['2097152kb', 2],
    ['1T', 1024],
    ['', null],
    ['lots', null],
    [null, null],
  ])('%s is %s GiB', (text, gib) => expect(memoryGiB(text)).toBe(gib));

  it('shows peak memory against the request, and CPU as a percent', () => {
    expect(memoryUse('1048576K', '4G')).toEqual({ text: '1 GB / 4 GB', percent: 25 });
    expect(memoryUse('3500M', '4G')).toEqual({ text: '3.4 GB / 4 GB', percent: 85 });
    expect(memoryUse('300M', null)).toEqual({ text: '300 MB', percent: null });
    expect(memoryUse(null, '4G')).toBeNull();
    expect(formatGiB(250)).toBe('250 GB');
    expect(formatGiB(0.0000005)).toBe('1 KB');
    expect(cpuText(87.6)).toBe('88%');
    expect(cpuText(null)).toBe('—');
  });
});
