// Found by trying the app: a config with a wrong value showed "line 7" in `scripthut status` but the UI banner and
// health's `config_error.issues` named only the path — the line was dropped on the way.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HealthSchema } from '../../src-shared/api/schemas';
import { loadConfig } from '../../src-main/config/load';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-cfglines-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('config errors keep their line', () => {
  it('each issue of a broken file carries the scripthut.yaml line, and health keeps it', () => {
    const file = path.join(root, 'scripthut.yaml');
    fs.writeFileSync(file, ['backends:', '  - name: laptop', '    type: local', '  - name: workstation', '    type: local', '    max_concurrent: three', '  - name: kube', '    type: kubernetes', ''].join('\n'));
    const loaded = loadConfig({ configPath: file, env: { HOME: root } });
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    const byPath = Object.fromEntries(loaded.error.issues.map((i) => [i.path, i.line]));
    expect(byPath['backends[1].max_concurrent']).toBe(6);
    // The unknown type is located at its backend entry (line 7) or its `type` key (line 8).
    expect([7, 8]).toContain(Object.entries(byPath).find(([p]) => p.startsWith('backends[2]'))?.[1]);
    // The contract's health schema keeps the line (zod would drop an unknown key).
    const health = HealthSchema.partial().parse({ config_error: { file, message: loaded.error.message, issues: loaded.error.issues } });
    expect(health.config_error?.issues.map((i) => i.line)).toEqual(loaded.error.issues.map((i) => i.line));
  });

  it('a YAML syntax error carries its line too', () => {
    const file = path.join(root, 'bad.yaml');
    fs.writeFileSync(file, 'backends:\n  - name: a\n   type: local\n');
    const loaded = loadConfig({ configPath: file, env: { HOME: root } });
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.error.issues[0]?.message).toMatch(/^line 3, column \d+: YAML syntax error/);
    expect(loaded.error.issues[0]?.line).toBe(3);
  });
});
