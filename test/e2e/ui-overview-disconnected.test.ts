// Found by trying the product with a laptop and a Slurm cluster whose sshd went down: the Overview said only
// "Retrying" for the cluster, while the reason (cannot connect …) was on the Backends page alone. The Overview's
// backend list now says why a backend is not connected. Real headless host; the cluster is a closed port.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { ensureRendererBuilt } from './build';
import { startRealHost, writeConfig, type RealHost } from './real-host';

const skipBrowser = shouldSkipBrowser();
const POLL = { timeout: 30_000 };

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe.skipIf(skipBrowser)('Overview with a cluster that cannot be reached (real host)', () => {
  let host: RealHost;
  let browser: Browser;

  beforeAll(async () => {
    ensureRendererBuilt();
    const port = await closedPort();
    host = await startRealHost((cfg) => {
      writeConfig(
        cfg,
        `backends:\n  - {name: laptop, type: local, max_concurrent: 2}\n  - name: mycluster\n    type: slurm\n    poll_interval: 5\n    ssh: {host: 127.0.0.1, port: ${port}, user: nobody}\n`,
      );
    });
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('says why the cluster is not connected, next to its state', async () => {
    const { page } = browser;
    await page.goto(host.engine.url);
    await page.getByTestId('nav-runs').waitFor(POLL);
    await page.evaluate((h) => ((globalThis as unknown as { location: { hash: string } }).location.hash = h), '#/overview');
    await page.getByTestId('overview-page').waitFor(POLL);
    const cluster = page.locator('[data-testid="overview-backend"][data-backend="mycluster"]');
    await expect.poll(() => cluster.getAttribute('data-state'), POLL).toMatch(/backing_off|disconnected|error/);
    await expect.poll(() => cluster.textContent(), POLL).toMatch(/cannot connect|ECONNREFUSED/);
    const laptop = page.locator('[data-testid="overview-backend"][data-backend="laptop"]');
    expect(await laptop.textContent()).not.toMatch(/cannot connect/);
    expect(browser.problems).toEqual([]);
  }, 90_000);
});
