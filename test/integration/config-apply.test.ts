// The settings editor's engine side: config.get / config.save on a real engine with a real config file, the real
// SQLite store and real local-backend jobs. Saving applies without a restart: backends appear, change and go
// while runs on untouched backends keep going; removing a backend that has active runs is refused.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src-shared/api/contract';
import { startRun, startTestEngine, task, waitRunDone, type EngineHarness } from '../helpers/engine-harness';

let h: EngineHarness;
let configPath: string;

const config = (...backends: string[]) =>
  ['backends:', ...backends.map((b) => `  - ${b}`), 'settings:', '  local_poll_interval_ms: 100', ''].join('\n');
const LOCAL = '{name: local, type: local, max_concurrent: 4}';

beforeAll(async () => {
  h = await startTestEngine();
  configPath = path.join(h.root, 'scripthut.yaml');
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('config.get', () => {
  it('shows the file in effect and its text', async () => {
    const doc = await h.eng.api.invoke('config.get', {});
    expect(doc).toMatchObject({ file: configPath, target: configPath, exists: true, defaults_reason: null, config_error: null, editable: true });
    expect(doc.text).toBe(fs.readFileSync(configPath, 'utf8'));
  });
});

describe('config.save', () => {
  it('refuses text with problems, located on their line, and leaves the file alone', async () => {
    const before = fs.readFileSync(configPath, 'utf8');
    const r = await h.eng.api.invoke('config.save', { text: 'backends:\n  - name: x\n    type: local\n    max_concurrent: ten\n' });
    expect(r.ok).toBe(false);
    expect(r.saved).toBe(false);
    expect(r.errors[0]).toMatchObject({ severity: 'error', line: 4, path: 'backends[0].max_concurrent' });
    expect(fs.readFileSync(configPath, 'utf8')).toBe(before);
  });

  it('adds a backend without a restart while a run on an unchanged backend keeps going', async () => {
    const before = fs.readFileSync(configPath, 'utf8');
    const marker = path.join(h.work, 'slow.done');
    const slow = await startRun(h, [task('slow', `sleep 2; touch ${marker}`)], { name: 'slow' });
    const text = config(LOCAL, '{name: extra, type: local, max_concurrent: 1}');
    const r = await h.eng.api.invoke('config.save', { text });
    expect(r).toMatchObject({ ok: true, saved: true, file: configPath, errors: [], restart_needed: [] });
    expect(r.applied).toEqual({ added: ['extra'], removed: [], changed: [], unchanged: ['local'] });
    // Written atomically as a private file; the previous text is kept next to it.
    expect(fs.readFileSync(configPath, 'utf8')).toBe(text);
    expect(fs.statSync(configPath).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(`${configPath}.bak`, 'utf8')).toBe(before);
    const { backends } = await h.eng.api.invoke('backends.list', {});
    expect(backends.map((b) => b.name).sort()).toEqual(['extra', 'local']);
    // The run started before the save finishes on the same backend object.
    expect((await waitRunDone(h, slow.id)).status).toBe('completed');
    expect(fs.existsSync(marker)).toBe(true);
    // And the new backend takes work at once.
    const onExtra = await h.eng.api.invoke('runs.createFromWorkflow', { document: { title: 'x', tasks: [task('e', 'echo hi', { working_dir: h.work })] }, workflow_name: 'x', backend: 'extra' });
    expect((await waitRunDone(h, onExtra.id)).status).toBe('completed');
    const doc = await h.eng.api.invoke('config.get', {});
    expect(doc.text).toBe(text);
  });

  it('rebuilds a backend whose section changed', async () => {
    const r = await h.eng.api.invoke('config.save', { text: config(LOCAL, '{name: extra, type: local, max_concurrent: 3}') });
    expect(r.applied).toEqual({ added: [], removed: [], changed: ['extra'], unchanged: ['local'] });
    const { backends } = await h.eng.api.invoke('backends.list', {});
    expect(backends.find((b) => b.name === 'extra')?.max_concurrent).toBe(3);
  });

  it('refuses to remove a backend that has active runs, saying which, and saves nothing', async () => {
    const before = fs.readFileSync(configPath, 'utf8');
    const busy = await h.eng.api.invoke('runs.createFromWorkflow', { document: { title: 'long', tasks: [task('long', 'sleep 30', { working_dir: h.work })] }, workflow_name: 'long', backend: 'local' });
    let err: unknown;
    try {
      await h.eng.api.invoke('config.save', { text: config('{name: extra, type: local, max_concurrent: 3}') });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('conflict');
    expect((err as ApiError).message).toContain(`'local' (1 active run: ${busy.id})`);
    expect(fs.readFileSync(configPath, 'utf8')).toBe(before);
    expect((await h.eng.api.invoke('backends.list', {})).backends.map((b) => b.name).sort()).toEqual(['extra', 'local']);
    await h.eng.api.invoke('runs.cancel', { id: busy.id });
    await waitRunDone(h, busy.id);
  });

  it('removes an idle backend, and says which sections wait for a restart', async () => {
    const text = ['backends:', `  - ${LOCAL}`, 'settings:', '  local_poll_interval_ms: 200', ''].join('\n');
    const dry = await h.eng.api.invoke('config.save', { text, dry_run: true });
    expect(dry).toMatchObject({ ok: true, saved: false, restart_needed: ['settings'] });
    expect((await h.eng.api.invoke('backends.list', {})).backends).toHaveLength(2);
    const r = await h.eng.api.invoke('config.save', { text });
    expect(r.applied).toEqual({ added: [], removed: ['extra'], changed: [], unchanged: ['local'] });
    expect(r.restart_needed).toEqual(['settings']);
    expect((await h.eng.api.invoke('backends.list', {})).backends.map((b) => b.name)).toEqual(['local']);
    expect((await h.eng.api.invoke('health', {})).backends.map((b) => b.name)).toEqual(['local']);
  });
});
