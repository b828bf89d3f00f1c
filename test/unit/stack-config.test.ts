import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src-shared/config';
import { UNSUPPORTED_KEYS } from '../../src-shared/config/unsupported';
import { parseOverlayStacks, stackInit } from '../../src-main/stacks/overlay-stacks';
import { parseOverlay, applyOverlay } from '../../src-main/sources/overlay';

const base = { backends: [{ name: 'hpc', type: 'slurm', ssh: { host: 'h', user: 'u' } }, { name: 'cloud', type: 'batch', aws: { region: 'us-east-1', job_queue: 'q' } }] };

describe('stack keys in scripthut.yaml', () => {
  it('every stack key is acted on: none is listed as "not supported yet"', () => {
    expect(UNSUPPORTED_KEYS.filter((k) => k.path[0] === 'stacks')).toEqual([]);
    const r = validateConfig({ ...base, stacks: [{ name: 's', backends: ['hpc'], cache_dir: '~/c', inputs: { a: '1' }, input_files: [], prep: 'x', init: 'y', cpus: 2, memory: '1G', time_limit: '0:10:00', partition: 'p' }] });
    expect(r.ok && r.warnings).toEqual([]);
  });

  it('a stack naming an AWS backend or an unknown one gets a located warning', () => {
    const r = validateConfig({ ...base, stacks: [{ name: 's', backends: ['cloud', 'hcp'] }] });
    expect(r.ok).toBe(true);
    const messages = r.warnings.map((w) => `${w.path}: ${w.message}`);
    expect(messages).toEqual([
      expect.stringMatching(/^stacks\[0\]\.backends\[0\].*'cloud' is a batch backend; stacks are built only on local, Slurm and PBS backends/),
      expect.stringMatching(/^stacks\[0\]\.backends\[1\].*no backend named 'hcp' is configured/),
    ]);
  });
});

describe("a repository's stacks", () => {
  it('are validated with the config schema; errors name the file and the list index', () => {
    expect(() => parseOverlayStacks([{ name: 'ok' }, { prep: 'no name' }], 'repo: scripthut.yaml')).toThrow(/^repo: scripthut\.yaml: stacks\[1\]\.name: /);
    expect(() => parseOverlayStacks([{ name: 'a' }, { name: 'a' }], 'f')).toThrow(/stacks\[1\]: stack 'a' is defined twice/);
    expect(parseOverlayStacks([{ name: 'a' }], 'f')[0]).toMatchObject({ name: 'a', cache_dir: '~/.cache/scripthut/stacks', cpus: 1, memory: '4G' });
  });

  it('travel with the document (init with STACK_DIR), overriding app stacks of the same name', () => {
    const overlay = parseOverlay('stacks:\n  - name: py\n    init: source "$STACK_DIR/venv/bin/activate"\n', 'repo: scripthut.yaml');
    const doc = applyOverlay({ title: null, tasks: [], env: [], env_groups: {} }, overlay, 'repo: scripthut.yaml');
    expect(doc.stacks?.py?.init).toMatch(/^export STACK_DIR="\$HOME"\/\.cache\/scripthut\/stacks\/py\/[0-9a-f]{12}\nsource "\$STACK_DIR\/venv\/bin\/activate"$/);
  });

  it('an empty init adds nothing; a repository stack with input files keeps its init as written', () => {
    const [s] = parseOverlayStacks([{ name: 'x', init: '', input_files: [] }], 'f');
    expect(stackInit(s!, null)).toBe('');
    const [f] = parseOverlayStacks([{ name: 'y', init: 'module load y', input_files: ['req.txt'] }], 'f');
    expect(stackInit(f!, null)).toBe('module load y');
  });
});
