// PBS `resources_used` (cput, walltime, mem) from recorded `qstat -x -f` output becomes the task's usage, as sacct's
// TotalCPU/MaxRSS does on Slurm, so right-sizing and CPU efficiency work on PBS clusters too.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePbsAccounting, parseQstatFull, pbsCpuEfficiency } from '../../src-main/backends/dialects/pbs';

const fixture = (name: string) => fs.readFileSync(path.resolve(__dirname, '..', 'fixtures', 'pbs', name), 'utf8');

describe('PBS resources_used', () => {
  it('PBS Pro: cput 58 s over 60 s on 1 cpu; memory kept as PBS prints it', () => {
    const v = parsePbsAccounting(fixture('qstat-xf-pro.txt'));
    expect(v.get('1734')).toMatchObject({ cpuEfficiency: 96.7, maxRss: '5120kb' });
    // No cput recorded (killed early): no efficiency rather than 0 %.
    expect(v.get('1735')?.cpuEfficiency).toBeNull();
  });
  it("Torque's XML: cput 1 s over 60 s, nodes=1:ppn=1", () => {
    const v = parsePbsAccounting(fixture('qstat-xf-torque.xml'));
    expect(v.get('4190')).toMatchObject({ cpuEfficiency: 1.7, maxRss: '3400kb' });
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
});
