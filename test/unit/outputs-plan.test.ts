// What a task's listing becomes: the limits (200 files, 5 MiB), the notes saying what was skipped, what is kept
// offline, and how copies are split into bounded remote commands.
import { describe, expect, it } from 'vitest';
import { fetchBatches, planCollection } from '../../src-main/outputs/collection-plan';

const MiB = 1024 * 1024;

describe('planCollection', () => {
  it('keeps markdown and images, lists the rest, and takes the run-summary fragment apart', () => {
    const p = planCollection([
      { path: 'data.csv', size: 10 },
      { path: '.run-summary.md', size: 20 },
      { path: 'plots/a.png', size: 30 },
      { path: 'task-summary.md', size: 40 },
      { path: 'model.bin', size: 50 },
    ]);
    expect(p.outputs.map((o) => [o.path, o.kind, o.keep, o.skipped])).toEqual([
      ['task-summary.md', 'markdown', true, null],
      ['data.csv', 'csv', false, null],
      ['model.bin', 'other', false, null],
      ['plots/a.png', 'image', true, null],
    ]);
    expect(p.runSummary).toEqual({ path: '.run-summary.md', size: 20 });
    expect(p.notes).toEqual([]);
  });

  it('marks files over 5 MiB as skipped (not kept, not fetchable) and says which', () => {
    const p = planCollection([
      { path: 'huge.png', size: 5 * MiB + 1 },
      { path: 'edge.png', size: 5 * MiB },
      { path: '.run-summary.md', size: 6 * MiB },
    ]);
    expect(p.outputs.find((o) => o.path === 'huge.png')).toMatchObject({ keep: false, skipped: 'larger than 5.0 MiB (5.0 MiB); not fetched' });
    expect(p.outputs.find((o) => o.path === 'edge.png')).toMatchObject({ keep: true, skipped: null });
    expect(p.runSummary).toBeNull();
    expect(p.notes).toEqual(['The run summary fragment is 6.0 MiB, more than 5.0 MiB; it was not collected.', '1 file larger than 5.0 MiB not fetched: huge.png']);
  });

  it('cuts the listing at 200 files and says so (the listing asks for one more to know)', () => {
    const files = Array.from({ length: 201 }, (_, i) => ({ path: `f${String(i).padStart(3, '0')}.txt`, size: 1 }));
    const p = planCollection(files);
    expect(p.outputs).toHaveLength(200);
    expect(p.outputs.at(-1)?.path).toBe('f199.txt');
    expect(p.notes).toEqual(['The output folder holds more than 200 files; only the first 200 are listed.']);
    expect(planCollection(files.slice(0, 200)).notes).toEqual([]);
  });

  it('leaves out names that could not be asked for again, and says so', () => {
    const p = planCollection([
      { path: 'bad\nname.txt', size: 1 },
      { path: 'back\\slash', size: 1 },
      { path: 'ok.txt', size: 1 },
    ]);
    expect(p.outputs.map((o) => o.path)).toEqual(['ok.txt']);
    expect(p.notes).toHaveLength(2);
    expect(p.notes[0]).toMatch(/cannot be served: "bad\\nname\.txt"/);
  });
});

describe('fetchBatches', () => {
  it('groups files up to the byte budget, never splitting a file and never leaving one out', () => {
    const files = [3, 4, 2, 9, 1].map((size, i) => ({ path: `f${i}`, size }));
    expect(fetchBatches(files, 7).map((b) => b.map((f) => f.path))).toEqual([['f0', 'f1'], ['f2'], ['f3'], ['f4']]);
    expect(fetchBatches([], 7)).toEqual([]);
  });
});
