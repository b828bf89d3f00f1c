// Found by trying the product with a laptop and a real Slurm cluster: the New run dialog went straight from a
// workflow to "Start run", with no way to see what would be sent. Now "Preview" shows each task's script (the
// #SBATCH lines on Slurm), its env and the DAG levels, submits nothing, and Start still starts it.
// Real headless host, a real Slurm over the real sshd, Debian Chromium. Skips without Chromium or the Slurm harness.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shouldSkipSlurm, startSlurmCluster, type SlurmCluster } from '../harness/slurm';
import { knownHostsLine } from '../helpers/slurm-engine';
import { openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { ensureRendererBuilt } from './build';
import { startRealHost, writeConfig, type RealHost } from './real-host';

const skip = shouldSkipBrowser() || shouldSkipSlurm();
const SHOTS = join(process.cwd(), 'test', 'e2e', 'artifacts');
const POLL = { timeout: 30_000 };

describe.skipIf(skip)('New run preview on a Slurm backend (real host, real Slurm)', () => {
  let cluster: SlurmCluster;
  let host: RealHost;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ensureRendererBuilt();
    cluster = await startSlurmCluster();
    host = await startRealHost((cfg) => {
      const knownHosts = join(cfg, 'known_hosts');
      writeFileSync(knownHosts, knownHostsLine(cluster));
      writeConfig(
        cfg,
        [
          'backends:',
          '  - {name: laptop, type: local, max_concurrent: 2}',
          '  - name: mycluster',
          '    type: slurm',
          '    poll_interval: 5',
          `    ssh: {host: 127.0.0.1, port: ${cluster.sshPort}, user: ${cluster.user}, key_path: ${JSON.stringify(cluster.clientKeyPath)}, known_hosts: ${JSON.stringify(knownHosts)}}`,
          '',
        ].join('\n'),
      );
    });
    browser = await openBrowser();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    await cluster?.stop();
  });

  it('previews the #SBATCH script, env and DAG of a pasted workflow, then starts it', async () => {
    const { page } = browser;
    await page.goto(host.engine.url);
    await page.getByTestId('new-run').click();
    const dialog = page.getByTestId('new-run-dialog');
    await dialog.getByTestId('newrun-source-paste').check();
    await dialog.getByTestId('newrun-json').fill(
      JSON.stringify({
        title: 'preview on slurm',
        tasks: [
          { id: 'prep', command: 'echo prep', cpus: 2, memory: '100M', time_limit: '0:05:00', env: [{ set: { STAGE: 'prep' } }] },
          { id: 'join', command: 'echo join', deps: ['prep'], memory: '100M' },
        ],
      }),
    );
    await dialog.getByTestId('newrun-backend').selectOption('mycluster');
    await dialog.getByTestId('newrun-preview').click();

    const preview = dialog.getByTestId('newrun-dry-run');
    await preview.waitFor(POLL);
    expect(await preview.getByTestId('dry-run-levels').textContent()).toMatch(/prep.*join/s);
    const prep = preview.locator('[data-testid="dry-run-task"][data-task="prep"]');
    await prep.locator('summary').click();
    await expect.poll(() => prep.locator('pre').textContent(), POLL).toContain('#SBATCH --cpus-per-task=2');
    expect(await prep.locator('pre').textContent()).toContain('#SBATCH --mem=100M');
    expect(await prep.textContent()).toContain('STAGE');
    await page.screenshot({ path: join(SHOTS, 'new-run-preview-slurm-light.png') });
    // Nothing was submitted by the preview.
    const runs = await fetch(`http://127.0.0.1:${host.engine.port}/api/v1/runs`, { headers: { authorization: `Bearer ${host.engine.token}` } });
    expect(((await runs.json()) as { total: number }).total).toBe(0);

    await dialog.getByTestId('newrun-start').click();
    const header = page.getByTestId('run-header');
    await header.waitFor(POLL);
    expect(await header.textContent()).toContain('mycluster');
    await page.locator('[data-testid="run-header"][data-status="completed"]').waitFor({ timeout: 120_000 });
    expect(browser.problems).toEqual([]);
  }, 240_000);
});
