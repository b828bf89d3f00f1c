// A config with errors often has warnings too (a misspelt key, a section not supported yet). Fixing the errors
// must not be followed by a second surprise: the warnings are reported beside the errors — by `config validate`,
// the settings editor's check, and health — not only once the file is valid.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkConfigText } from '../../src-shared/config/check-text';
import { parseConfigText } from '../../src-main/config/load';
import { startEngine, type RunningEngine } from '../../src-main/engine/start';

const BROKEN = [
  'backends:', //                                   1
  '  - name: laptop', //                             2
  '    type: local', //                              3
  '    max_concurrent: two', //                      4  error
  'settings:', //                                    5
  '  filter_usr: me', //                             6  warning: unknown key
  'cache:', //                                       7  warning: not supported yet
  '  tool: rclone', //                               8
  '',
].join('\n');

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

describe('config warnings beside errors', () => {
  it('the text check lists unknown and unsupported keys, located, next to the error', () => {
    const r = checkConfigText(BROKEN, { cpuCount: 2 });
    expect(r.config).toBeNull();
    expect(r.errors.map((e) => e.line)).toEqual([4]);
    expect(r.warnings.map((w) => `${w.line}: ${w.message}`)).toEqual([
      expect.stringMatching(/^6: .*filter_usr.*Did you mean 'filter_user'/),
      expect.stringMatching(/^7: cache: is not supported yet/),
    ]);
  });

  it('the loader keeps them on a failed load (what `config validate` prints)', () => {
    const r = parseConfigText(BROKEN, '/etc/scripthut.yaml', { HOME: '/home/u' }, 2);
    expect(r.ok).toBe(false);
    expect(r.warnings).toEqual([expect.stringMatching(/^\/etc\/scripthut\.yaml:6: /), expect.stringMatching(/^\/etc\/scripthut\.yaml:7: /)]);
    expect(r.warningDetails?.map((w) => w.path)).toEqual(['settings.filter_usr', 'cache']);
  });

  it('warnings come in file order on a valid config too', () => {
    const text = ['backends:', '  - name: l', '    type: local', 'cache:', '  tool: rclone', 'settings:', '  polll: 1', ''].join('\n');
    const r = parseConfigText(text, '/c.yaml', { HOME: '/home/u' }, 2);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.warningDetails.map((w) => w.line)).toEqual([4, 7]);
  });

  it('health of an engine on the embedded default still carries the broken file’s warnings', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-cfgwarn-'));
    cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }));
    const configPath = path.join(root, 'scripthut.yaml');
    fs.writeFileSync(configPath, BROKEN);
    const eng: RunningEngine = await startEngine({ dataDir: path.join(root, 'data'), configPath, version: 'test' });
    cleanups.push(() => eng.close());
    const health = await eng.api.invoke('health', {});
    expect(health.config_loaded).toBe(false);
    expect(health.config_error?.issues.map((i) => i.line)).toEqual([4]);
    expect(health.config_warnings.map((w) => [w.path, w.line])).toEqual([
      ['settings.filter_usr', 6],
      ['cache', 7],
    ]);
  });
});
