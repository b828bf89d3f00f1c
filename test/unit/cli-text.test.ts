import { describe, expect, it } from 'vitest';
import { colourWanted, figure, padVisible, visibleLength } from '../../src-main/cli/text';
import { closest, editDistance } from '../../src-main/cli/suggest';
import { liftGlobals } from '../../src-main/cli/argv';

describe('colour', () => {
  const base = { isTTY: true, env: {}, noColorFlag: false, json: false };
  it('colours a terminal only, and never with NO_COLOR, --no-color or --json', () => {
    expect(colourWanted(base)).toBe(true);
    expect(colourWanted({ ...base, isTTY: false })).toBe(false);
    expect(colourWanted({ ...base, env: { NO_COLOR: '1' } })).toBe(false);
    expect(colourWanted({ ...base, env: { NO_COLOR: '' } })).toBe(true); // no-color.org: only a non-empty value counts
    expect(colourWanted({ ...base, noColorFlag: true })).toBe(false);
    expect(colourWanted({ ...base, json: true })).toBe(false);
    expect(colourWanted({ ...base, isTTY: false, env: { FORCE_COLOR: '1' } })).toBe(true);
    expect(colourWanted({ ...base, env: { TERM: 'dumb' } })).toBe(false);
  });

  it('measures and pads by visible width, not by escape codes', () => {
    const red = '\u001b[31mfailed\u001b[0m';
    expect(visibleLength(red)).toBe(6);
    expect(padVisible(red, 9)).toBe(`${red}   `);
  });
});

describe('suggestions and global options', () => {
  it('counts a swap of neighbours as one edit and suggests near words only', () => {
    expect(editDistance('lsit', 'list')).toBe(1);
    expect(closest('lsit', ['list', 'logs', 'view'])).toEqual(['list']);
    expect(closest('xyz', ['list', 'logs'])).toEqual([]);
  });

  it('lifts global options from anywhere, leaving the command and its own options', () => {
    expect(liftGlobals(['--json', 'run', '--data-dir', '/d', 'logs', 'r1', 'a', '--tail', '5', '--no-color'])).toEqual({
      globals: { json: true, dataDir: '/d', noColor: true, help: false, version: false },
      rest: ['run', 'logs', 'r1', 'a', '--tail', '5'],
    });
    expect(liftGlobals(['run', 'list', '--data-dir=/x']).globals.dataDir).toBe('/x');
    expect(() => liftGlobals(['run', 'list', '--data-dir'])).toThrow(/--data-dir needs a value/);
  });
});

describe('figures for people', () => {
  it('keeps small non-zero amounts visible instead of rounding them to 0.00', () => {
    expect(figure(0)).toBe('0');
    expect(figure(0.0028)).toBe('0.0028');
    expect(figure(0.004)).toBe('0.0040');
    expect(figure(1.234)).toBe('1.23');
    expect(figure(1234.5)).toBe('1234.50');
  });
});
