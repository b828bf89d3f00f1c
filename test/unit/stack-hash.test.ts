import { describe, expect, it } from 'vitest';
import { stackHash } from '../../src-main/stacks/hash';

// Expected values computed with Python's hashlib from the reference's byte layout (section 1.11), so a cache
// folder built by the original ScriptHut is recognised by this app.
describe('stackHash', () => {
  it('matches the reference layout (name, prep, sorted inputs)', () => {
    expect(stackHash({ name: 'py', prep: 'pip install numpy', inputs: { python: '3.11', b: '2' }, input_files: [] }, () => null)).toBe('83237673abea');
  });

  it('hashes input file bytes, and <missing> for a file that cannot be read', () => {
    const files: Record<string, Buffer> = { '/x/req.txt': Buffer.from('numpy==1\n') };
    expect(stackHash({ name: 'py', prep: '', inputs: {}, input_files: ['/x/req.txt', '/x/gone.txt'] }, (p) => files[p] ?? null)).toBe('5e0621488cfb');
  });

  it('changes with prep, inputs and file content; not with input order', () => {
    const base = { name: 's', prep: 'make', inputs: { a: '1', b: '2' }, input_files: ['/f'] };
    const read = (text: string) => () => Buffer.from(text);
    const h = stackHash(base, read('one'));
    expect(stackHash({ ...base, inputs: { b: '2', a: '1' } }, read('one'))).toBe(h);
    expect(stackHash({ ...base, prep: 'make all' }, read('one'))).not.toBe(h);
    expect(stackHash({ ...base, inputs: { a: '1', b: '3' } }, read('one'))).not.toBe(h);
    expect(stackHash(base, read('two'))).not.toBe(h);
    expect(h).toMatch(/^[0-9a-f]{12}$/);
  });
});
