import { describe, expect, it } from 'vitest';
import { buildSeed, envPairs, resolveEnv, type ResolveEnvInput } from '../../src-shared/env/resolve';
import type { EnvRule } from '../../src-shared/workflow/types';

const SEED = { SCRIPTHUT_BACKEND: 'hpc', SCRIPTHUT_RUN_ID: 'r1' };

function run(input: Partial<ResolveEnvInput>) {
  return resolveEnv({ seed: SEED, layers: [], ...input });
}
const value = (r: ReturnType<typeof resolveEnv>, name: string) => r.vars.find((v) => v.name === name)?.value;
const only = (rules: EnvRule[], extra: Partial<ResolveEnvInput> = {}) => run({ layers: [{ source: 'task', rules }], ...extra });

describe('resolveEnv: layering', () => {
  it('applies layers in order backend → server → repo → workflow-doc → task, later sets win', () => {
    const r = run({
      layers: [
        { source: 'backend:hpc', rules: [{ set: { A: 'backend', B: 'backend', C: 'backend', D: 'backend', E: 'backend' } }] },
        { source: 'server', rules: [{ set: { B: 'server', C: 'server', D: 'server', E: 'server' } }] },
        { source: 'repo', rules: [{ set: { C: 'repo', D: 'repo', E: 'repo' } }] },
        { source: 'workflow-doc', rules: [{ set: { D: 'doc', E: 'doc' } }] },
      ],
      task: { id: 't', env: [{ set: { E: 'task' } }] },
    });
    expect(Object.fromEntries(envPairs(r))).toEqual({ ...SEED, A: 'backend', B: 'server', C: 'repo', D: 'doc', E: 'task' });
    expect(r.vars.find((v) => v.name === 'E')!.ops.map((o) => o.source)).toEqual(['backend:hpc', 'server', 'repo', 'workflow-doc', 'task']);
  });

  it('lists vars in first-definition order, seed first', () => {
    const r = only([{ set: { Z: '1' } }, { set: { A: '1' } }, { set: { Z: '2' } }]);
    expect(r.vars.map((v) => v.name)).toEqual(['SCRIPTHUT_BACKEND', 'SCRIPTHUT_RUN_ID', 'Z', 'A']);
  });

  it('append joins with ":" and starts the value when unset or empty', () => {
    const r = run({
      layers: [
        { source: 'server', rules: [{ append: { PATH: '/opt/a' } }, { set: { EMPTY: '' } }] },
        { source: 'task', rules: [{ append: { PATH: '/opt/b', EMPTY: 'x' } }] },
      ],
    });
    expect(value(r, 'PATH')).toBe('/opt/a:/opt/b');
    expect(value(r, 'EMPTY')).toBe('x');
  });

  it('records provenance per variable: seed, set and append with their contributions', () => {
    const r = run({
      seed: { ...SEED, SCRIPTHUT_WORKFLOW: 'wf' },
      layers: [
        { source: 'backend:hpc', rules: [{ set: { PATH: '/usr/bin' } }] },
        { source: 'task', rules: [{ append: { PATH: '${SCRIPTHUT_WORKFLOW}/bin' } }] },
      ],
    });
    expect(r.vars.find((v) => v.name === 'PATH')).toEqual({
      name: 'PATH',
      value: '/usr/bin:wf/bin',
      ops: [
        { source: 'backend:hpc', op: 'set', contribution: '/usr/bin' },
        { source: 'task', op: 'append', contribution: 'wf/bin' },
      ],
    });
    expect(r.vars[0]).toEqual({ name: 'SCRIPTHUT_BACKEND', value: 'hpc', ops: [{ source: 'seed', op: 'seed', contribution: 'hpc' }] });
  });

  it('concatenates init blocks with newlines in rule order', () => {
    const r = run({ layers: [{ source: 'server', rules: [{ init: 'module load a' }] }, { source: 'task', rules: [{ init: 'module load b' }] }] });
    expect(r.init).toBe('module load a\nmodule load b');
  });
});

describe('resolveEnv: if-guards', () => {
  it.each<[string, EnvRule['if'], boolean]>([
    ['single key match', { SCRIPTHUT_BACKEND: 'hpc' }, true],
    ['single key mismatch', { SCRIPTHUT_BACKEND: 'aws' }, false],
    ['AND over keys, all match', { SCRIPTHUT_BACKEND: 'hpc', SCRIPTHUT_RUN_ID: 'r1' }, true],
    ['AND over keys, one mismatch', { SCRIPTHUT_BACKEND: 'hpc', SCRIPTHUT_RUN_ID: 'r2' }, false],
    ['list means OR, member', { SCRIPTHUT_BACKEND: ['aws', 'hpc'] }, true],
    ['list means OR, not a member', { SCRIPTHUT_BACKEND: ['aws', 'local'] }, false],
    ['missing key never matches', { NOT_SET: '' }, false],
    ['missing key never matches a list', { NOT_SET: ['', 'x'] }, false],
  ])('%s', (_label, guard, applies) => {
    const r = only([{ if: guard, set: { HIT: 'yes' } }]);
    expect(value(r, 'HIT')).toBe(applies ? 'yes' : undefined);
  });

  it('sees variables set by earlier rules', () => {
    const r = only([{ set: { MODE: 'gpu' } }, { if: { MODE: 'gpu' }, set: { CUDA: '1' } }, { if: { MODE: 'cpu' }, set: { OMP: '1' } }]);
    expect(value(r, 'CUDA')).toBe('1');
    expect(value(r, 'OMP')).toBeUndefined();
  });
});

describe('resolveEnv: groups and include', () => {
  it('includes a group in place, labelled via group, before the rule’s own set', () => {
    const r = run({
      layers: [{ source: 'workflow-doc', rules: [{ include: ['gpu'], set: { AFTER: '${CUDA}' } }] }],
      groups: [{ source: 'server', groups: { gpu: [{ set: { CUDA: '12' } }] } }],
    });
    expect(value(r, 'AFTER')).toBe('12');
    expect(r.vars.find((v) => v.name === 'CUDA')!.ops).toEqual([{ source: 'workflow-doc via group:gpu', op: 'set', contribution: '12' }]);
  });

  it('later group layers shadow earlier ones of the same name', () => {
    const r = run({
      layers: [{ source: 'task', rules: [{ include: ['g'] }] }],
      groups: [
        { source: 'backend:hpc', groups: { g: [{ set: { FROM: 'backend' } }] } },
        { source: 'server', groups: { g: [{ set: { FROM: 'server' } }] } },
        { source: 'workflow-doc', groups: { g: [{ set: { FROM: 'doc' } }] } },
      ],
    });
    expect(value(r, 'FROM')).toBe('doc');
  });

  it('included rules inherit the including rule’s guard (and outer guards)', () => {
    const groups = [{ source: 'server', groups: { outer: [{ if: { B: '1' }, include: ['inner'] }], inner: [{ set: { X: 'on' } }] } }];
    const with_ = (seed: Record<string, string>) => value(resolveEnv({ seed, layers: [{ source: 'task', rules: [{ if: { A: '1' }, include: ['outer'] }] }], groups }), 'X');
    expect(with_({ A: '1', B: '1' })).toBe('on');
    expect(with_({ A: '1', B: '0' })).toBeUndefined();
    expect(with_({ A: '0', B: '1' })).toBeUndefined();
    expect(with_({})).toBeUndefined();
  });

  it('nested includes chain their labels', () => {
    const r = run({
      layers: [{ source: 'server', rules: [{ include: ['a'] }] }],
      groups: [{ source: 'server', groups: { a: [{ include: ['b'] }], b: [{ set: { DEEP: '1' } }] } }],
    });
    expect(r.vars.find((v) => v.name === 'DEEP')!.ops[0]!.source).toBe('server via group:a via group:b');
  });

  it('reports an include cycle as an error naming the chain', () => {
    const r = run({
      layers: [{ source: 'task', rules: [{ include: ['a'] }] }],
      groups: [{ source: 'server', groups: { a: [{ include: ['b'] }, { set: { A: '1' } }], b: [{ include: ['a'] }] } }],
    });
    expect(r.errors).toEqual(['env_group cycle detected: a → b → a (remove one of these includes)']);
  });

  it('reports a self-include as a cycle', () => {
    const r = run({ layers: [{ source: 'task', rules: [{ include: ['a'] }] }], groups: [{ source: 'server', groups: { a: [{ include: ['a'] }] } }] });
    expect(r.errors).toEqual(['env_group cycle detected: a → a (remove one of these includes)']);
  });

  it('warns about and skips an unknown group', () => {
    const r = only([{ include: ['nope'], set: { STILL: '1' } }]);
    expect(r.warnings).toEqual(["task: env group 'nope' is not defined; include skipped"]);
    expect(r.errors).toEqual([]);
    expect(value(r, 'STILL')).toBe('1');
  });
});

describe('resolveEnv: stacks', () => {
  const stacks = { py: { init: 'source /stacks/py/bin/activate' }, empty: { init: '' } };
  it('splices a stack init in rule order', () => {
    const r = only([{ init: 'echo before' }, { stacks: ['py', 'empty'], init: 'echo own' }], { stacks });
    expect(r.init).toBe('echo before\nsource /stacks/py/bin/activate\necho own');
    expect(r.errors).toEqual([]);
  });
  it('a guarded stacks rule applies only when the guard matches', () => {
    expect(only([{ if: { SCRIPTHUT_BACKEND: 'aws' }, stacks: ['py'] }], { stacks }).init).toBe('');
    expect(only([{ if: { SCRIPTHUT_BACKEND: 'hpc' }, stacks: ['py'] }], { stacks }).init).toBe('source /stacks/py/bin/activate');
  });
  it('an unknown stack is an error that names the known ones', () => {
    const r = only([{ stacks: ['nope'] }], { stacks });
    expect(r.errors).toEqual(["task: unknown stack 'nope' (defined stacks: py, empty); define it under 'stacks:' in scripthut.yaml or remove it from the env rule"]);
  });
});

describe('resolveEnv: protected keys and expansion', () => {
  it('ignores set/append to SCRIPTHUT_* keys with a warning', () => {
    const r = only([{ set: { SCRIPTHUT_RUN_ID: 'hacked' }, append: { SCRIPTHUT_BACKEND: 'x', SCRIPTHUT_NEW: 'y' } }]);
    expect(value(r, 'SCRIPTHUT_RUN_ID')).toBe('r1');
    expect(value(r, 'SCRIPTHUT_BACKEND')).toBe('hpc');
    expect(value(r, 'SCRIPTHUT_NEW')).toBeUndefined();
    expect(r.warnings).toEqual([
      "task: env rule attempted to set protected key 'SCRIPTHUT_RUN_ID'; ignored",
      "task: env rule attempted to append to protected key 'SCRIPTHUT_BACKEND'; ignored",
      "task: env rule attempted to append to protected key 'SCRIPTHUT_NEW'; ignored",
    ]);
  });

  it.each<[string, string, string | undefined]>([
    ['braced known var', 'run-${SCRIPTHUT_RUN_ID}', 'run-r1'],
    ['plain $NAME left for the shell', 'run-$SCRIPTHUT_RUN_ID', 'run-$SCRIPTHUT_RUN_ID'],
    ['var set earlier in the same rule', '${FIRST}/x', 'one/x'],
    ['default syntax left alone', '${HOME:-/tmp}', '${HOME:-/tmp}'],
    ['unknown braced var becomes empty', 'a${NOPE}b', 'ab'],
  ])('%s', (_label, raw, expected) => {
    const r = only([{ set: { FIRST: 'one', OUT: raw } }]);
    expect(value(r, 'OUT')).toBe(expected);
  });

  it('warns when a braced var is unknown', () => {
    const r = only([{ set: { OUT: '${NOPE}' } }]);
    expect(r.warnings).toEqual(['task: ${NOPE} in OUT is not defined; it expanded to an empty string']);
  });

  it('uses the task env from `task` after the given layers', () => {
    const r = run({ layers: [{ source: 'server', rules: [{ set: { A: 's' } }] }], task: { id: 't1', env: [{ append: { A: 't' } }] } });
    expect(value(r, 'A')).toBe('s:t');
  });
});

describe('buildSeed', () => {
  it('includes git keys only when known', () => {
    expect(buildSeed({ backend: 'hpc', workflow: 'src/wf', runId: 'ab12cd34', createdAt: '2025-01-01T00:00:00Z', gitSha: 'deadbeef' })).toEqual({
      SCRIPTHUT_BACKEND: 'hpc', SCRIPTHUT_WORKFLOW: 'src/wf', SCRIPTHUT_RUN_ID: 'ab12cd34', SCRIPTHUT_CREATED_AT: '2025-01-01T00:00:00Z', SCRIPTHUT_GIT_SHA: 'deadbeef',
    });
  });
});
