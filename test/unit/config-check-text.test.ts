import { describe, expect, it } from 'vitest';
import { checkConfigText } from '../../src-shared/config/check-text';

describe('checkConfigText (the editor and the loader share it)', () => {
  it('places a YAML syntax error on its line with a character range', () => {
    const text = 'backends:\n  - name: a\n    type: local\n  bad: [\n';
    const r = checkConfigText(text);
    expect(r.syntaxError).toBe(true);
    expect(r.config).toBeNull();
    expect(r.errors[0]!.line).toBeGreaterThanOrEqual(4);
    expect(r.errors[0]!.message).toMatch(/^YAML syntax error/);
    expect(r.errors[0]!.from).toBeLessThanOrEqual(r.errors[0]!.to);
  });

  it('places a schema error on the key it is about, underlining only that line', () => {
    const text = 'backends:\n  - name: hpc\n    type: local\n    max_concurrent: ten\n';
    const r = checkConfigText(text, { cpuCount: 2 });
    expect(r.config).toBeNull();
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ severity: 'error', line: 4, path: 'backends[0].max_concurrent' });
    expect(text.slice(r.errors[0]!.from, r.errors[0]!.to)).toBe('max_concurrent');
  });

  it('turns an unknown key into a located warning and still yields the config', () => {
    const text = 'settings:\n  poll_intervall: 5\n';
    const r = checkConfigText(text);
    expect(r.config).not.toBeNull();
    expect(r.errors).toEqual([]);
    expect(r.warnings[0]).toMatchObject({ severity: 'warning', line: 2 });
    expect(r.warnings[0]!.message).toMatch(/poll_interval/);
  });

  it('accepts an empty file as the defaults', () => {
    const r = checkConfigText('');
    expect(r.errors).toEqual([]);
    expect(r.config?.backends).toEqual([]);
  });
});
