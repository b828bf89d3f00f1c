// The Backends page against the fake host with a Slurm backend: state and detail, cluster partitions, the
// command log (expandable) and jobs that others put in the queue.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { ensureRendererBuilt } from './build';
import { startFakeHost, type FakeHost } from './fake-host';

const skipBrowser = shouldSkipBrowser();
const SHOTS = join(process.cwd(), 'test-results');
const POLL = { timeout: 10_000 };

const ago = (s: number) => new Date(Date.now() - s * 1000).toISOString();

describe.skipIf(skipBrowser)('Backends page', () => {
  let host: FakeHost;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    host = await startFakeHost({
      staticDir: ensureRendererBuilt(),
      backends: [
        { name: 'local', type: 'local', connected: true, state: 'ready', detail: null, max_concurrent: 4, in_flight: 1, retry_at: null },
        { name: 'hpc', type: 'slurm', connected: true, state: 'connected', detail: 'Slurm accounting is disabled: finished jobs are judged from squeue and exit files.', max_concurrent: 50, in_flight: 12, retry_at: null },
        { name: 'old-cluster', type: 'pbs', connected: false, state: 'backing_off', detail: 'connect ECONNREFUSED 10.0.0.5:22 — backing off', max_concurrent: 10, in_flight: 0, retry_at: new Date(Date.now() + 90_000).toISOString() },
      ],
      clusterInfo: {
        hpc: {
          backend: 'hpc',
          partitions: [
            { name: 'normal', is_default: true, available: true, cpus_allocated: 900, cpus_idle: 212, cpus_other: 40, cpus_total: 1152, nodes: 24, mem_per_node_mb: 256000, time_limit: '2-00:00:00', gpus_total: 0 },
            { name: 'gpu', is_default: false, available: true, cpus_allocated: 60, cpus_idle: 36, cpus_other: 0, cpus_total: 96, nodes: 2, mem_per_node_mb: 512000, time_limit: '1-00:00:00', gpus_total: 16 },
            { name: 'debug', is_default: false, available: false, cpus_allocated: 0, cpus_idle: 0, cpus_other: 8, cpus_total: 8, nodes: 1, mem_per_node_mb: null, time_limit: null, gpus_total: 0 },
          ],
          pending_reasons: { Priority: 7, Resources: 31 },
        },
      },
      commands: {
        hpc: {
          counts: { squeue: 41, sbatch: 3, sacct: 2 },
          commands: [
            { at: ago(5), kind: 'squeue', command: "squeue --me -h -o '%i|%T|%r'", exit_code: 0, duration_ms: 84, stdout: '101|RUNNING|None\n102|PENDING|Resources\n', stderr: '', error: null },
            { at: ago(40), kind: 'sbatch', command: 'cd /scratch/alice && sbatch --parsable <<EOF\n#!/bin/bash\n#SBATCH --job-name=analyze-1\nEOF', exit_code: 1, duration_ms: 1420, stdout: '', stderr: 'sbatch: error: Batch job submission failed: Invalid partition name specified', error: null },
          ],
        },
      },
      externalJobs: [
        { backend: 'hpc', job_id: '88001', name: 'bob-training', user: 'bob', state: 'PENDING', reason: 'Resources', partition: 'gpu', submitted_at: ago(600), started_at: null, first_seen: ago(300), last_seen: ago(5), gone_at: null },
        { backend: 'hpc', job_id: '88002', name: 'carol-sim', user: 'carol', state: 'RUNNING', reason: null, partition: 'normal', submitted_at: ago(900), started_at: ago(800), first_seen: ago(300), last_seen: ago(5), gone_at: null },
      ],
    });
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
  });

  it('opens from a backend chip with the cluster, jobs and command log of that backend', async () => {
    const { page } = browser;
    await page.goto(host.url);
    await page.getByTestId('welcome').waitFor();
    await page.locator('[data-testid="backend-chip"][data-backend="hpc"]').click();
    await page.getByTestId('backends-page').waitFor();

    const hpc = page.locator('[data-testid="backend-card"][data-backend="hpc"]');
    expect(await hpc.getAttribute('aria-selected')).toBe('true');
    expect(await hpc.getByTestId('backend-detail').textContent()).toContain('Slurm accounting is disabled');
    expect(await hpc.getByTestId('backend-load').textContent()).toBe('12 / 50');
    const old = page.locator('[data-testid="backend-card"][data-backend="old-cluster"]');
    expect(await old.getByTestId('backend-state').textContent()).toContain('Retrying');
    expect(await old.getByTestId('backend-retry').textContent()).toMatch(/^next retry (in (1m )?\d+s|now)$/);

    const partitions = page.getByTestId('partition-row');
    await expect.poll(() => partitions.count(), POLL).toBe(3);
    expect(await page.locator('[data-testid="partition-row"][data-partition="gpu"]').textContent()).toContain('36 / 96');
    expect(await page.locator('[data-testid="partition-row"][data-partition="debug"]').textContent()).toContain('down');
    expect(await page.getByTestId('pending-reason').allTextContents()).toEqual(['31 Resources', '7 Priority']);

    await expect.poll(() => page.getByTestId('external-job-row').count(), POLL).toBe(2);
    expect(await page.locator('[data-testid="external-job-row"][data-job-id="88001"]').textContent()).toContain('bob');

    // The command log is a read of its own: wait for its rows before reading them.
    const rows = page.getByTestId('command-row');
    await expect.poll(() => rows.count(), POLL).toBe(2);
    const counts = (await page.getByTestId('command-counts').textContent())?.replace(/\s+/g, ' ');
    expect(counts).toContain('41 squeue');
    expect(await rows.nth(1).textContent()).toContain('cd /scratch/alice && sbatch --parsable <<EOF …');
    expect(await page.getByTestId('command-detail').count()).toBe(0);
    await rows.nth(1).click();
    await expect.poll(() => page.getByTestId('command-detail').textContent(), POLL).toContain('Invalid partition name specified');
    await page.screenshot({ path: join(SHOTS, 'fake-backends-slurm.png'), fullPage: true });

    await page.locator('[data-testid="backend-card"][data-backend="local"]').click();
    await page.getByTestId('command-log-empty').waitFor();
    expect(await page.getByTestId('cluster-info').count()).toBe(0);
    expect(await page.getByTestId('external-jobs-empty').textContent()).toContain('No other jobs');
    expect(browser.problems).toEqual([]);
  });

  it('follows backend.changed events on the page and in the chip', async () => {
    const { page } = browser;
    host.emit({
      event: 'backend.changed',
      payload: { name: 'hpc', type: 'slurm', connected: false, state: 'error', detail: 'HOST KEY CHANGED for login.hpc.example.org:22 — remove the old key from known_hosts if the change is expected', max_concurrent: 50, in_flight: 0, retry_at: null },
    });
    const hpc = page.locator('[data-testid="backend-card"][data-backend="hpc"]');
    await expect.poll(() => hpc.getAttribute('data-state'), POLL).toBe('error');
    expect(await hpc.getByTestId('backend-detail').textContent()).toContain('HOST KEY CHANGED');
    await expect.poll(() => page.locator('[data-testid="backend-chip"][data-backend="hpc"]').getAttribute('data-state'), POLL).toBe('error');
    await hpc.click();
    await expect.poll(() => page.getByTestId('backend-status').textContent(), POLL).toContain('remove the old key from known_hosts if the change is expected');
    await page.screenshot({ path: join(SHOTS, 'fake-backends-error.png') });
    await page.getByTestId('nav-runs').click();
    await page.getByTestId('welcome').waitFor();
    expect(browser.problems).toEqual([]);
  });
});
