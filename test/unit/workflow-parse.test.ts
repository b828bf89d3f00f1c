import { describe, expect, it } from 'vitest';
import { parseWorkflow, parseWorkflowText } from '../../src-shared/workflow/parse';

const t = (id: string, extra: Record<string, unknown> = {}) => ({ id, command: `echo ${id}`, ...extra });

function errorsOf(input: unknown): string[] {
  const r = parseWorkflow(input);
  if (r.ok) throw new Error('expected the workflow to be rejected');
  return r.errors.map((e) => e.message);
}
function docOf(input: unknown) {
  const r = parseWorkflow(input);
  if (!r.ok) throw new Error(`expected success, got: ${r.errors.map((e) => e.message).join('\n')}`);
  return r;
}

describe('parseWorkflow: document shape', () => {
  it('accepts a bare list of tasks and fills defaults', () => {
    const { doc } = docOf([{ id: 'a', command: 'echo hi' }]);
    expect(doc).toEqual({
      title: null,
      env: [],
      env_groups: {},
      tasks: [{
        id: 'a', name: 'a', command: 'echo hi', working_dir: '~', partition: null, cpus: 1, memory: '4G',
        time_limit: '1:00:00', deps: [], gres: null, image: null, env: [], generates_source: null,
        output_file: null, error_file: null, retries: 0,
      }],
    });
  });

  it('accepts an object with tasks, env, env_groups and title', () => {
    const { doc } = docOf({
      title: 'Align',
      tasks: [t('a')],
      env: [{ set: { A: '1' } }],
      env_groups: { gpu: [{ set: { CUDA: '1' } }] },
      stacks: { ignored: true },
    });
    expect(doc.title).toBe('Align');
    expect(doc.env).toEqual([{ set: { A: '1' } }]);
    expect(doc.env_groups).toEqual({ gpu: [{ set: { CUDA: '1' } }] });
  });

  it.each([
    ['a string', 'hello'],
    ['a number', 3],
    ['null', null],
    ['an object without tasks', { task: [] }],
    ['an object whose tasks is not a list', { tasks: { a: 1 } }],
  ])('rejects %s with the shape message', (_label, input) => {
    const errs = errorsOf(input);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(/^The workflow must be a JSON list of tasks or an object with a 'tasks' list/);
  });

  it.each([[[]], [{ tasks: [] }]])('rejects an empty task list', (input) => {
    expect(errorsOf(input)).toEqual(["The workflow has no tasks; add at least one entry to the 'tasks' list"]);
  });

  it('keeps every provided field', () => {
    const { doc } = docOf([t('a', {
      name: 'Align', working_dir: 'src', partition: 'gpu', cpus: 8, memory: '16G', time_limit: '2-00:00:00',
      gres: 'gpu:1', image: 'ubuntu:24.04', env: [{ if: { X: ['1', '2'] }, set: { N: 3 } }],
      generates_source: 'more.json', output_file: 'o.txt', error_file: 'e.txt', retries: 2,
    })]);
    expect(doc.tasks[0]).toMatchObject({
      name: 'Align', working_dir: 'src', partition: 'gpu', cpus: 8, memory: '16G', time_limit: '2-00:00:00',
      gres: 'gpu:1', image: 'ubuntu:24.04', env: [{ if: { X: ['1', '2'] }, set: { N: '3' } }],
      generates_source: 'more.json', output_file: 'o.txt', error_file: 'e.txt', retries: 2,
    });
  });

  it('accepts "dependencies" as an alias of "deps"', () => {
    const { doc } = docOf([t('a'), t('b', { dependencies: ['a'] })]);
    expect(doc.tasks[1]!.deps).toEqual(['a']);
  });

  it('warns about unknown task fields instead of failing', () => {
    const r = docOf([t('a', { cpu: 4 })]);
    expect(r.warnings).toEqual(["tasks[0] ('a'): unknown field 'cpu' was ignored; did you mean 'cpus'?"]);
    expect(r.doc.tasks[0]!.cpus).toBe(1);
  });

  it.each([
    ['memroy', 'memory'],
    ['time-limit', 'time_limit'],
    ['dep', 'deps'],
    ['commnad', 'command'],
    ['working_directory', null],
    ['colour', null],
  ])('an unknown task field %s suggests %s (by edit distance)', (field, near) => {
    const [w] = docOf([t('a', { [field]: 'x' })]).warnings;
    if (near) expect(w).toBe(`tasks[0] ('a'): unknown field '${field}' was ignored; did you mean '${near}'?`);
    else expect(w).toBe(`tasks[0] ('a'): unknown field '${field}' was ignored`);
  });
});

describe('parseWorkflow: unknown top-level keys', () => {
  it('warns about a misspelt title and suggests the right key', () => {
    const r = parseWorkflow({ titel: 'My run', tasks: [{ id: 'a', command: 'true' }] });
    if (!r.ok) throw new Error('expected success');
    expect(r.warnings).toEqual(["top level: unknown key 'titel' was ignored; did you mean 'title'?"]);
    expect(r.doc.title).toBeNull();
  });

  it('warns without a suggestion when nothing is close, and not at all for known keys', () => {
    const r = parseWorkflow({ title: 't', env: [], env_groups: {}, colour: 'red', tasks: [{ id: 'a', command: 'true' }] });
    expect(r.warnings).toEqual(["top level: unknown key 'colour' was ignored"]);
  });

  it('reaches the result of parsing text too', () => {
    const r = parseWorkflowText('{"tsks": [], "tasks": [{"id": "a", "command": "true"}]}');
    expect(r.warnings).toEqual(["top level: unknown key 'tsks' was ignored; did you mean 'tasks'?"]);
  });
});

describe('parseWorkflow: field validation names task and field', () => {
  const cases: Array<[string, unknown, string]> = [
    ['cpus as a word', t('align', { cpus: 'two' }), `tasks[0] ('align'): 'cpus' must be a positive whole number, got "two"`],
    ['zero cpus', t('align', { cpus: 0 }), `tasks[0] ('align'): 'cpus' must be a positive whole number, got 0`],
    ['fractional cpus', t('align', { cpus: 1.5 }), `tasks[0] ('align'): 'cpus' must be a positive whole number, got 1.5`],
    ['retries above 10', t('a', { retries: 11 }), `tasks[0] ('a'): 'retries' must be a whole number from 0 to 10, got 11`],
    ['negative retries', t('a', { retries: -1 }), `tasks[0] ('a'): 'retries' must be a whole number from 0 to 10, got -1`],
    ['memory nonsense', t('a', { memory: 'lots' }), `tasks[0] ('a'): 'memory' must be a size like "4G" or "500M", got "lots"`],
    ['time limit nonsense', t('a', { time_limit: 'an hour' }), `tasks[0] ('a'): 'time_limit' must be a time like "1:00:00", "30" (minutes) or "2-00:00:00", got "an hour"`],
    ['missing id', { command: 'x' }, `tasks[0]: 'id' is required`],
    ['numeric id', { id: 5, command: 'x' }, `tasks[0]: 'id' must be a string, got 5`],
    ['empty id', { id: '', command: 'x' }, `tasks[0] (''): 'id' must not be empty`],
    ['id with a space', { id: 'a b', command: 'x' }, `tasks[0] ('a b'): 'id' must not contain whitespace, got "a b"`],
    ['id with a slash', { id: 'a/b', command: 'x' }, `tasks[0] ('a/b'): 'id' must not contain '/', got "a/b"`],
    ['missing command', { id: 'a' }, `tasks[0] ('a'): 'command' is required (the shell command the task runs)`],
    ['command as a list', { id: 'a', command: ['echo'] }, `tasks[0] ('a'): 'command' must be a string, got a list (["echo"])`],
    ['deps not a list', t('a', { deps: 'b' }), `tasks[0] ('a'): 'deps' must be a list of task ids, got "b"`],
    ['dependencies with a number', t('a', { dependencies: [1] }), `tasks[0] ('a'): 'dependencies' must contain only non-empty task ids (strings), got 1`],
    ['both deps and dependencies', t('a', { deps: [], dependencies: [] }), `tasks[0] ('a'): has both 'deps' and 'dependencies'; they mean the same thing, keep only one`],
    ['partition as a number', t('a', { partition: 3 }), `tasks[0] ('a'): 'partition' must be a string or null, got 3`],
    ['task not an object', 'echo hi', `tasks[0] must be an object with at least 'id' and 'command', got "echo hi"`],
    ['legacy environment', t('a', { environment: { A: '1' } }), `tasks[0] ('a'): legacy 'environment' / 'env_vars' fields are no longer supported; use 'env' rules, e.g. "env": [{"set": {"FOO": "1"}}]`],
    ['legacy env_vars', t('a', { env_vars: { A: '1' } }), `tasks[0] ('a'): legacy 'environment' / 'env_vars' fields are no longer supported; use 'env' rules, e.g. "env": [{"set": {"FOO": "1"}}]`],
    ['env not a list', t('a', { env: { set: {} } }), `tasks[0] ('a'): 'env' must be a list of env rules (e.g. [{"set": {"FOO": "1"}}]), got an object`],
    ['env rule with a typo', t('a', { env: [{ sets: { A: '1' } }] }), `tasks[0] ('a'): 'env[0]' has unknown key 'sets'; allowed keys are if, include, stacks, set, append, init`],
  ];
  it.each(cases)('%s', (_label, task, message) => {
    expect(errorsOf([task])).toEqual([message]);
  });

  it('rejects ids longer than 200 characters', () => {
    const id = 'x'.repeat(201);
    expect(errorsOf([{ id, command: 'x' }])[0]).toMatch(/'id' must be at most 200 characters, got 201$/);
    expect(parseWorkflow([{ id: 'x'.repeat(200), command: 'x' }]).ok).toBe(true);
  });

  it('accepts numeric strings and numbers where a scheduler would', () => {
    const { doc } = docOf([t('a', { cpus: '4', memory: 2048, time_limit: 30 })]);
    expect(doc.tasks[0]).toMatchObject({ cpus: 4, memory: '2048', time_limit: '30' });
  });

  it('collects errors from every task, not just the first', () => {
    const errs = errorsOf([t('a', { cpus: 'x' }), t('b', { retries: 99 }), { id: 'c' }]);
    expect(errs).toHaveLength(3);
    expect(errs[0]).toContain("tasks[0] ('a')");
    expect(errs[1]).toContain("tasks[1] ('b')");
    expect(errs[2]).toContain("tasks[2] ('c')");
  });

  it('reports the task id and field in structured form', () => {
    const r = parseWorkflow([t('align', { cpus: 'two' })]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatchObject({ task: 'align', field: 'cpus' });
  });

  it('caps a flood of errors with a summary line', () => {
    const tasks = Array.from({ length: 500 }, (_, i) => t(`t${i}`, { cpus: 'x' }));
    const errs = errorsOf(tasks);
    expect(errs).toHaveLength(201);
    expect(errs[200]).toBe('... and 300 more problems (fix the ones above first)');
  });
});

describe('parseWorkflow: dependency validation', () => {
  it.each<[string, unknown[], string[]]>([
    ['duplicate ids name both positions', [t('a'), t('b'), t('a')], ["Duplicate task id 'a': used by tasks[0] ('a') and tasks[2] ('a'); task ids must be unique"]],
    ['unknown dependency', [t('a'), t('b', { deps: ['x'] })], ["Task 'b' depends on 'x', which does not exist"]],
    ['self dependency', [t('a', { deps: ['a'] })], ["Task 'a' depends on itself"]],
    ['wildcard matching nothing', [t('a'), t('join', { deps: ['grp-*'] })], ["Task 'join': wildcard dep 'grp-*' matches no tasks"]],
    ['wildcard matching only itself', [t('grp-join', { deps: ['grp-*'] })], ["Task 'grp-join': wildcard dep 'grp-*' matches no tasks"]],
    ['two-task cycle', [t('a', { deps: ['b'] }), t('b', { deps: ['a'] })], ['Circular dependency detected: a -> b -> a']],
    ['three-task cycle', [t('a', { deps: ['c'] }), t('b', { deps: ['a'] }), t('c', { deps: ['b'] })], ['Circular dependency detected: a -> c -> b -> a']],
    ['cycle through a wildcard', [t('x1', { deps: ['y'] }), t('y', { deps: ['x*'] })], ['Circular dependency detected: x1 -> y -> x1']],
  ])('%s', (_label, tasks, expected) => {
    expect(errorsOf(tasks)).toEqual(expected);
  });

  it('reports unknown deps, self deps and cycles together', () => {
    const errs = errorsOf([t('a', { deps: ['a', 'nope'] }), t('b', { deps: ['c'] }), t('c', { deps: ['b'] })]);
    expect(errs).toEqual([
      "Task 'a' depends on itself",
      "Task 'a' depends on 'nope', which does not exist",
      'Circular dependency detected: b -> c -> b',
    ]);
  });

  it('accepts a diamond and keeps deps in written order', () => {
    const { doc } = docOf([t('top'), t('left', { deps: ['top'] }), t('right', { deps: ['top'] }), t('bottom', { deps: ['right', 'left'] })]);
    expect(doc.tasks.map((x) => [x.id, x.deps])).toEqual([['top', []], ['left', ['top']], ['right', ['top']], ['bottom', ['right', 'left']]]);
  });

  it('removes duplicate deps (literal and via wildcard)', () => {
    const { doc } = docOf([t('a1'), t('a2'), t('j', { deps: ['a2', 'a*', 'a1', 'a2'] })]);
    expect(doc.tasks[2]!.deps).toEqual(['a2', 'a1']);
  });

  it('does not recurse: a 50,000-task chain validates', () => {
    const tasks = Array.from({ length: 50_000 }, (_, i) => t(`s${i}`, i ? { deps: [`s${i - 1}`] } : {}));
    const r = parseWorkflow(tasks);
    expect(r.ok).toBe(true);
  });

  it('finds a cycle at the end of a long chain', () => {
    const tasks = Array.from({ length: 20_000 }, (_, i) => t(`s${i}`, { deps: [`s${(i + 1) % 20_000}`] }));
    const errs = errorsOf(tasks);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(/^Circular dependency detected: s0 -> s1 -> .* -> s19999 -> s0$/);
  });
});

describe('parseWorkflow: wildcard semantics (fnmatch)', () => {
  const ids = ['a1', 'a2', 'b1', 'ab', 'a10', 'c-x', '[lit]'];
  const expand = (pattern: string): string[] | string => {
    const r = parseWorkflow([...ids.map((id) => t(id)), t('j', { deps: [pattern] })]);
    return r.ok ? r.doc.tasks.at(-1)!.deps : r.errors.map((e) => e.message).join('\n');
  };
  it.each<[string, string[] | string]>([
    ['a*', ['a1', 'a2', 'ab', 'a10']],
    ['a?', ['a1', 'a2', 'ab']],
    ['a[12]', ['a1', 'a2']],
    ['[ab]1', ['a1', 'b1']],
    ['a[!1]', ['a2', 'ab']],
    ['a[0-9]*', ['a1', 'a2', 'a10']],
    ['*1', ['a1', 'b1']],
    ['*', ['a1', 'a2', 'b1', 'ab', 'a10', 'c-x', '[lit]']], // self ('j') excluded
    ['c-?', ['c-x']],
    ['[[]lit]', ['[lit]']],
    ['A*', "Task 'j': wildcard dep 'A*' matches no tasks"], // case-sensitive
    ['z*', "Task 'j': wildcard dep 'z*' matches no tasks"],
  ])('%s', (pattern, expected) => {
    expect(expand(pattern)).toEqual(expected);
  });
});

describe('parseWorkflowText', () => {
  it('parses valid JSON text', () => {
    const r = parseWorkflowText('[{"id": "a", "command": "true"}]');
    expect(r.ok).toBe(true);
  });
  it.each([
    ['[\n  {"id": "a", "command": "x"}\n  {"id": "b"}\n]', 'line 3, column 3', "expected ',' or ']' but found '{'"],
    ['[\n  {"id": "a",}\n]', 'line 2, column 14', "unexpected '}' (trailing comma?)"],
    ['{"tasks": [', 'line 1, column 12', "unexpected end of input: missing ']'"],
    ["[{'id': 'a'}]", 'line 1, column 3', 'expected a property name in double quotes'],
    ['[{"id": "a\nb"}]', 'line 1, column 11', 'a line break inside a string'],
    ['[] x', 'line 1, column 4', "unexpected 'x' after the end of the JSON document"],
    ['', 'line 1, column 1', 'unexpected end of input'],
  ])('locates a syntax error: %j', (text, where, problem) => {
    const r = parseWorkflowText(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]!.message).toContain(`The workflow is not valid JSON: ${where}: `);
      expect(r.errors[0]!.message).toContain(problem);
    }
  });
  it('ignores a UTF-8 byte order mark', () => {
    expect(parseWorkflowText('\ufeff[{"id": "a", "command": "x"}]').ok).toBe(true);
  });
});
