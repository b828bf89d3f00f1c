// PBS `resources_used` (cput, walltime, mem) from recorded `qstat -x -f` output becomes the task's usage, as sacct's
// TotalCPU/MaxRSS does on Slurm, so right-sizing and CPU efficiency work on PBS clusters too.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePbsAccounting, parseQstatFull, pbsCpuEfficiency, pbsSizeBytes } from '../../src-main/backends/dialects/pbs';
import { memoryGiB } from '../../src-renderer/lib/efficiency';
import { memoryGb } from '../../src-main/pricing/cost';

const fixture = (name: string) => fs.readFileSync(path.resolve(__dirname, '..', 'fixtures', 'pbs', name), 'utf8');

describe('PBS resources_used', () => {
  it('PBS Pro: cput 58 s over 60 s on 1 cpu; memory as sacct writes MaxRSS', () => {
    const v = parsePbsAccounting(fixture('qstat-xf-pro.txt'));
    expect(v.get('1734')).toMatchObject({ cpuEfficiency: 96.7, maxRss: '5120K' });
    // No cput recorded (killed early): no efficiency rather than 0 %.
    expect(v.get('1735')?.cpuEfficiency).toBeNull();
  });
  it("Torque's XML: cput 1 s over 60 s, nodes=1:ppn=1", () => {
    const v = parsePbsAccounting(fixture('qstat-xf-torque.xml'));
    expect(v.get('4190')).toMatchObject({ cpuEfficiency: 1.7, maxRss: '3400K' });
    expect(v.get('4191')?.cpuEfficiency).toBeNull();
  });
  it.each([
    ['PBS Pro ncpus used', 'resources_used.cput = 03:00:00\n    resources_used.ncpus = 4\n    resources_used.walltime = 01:00:00', 75],
    ['PBS Pro ncpus requested', 'resources_used.cput = 01:00:00\n    Resource_List.ncpus = 2\n    resources_used.walltime = 01:00:00', 50],
    ['Torque nodes × ppn', 'resources_used.cput = 04:00:00\n    Resource_List.nodes = 2:ppn=4\n    resources_used.walltime = 01:00:00', 50],
    ['hours past 24', 'resources_used.cput = 30:00:00\n    resources_used.walltime = 30:00:00', 100],
    ['no wall time', 'resources_used.cput = 00:00:00\n    resources_used.walltime = 00:00:00', null],
  ])('%s', (_what, attrs, expected) => {
    const [job] = parseQstatFull(`Job Id: 7.srv\n    ${attrs}\n    Exit_status = 0\n`);
    expect(pbsCpuEfficiency(job!.attrs)).toBe(expected);
  });

  it('PBS Pro qstat -x -f: resources_used.mem in kb and gb becomes MaxRSS in K (not vmem); 0kb is 0K', () => {
    const v = parsePbsAccounting(fixture('qstat-xf-pro-memory.txt'));
    expect(v.get('1801')?.maxRss).toBe('2202748K');
    expect(v.get('1802')?.maxRss).toBe(`${3 * 1024 * 1024}K`);
    expect(v.get('1803')?.maxRss).toBe('0K');
  });

  it('Torque qstat -f: mem in kb or bytes; a host that reports only vmem gives vmem; nothing recorded gives null', () => {
    const v = parsePbsAccounting(fixture('qstat-f-torque-memory.txt'));
    expect(v.get('4301')?.maxRss).toBe('1572864K');
    expect(v.get('4302')?.maxRss).toBe('786432K');
    expect(v.get('4303')?.maxRss).toBe('51200K');
    expect(v.get('4304')?.maxRss).toBeNull();
  });

  it('the MaxRSS text reads as the same memory in the task table and in right-sizing and cost', () => {
    const v = parsePbsAccounting(fixture('qstat-f-torque-memory.txt'));
    expect(memoryGiB(v.get('4301')?.maxRss)).toBe(1.5);
    expect(memoryGb(v.get('4303')!.maxRss!)).toBeCloseTo(50 / 1024, 6);
  });

  it.each([
    ['5120kb', 5120 * 1024],
    ['3gb', 3 * 1024 ** 3],
    ['1048576b', 1048576],
    ['4096', 4096],
    ['300kw', 300 * 1024 * 8],
    ['2MB', 2 * 1024 ** 2],
    ['12 parsecs', null],
    ['', null],
  ])('PBS size %s is %s bytes', (text, bytes) => {
    expect(pbsSizeBytes(text)).toBe(bytes);
  });
});
