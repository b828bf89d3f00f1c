// A real Engine on a temp data folder whose only backend is an AWS one (its SDK clients mocked by the caller).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEngine } from '../../src-main/engine/start';
import type { EngineHarness } from './engine-harness';

/** `root`: reuse the folder of an earlier engine (a restart); `keep`: leave the folder for the next one. */
export async function startAwsEngine(backendYaml: string[], opts: { root?: string; keep?: boolean } = {}): Promise<EngineHarness> {
  const root = opts.root ?? fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-aws-engine-'));
  const dataDir = path.join(root, 'data');
  const work = path.join(root, 'work');
  fs.mkdirSync(work, { recursive: true });
  const configPath = path.join(root, 'scripthut.yaml');
  fs.writeFileSync(configPath, ['backends:', ...backendYaml.map((l) => `  ${l}`), ''].join('\n'));
  const eng = await startEngine({ dataDir, configPath, version: 'test' });
  if (!eng.config) throw new Error('test config was refused');
  for (const b of eng.backends.values()) (b as { pollIntervalMs: number }).pollIntervalMs = 100;
  const events: EngineHarness['events'] = [];
  eng.engine.subscribe((e) => events.push(e));
  for (const b of eng.backends.keys()) eng.engine.wake(b);
  return {
    root,
    dataDir,
    work,
    eng,
    events,
    close: async () => {
      await eng.close();
      if (!opts.keep) fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
