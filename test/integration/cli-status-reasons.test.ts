// Found by trying the app: with an unreachable cluster `scripthut status` said "hpc (slurm): not connected" and
// nothing more, and with a broken config it did not say the embedded default was in use.
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, cliJson, ensureCliBuilt, makeSandbox, serve, stopAll, stopServe, type CliSandbox } from '../helpers/cli';

const boxes: CliSandbox[] = [];
afterAll(() => {
  stopAll();
  for (const sb of boxes) fs.rmSync(sb.root, { recursive: true, force: true });
});

function sandbox(yaml: string): CliSandbox {
  ensureCliBuilt();
  const sb = makeSandbox();
  boxes.push(sb);
  sb.writeConfig(yaml);
  return sb;
}

describe('scripthut status says why', () => {
  it('a backend that is not connected shows its state and last error', async () => {
    // Port 1 on loopback refuses at once: a real, unreachable ssh target.
    const sb = sandbox('backends:\n  - name: laptop\n    type: local\n  - name: hpc\n    type: slurm\n    ssh:\n      host: 127.0.0.1\n      port: 1\n      user: nobody\n');
    const engine = await serve(sb);
    let detail: string | null = null;
    for (let i = 0; i < 100 && !detail; i++) {
      const list = await cliJson<{ backends: Array<{ name: string; detail: string | null }> }>(sb, ['backend', 'list']);
      detail = list.body.backends.find((b) => b.name === 'hpc')?.detail ?? null;
      if (!detail) await new Promise((r) => setTimeout(r, 300));
    }
    expect(detail).toContain('ECONNREFUSED');
    const status = await cli(sb, ['status']);
    // One word for one state: `backend list` says "ready" for the local backend, so does `status`.
    const list = await cli(sb, ['backend', 'list']);
    expect(list.stdout.split('\n').find((l) => l.startsWith('laptop'))).toMatch(/\bready\b/);
    expect(status.stdout).toContain('laptop (local): ready');
    const line = status.stdout.split('\n').find((l) => l.includes('hpc (slurm)')) ?? '';
    expect(line).toContain('not ready — ');
    expect(line).toContain('ECONNREFUSED');
    await stopServe(engine);
  }, 120_000);

  it('a broken config says the embedded default is running', async () => {
    const sb = sandbox('backends:\n  - name: mine\n    type: local\n    max_concurrent: ten\n');
    const engine = await serve(sb);
    const status = await cli(sb, ['status']);
    expect(status.code).toBe(1);
    expect(status.stdout).toContain('Config error (running on the embedded default until it is fixed):');
    expect(status.stdout).toContain('line 4');
    await stopServe(engine);
  }, 120_000);
});
