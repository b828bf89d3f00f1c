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

describe('config keys that used to be unsupported', () => {
  it('server_port, filter_user and data_dir are used now: no warning; clone_dir neither', () => {
    const r = parseConfigText(CONFIG, '/etc/scripthut.yaml', { HOME: '/home/u' }, 2);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.warningDetails).toEqual([]);
    expect(r.config.settings).toMatchObject({ server_port: 9000, filter_user: 'alice', data_dir: '/tmp/elsewhere' });
  });
});

describe('config sections accepted but not acted on', () => {
  it('agent and cache get a located warning each', () => {
    const text = ['backends:', '  - name: local', '    type: local', 'agent:', '  cpus: 4', 'cache:', '  tool: rclone', ''].join('\n');
    const r = parseConfigText(text, '/etc/scripthut.yaml', { HOME: '/home/u' }, 2);
    if (!r.ok) throw new Error(r.error.message);
    const msgs = r.warningDetails.map((w) => `${w.line ?? '?'}: ${w.message}`);
    expect(msgs).toContainEqual(expect.stringMatching(/^4: .*agent.*is not supported yet/));
    expect(msgs).toContainEqual(expect.stringMatching(/^6: .*cache.*is not supported yet/));
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
    expect(health.config_warnings.filter((w) => /is not supported yet/.test(w.message))).toEqual([]);
    const run = await eng.api.invoke('runs.createFromWorkflow', { document: { titel: 'x', tasks: [{ id: 'a', command: 'true', inputs: ['x'], colour: 'red' }] } });
    expect(run.warnings).toContainEqual(expect.stringMatching(/'inputs' is not supported yet/));
    expect(run.warnings).toContainEqual(expect.stringMatching(/unknown field 'colour'/));
    expect(run.warnings).toContainEqual("top level: unknown key 'titel' was ignored; did you mean 'title'?");
    await eng.api.invoke('runs.cancel', { id: run.id }).catch(() => undefined);
  });
});
