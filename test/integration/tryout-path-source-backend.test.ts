// Found by trying the product: with two backends, `workflow run W --source S` for a path source refused with
// "Choose a backend" although the source names the backend that holds its folder. Real engine, real SQLite,
// real local jobs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type RunningEngine } from '../../src-main/engine/start';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-tryout-path-'));
let eng: RunningEngine;

beforeAll(async () => {
  const folder = path.join(root, 'project');
  fs.mkdirSync(path.join(folder, '.hut', 'workflows'), { recursive: true });
  fs.writeFileSync(path.join(folder, '.hut', 'workflows', 'wf.json'), JSON.stringify([{ id: 'a', command: 'pwd', memory: '100M' }]));
  const configPath = path.join(root, 'scripthut.yaml');
  fs.writeFileSync(
    configPath,
    [
      'backends:',
      '  - {name: first, type: local, max_concurrent: 1}',
      '  - {name: second, type: local, max_concurrent: 1}',
      'sources:',
      `  - {name: proj, type: path, path: ${JSON.stringify(folder)}, backend: second}`,
      'settings:',
      '  local_poll_interval_ms: 100',
      '',
    ].join('\n'),
  );
  eng = await startEngine({ dataDir: path.join(root, 'data'), configPath, version: 'test' });
}, 60_000);

afterAll(async () => {
  await eng?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('a path source without --backend', () => {
  it('runs on the backend that holds its folder', async () => {
    await eng.api.invoke('sources.sync', { name: 'proj' });
    const run = await eng.api.invoke('sources.run', { name: 'proj', workflow: 'wf' });
    expect(run.backend_name).toBe('second');
    const dry = await eng.api.invoke('sources.dryRun', { name: 'proj', workflow: 'wf' });
    expect(dry.backend).toBe('second');
  });

  it('an explicit --backend still wins', async () => {
    const run = await eng.api.invoke('sources.run', { name: 'proj', workflow: 'wf', backend: 'first' });
    expect(run.backend_name).toBe('first');
  });
});
