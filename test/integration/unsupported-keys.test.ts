// Keys the formats accept but the app does not act on must be reported, located, through health (config) and
// the run-creation result (workflow), never silently ignored.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEngine, type RunningEngine } from '../../src-main/engine/start';
import { parseConfigText } from '../../src-main/config/load';
import { parseWorkflow } from '../../src-shared/workflow/parse';

const CONFIG = [
  'backends:', //                                   1
  '  - name: local', //                              2
  '    type: local', //                              3
  '    clone_dir: /tmp/repos', //                    4
  'settings:', //                                    5
  '  server_port: 9000', //                          6
  '  filter_user: alice', //                         7
  '  data_dir: /tmp/elsewhere', //                   8
  '',
].join('\n');

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

describe('unsupported config keys', () => {
  it('each gets a located "not supported yet" warning with its YAML line', () => {
    const r = parseConfigText(CONFIG, '/etc/scripthut.yaml', { HOME: '/home/u' }, 2);
    if (!r.ok) throw new Error(r.error.message);
    const byPath = new Map(r.warningDetails.map((w) => [w.path, w]));
    // clone_dir is used by git sources now: no warning.
    expect(byPath.has('backends[0].clone_dir')).toBe(false);
    expect(byPath.get('settings.server_port')).toMatchObject({ line: 6, message: expect.stringMatching(/is not supported yet/) });
    expect(byPath.get('settings.filter_user')?.line).toBe(7);
    expect(byPath.get('settings.data_dir')?.line).toBe(8);
    expect(r.warnings).toContain(`/etc/scripthut.yaml:6: ${byPath.get('settings.server_port')?.message}`);
  });

  it('does not warn about defaults the user never wrote', () => {
    const r = parseConfigText('backends:\n  - {name: local, type: local}\n', '/c.yaml', { HOME: '/home/u' }, 2);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.warningDetails.filter((w) => /not supported yet/.test(w.message))).toEqual([]);
  });
});

describe('unsupported task fields', () => {
  it('warns per task and field', () => {
    const r = parseWorkflow([{ id: 'a', command: 'true', image: 'ubuntu:24.04', inputs: ['x'], outputs: ['y'], cache: true }]);
    if (!r.ok) throw new Error('expected success');
    for (const f of ['image', 'inputs', 'outputs', 'cache']) expect(r.warnings).toContainEqual(expect.stringMatching(new RegExp(`^tasks\\[0\\] \\('a'\\): '${f}' is not supported yet`)));
  });
});

describe('the engine reports them', () => {
  it('health carries config warnings; run creation returns workflow warnings', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-unsupported-'));
    cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }));
    const configPath = path.join(root, 'scripthut.yaml');
    fs.writeFileSync(configPath, CONFIG);
    const eng: RunningEngine = await startEngine({ dataDir: path.join(root, 'data'), configPath, version: 'test' });
    cleanups.push(() => eng.close());
    const health = await eng.api.invoke('health', {});
    expect(health.config_warnings).toContainEqual({ path: 'settings.server_port', line: 6, message: expect.stringMatching(/is not supported yet/) });
    const run = await eng.api.invoke('runs.createFromWorkflow', { document: [{ id: 'a', command: 'true', inputs: ['x'], colour: 'red' }] });
    expect(run.warnings).toContainEqual(expect.stringMatching(/'inputs' is not supported yet/));
    expect(run.warnings).toContainEqual(expect.stringMatching(/unknown field 'colour'/));
    await eng.api.invoke('runs.cancel', { id: run.id }).catch(() => undefined);
  });
});
