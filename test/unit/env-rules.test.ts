import { describe, expect, it } from 'vitest';
import { parseEnvGroups, parseEnvRules } from '../../src-shared/env/rules';

describe('parseEnvRules', () => {
  it('accepts every op and stringifies scalar values', () => {
    const r = parseEnvRules([{ if: { A: ['1', 2], B: true }, include: ['g'], stacks: ['py'], set: { N: 4 }, append: { PATH: '/x' }, init: 'echo' }], '', 'env');
    expect(r.errors).toEqual([]);
    expect(r.rules).toEqual([{ if: { A: ['1', '2'], B: 'true' }, include: ['g'], stacks: ['py'], set: { N: '4' }, append: { PATH: '/x' }, init: 'echo' }]);
  });
  it.each<[string, unknown, string]>([
    ['not a list', { set: {} }, `x: 'env' must be a list of env rules (e.g. [{"set": {"FOO": "1"}}]), got an object`],
    ['rule not an object', ['FOO=1'], `x: 'env[0]' must be an object with set/append/init/if/include/stacks, got "FOO=1"`],
    ['unknown key', [{ export: {} }], `x: 'env[0]' has unknown key 'export'; allowed keys are if, include, stacks, set, append, init`],
    ['bad variable name', [{ set: { 'MY-VAR': '1' } }], `x: 'env[0].set' has invalid variable name "MY-VAR"; use letters, digits and '_' (not starting with a digit)`],
    ['null value', [{ set: { A: null } }], `x: 'env[0].set.A' must be a string, got null`],
    ['include as a string', [{ include: 'gpu' }], `x: 'env[0].include' must be a list of env group names (e.g. ["gpu"]), got "gpu"`],
    ['init as a list', [{ init: ['a'] }], `x: 'env[0].init' must be a string of shell commands, got a list (["a"])`],
    ['if as a list', [{ if: ['A'] }], `x: 'env[0].if' must be an object mapping variable names to a value or list of values, got a list (["A"])`],
  ])('%s', (_label, value, message) => {
    expect(parseEnvRules(value, 'x: ', 'env').errors).toEqual([message]);
  });
  it('validates groups', () => {
    const r = parseEnvGroups({ gpu: [{ set: { A: '1' } }], bad: 'x' }, '', 'env_groups');
    expect(r.groups.gpu).toEqual([{ set: { A: '1' } }]);
    expect(r.errors).toEqual([`'env_groups.bad' must be a list of env rules (e.g. [{"set": {"FOO": "1"}}]), got "x"`]);
  });
});
