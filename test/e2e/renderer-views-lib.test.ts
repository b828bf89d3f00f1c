// Pure helpers behind the prompt dialog, the Env tab and the Backends page (no browser needed).
import { describe, expect, it } from 'vitest';
import { addPrompts, answersFor, removePrompt } from '../../src-renderer/lib/prompts';
import { describeOp, filterVars, showContribution, type EnvVar } from '../../src-renderer/lib/env';
import { backendTone, exitTone, firstLine, formatMs, retryIn, sortedCounts } from '../../src-renderer/lib/backends';
import type { Prompt } from '../../src-shared/api/schemas';

function prompt(id: string, at: string, over: Partial<Prompt> = {}): Prompt {
  return { id, backend: 'hpc', kind: 'keyboard-interactive', title: id, instructions: '', prompts: [{ prompt: 'Code: ', echo: false }], fingerprint: null, host: null, created_at: at, ...over };
}

describe('prompt queue', () => {
  it('merges listed and live prompts by id, oldest first, and removes closed ones', () => {
    const live = prompt('b', '2024-01-01T00:00:02Z');
    let q = addPrompts([], [live]);
    q = addPrompts(q, [prompt('a', '2024-01-01T00:00:01Z'), prompt('b', '2024-01-01T00:00:02Z', { title: 'newer copy' })]);
    expect(q.map((p) => p.id)).toEqual(['a', 'b']);
    expect(q[1]?.title).toBe('newer copy');
    expect(removePrompt(q, 'a').map((p) => p.id)).toEqual(['b']);
  });

  it('answers a host key with "yes" and other prompts with one answer per field', () => {
    expect(answersFor(prompt('k', 'x', { kind: 'host-key', prompts: [] }), [])).toEqual(['yes']);
    const two = prompt('p', 'x', { prompts: [{ prompt: 'Password', echo: false }, { prompt: 'Code', echo: true }] });
    expect(answersFor(two, ['pw'])).toEqual(['pw', '']);
  });
});

describe('env provenance wording', () => {
  const vars: EnvVar[] = [
    { name: 'SCRIPTHUT_RUN_ID', value: 'r1', ops: [{ source: 'seed', op: 'seed', contribution: 'r1' }] },
    {
      name: 'PATH',
      value: '/opt/cuda/bin:/usr/bin',
      ops: [
        { source: 'server', op: 'set', contribution: '/usr/bin' },
        { source: 'backend:hpc via group:gpu', op: 'append', contribution: '/opt/cuda/bin' },
      ],
    },
    { name: 'DEMO_SHARDS', value: '3', ops: [{ source: 'workflow-doc', op: 'set', contribution: '3' }] },
  ];

  it('says which layer and group did what', () => {
    expect(describeOp(vars[1]!.ops[1]!)).toBe('append by backend:hpc via group:gpu');
    expect(describeOp(vars[2]!.ops[0]!)).toBe('set by workflow-doc');
    expect(describeOp(vars[0]!.ops[0]!)).toBe('seeded by ScriptHut');
    expect(showContribution(vars[2]!, vars[2]!.ops[0]!)).toBe(false);
    expect(showContribution(vars[1]!, vars[1]!.ops[1]!)).toBe(true);
  });

  it('lists configured variables before the seeds and filters by name, value or source', () => {
    expect(filterVars(vars, '').map((v) => v.name)).toEqual(['PATH', 'DEMO_SHARDS', 'SCRIPTHUT_RUN_ID']);
    expect(filterVars(vars, 'group:gpu').map((v) => v.name)).toEqual(['PATH']);
    expect(filterVars(vars, 'r1').map((v) => v.name)).toEqual(['SCRIPTHUT_RUN_ID']);
  });
});

describe('backend wording', () => {
  it('colours states and exit codes', () => {
    expect(backendTone('ready')).toBe('good');
    expect(backendTone('backing_off')).toBe('warn');
    expect(backendTone('error')).toBe('bad');
    expect(exitTone(0, null)).toBe('good');
    expect(exitTone(1, null)).toBe('warn');
    expect(exitTone(-1, null)).toBe('bad');
    expect(exitTone(0, 'connection lost')).toBe('bad');
  });

  it('formats retry times, durations, first lines and counts', () => {
    const now = Date.parse('2024-01-01T00:00:00Z');
    expect(retryIn('2024-01-01T00:01:30Z', now)).toBe('in 1m 30s');
    expect(retryIn('2023-12-31T23:59:00Z', now)).toBe('now');
    expect(retryIn(null, now)).toBeNull();
    expect(formatMs(84)).toBe('84 ms');
    expect(formatMs(1420)).toBe('1.42 s');
    expect(firstLine('\n  sbatch <<EOF\n#!/bin/bash\nEOF')).toBe('sbatch <<EOF …');
    expect(firstLine('squeue --me')).toBe('squeue --me');
    expect(sortedCounts({ Priority: 7, Resources: 31, Dependency: 7 })).toEqual([['Resources', 31], ['Dependency', 7], ['Priority', 7]]);
  });
});
