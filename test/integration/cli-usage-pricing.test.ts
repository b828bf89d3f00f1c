// `pricing refresh`, `usage --by source` and `usage rightsizing` through the real `scripthut` command: a local
// HTTP server stands in for the AWS price endpoint (SCRIPTHUT_PRICE_LIST_URL), a closed port for being offline.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliJson, ensureCliBuilt, makeSandbox, REPO, stopAll, type CliSandbox } from '../helpers/cli';

const OFFER = fs.readFileSync(path.join(REPO, 'test', 'fixtures', 'pricing', 'aws-ec2-offer-sample.json'), 'utf8');
const SHIPPED = JSON.parse(fs.readFileSync(path.join(REPO, 'resources', 'pricing', 'aws-ec2-snapshot.json'), 'utf8')) as { date: string; instances: Record<string, { pricing: Record<string, { ondemand?: number; spot_avg?: number }> }> };
const sandboxes: CliSandbox[] = [];
const requests: string[] = [];
let server: http.Server;
let base = '';

beforeAll(async () => {
  ensureCliBuilt();
  server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === '/offers/us-east-1/index.json') res.writeHead(200, { 'content-type': 'application/json' }).end(OFFER);
    else res.writeHead(404).end('no such region');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 180_000);
/** Commands autostart a detached engine per data folder: stop it (by the pid it wrote) and wait until it is gone. */
async function stopEngine(sb: CliSandbox): Promise<void> {
  let pid: number;
  try {
    pid = (JSON.parse(fs.readFileSync(path.join(sb.dataDir, 'engine.json'), 'utf8')) as { pid: number }).pid;
  } catch {
    return;
  }
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 100; i += 1) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

afterAll(async () => {
  for (const sb of sandboxes) await stopEngine(sb);
  stopAll();
  await new Promise((r) => server.close(r));
  for (const sb of sandboxes) fs.rmSync(sb.root, { recursive: true, force: true });
});

function sandbox(priceUrl: string): CliSandbox {
  const sb = makeSandbox();
  sandboxes.push(sb);
  sb.env.SCRIPTHUT_PRICE_LIST_URL = priceUrl;
  sb.writeConfig(['backends:', '  - {name: local, type: local, max_concurrent: 2}', 'pricing:', '  region: us-east-1', '  partitions: {cpu: c5.xlarge}', ''].join('\n'));
  return sb;
}

describe('pricing refresh', () => {
  it('writes a dated snapshot into the data folder that then prices everything; spot figures are kept', async () => {
    const sb = sandbox(`${base}/offers/{region}/index.json`);
    const today = new Date().toISOString().slice(0, 10);
    const r = await cliJson<{ file: string; date: string; previous_date: string; regions: string[]; instance_types: number; source: string }>(sb, ['pricing', 'refresh']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.body).toMatchObject({ file: path.join(sb.dataDir, 'pricing', 'aws-ec2-snapshot.json'), date: today, previous_date: SHIPPED.date, regions: ['us-east-1'] });
    expect(r.body.source).toContain('published 2026-11-01');
    expect(requests).toContain('/offers/us-east-1/index.json');
    const written = JSON.parse(fs.readFileSync(r.body.file, 'utf8')) as typeof SHIPPED;
    expect(written.date).toBe(today);
    expect(written.instances['c5.xlarge']!.pricing['us-east-1']).toEqual({ ...SHIPPED.instances['c5.xlarge']!.pricing['us-east-1'], ondemand: 0.17 });
    expect(written.instances['c5.xlarge']!.pricing['eu-west-1']).toEqual(SHIPPED.instances['c5.xlarge']!.pricing['eu-west-1']);
    expect(fs.existsSync(path.join(sb.dataDir, 'pricing', `aws-ec2-snapshot-${today}.json`))).toBe(true);
    // A new engine on this data folder uses it: its date is the one shown next to dollar figures.
    await stopEngine(sb);
    const status = await cliJson<{ price_date: string }>(sb, ['status']);
    expect(status.body.price_date).toBe(today);
    expect((await cli(sb, ['status'])).stdout).toContain(`Cloud prices of ${today} (\`scripthut pricing refresh\` updates them)`);
    const usage = await cli(sb, ['usage', '--by', 'backend']);
    expect(usage.stdout).toContain(`(cloud prices of ${today})`);
  });

  it('offline: a clear error, nothing written, the shipped snapshot stays', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const sb = sandbox(`http://127.0.0.1:${port}/{region}.json`);
    const r = await cliJson<{ error: { code: string; message: string } }>(sb, ['pricing', 'refresh']);
    expect(r.code).not.toBe(0);
    expect(r.body.error.code).toBe('unavailable');
    expect(r.body.error.message).toBe(`Cannot reach the AWS price list at http://127.0.0.1:${port}/us-east-1.json (ECONNREFUSED); are you offline? Prices of ${SHIPPED.date} stay in use.`);
    expect(fs.existsSync(path.join(sb.dataDir, 'pricing'))).toBe(false);
    expect((await cliJson<{ price_date: string }>(sb, ['status'])).body.price_date).toBe(SHIPPED.date);
    // A region the endpoint does not have: the HTTP status is named.
    const missing = await cliJson<{ error: { code: string; message: string } }>(sandbox(`${base}/offers/{region}/index.json`), ['pricing', 'refresh', '--region', 'eu-west-1']);
    expect(missing.body.error.message).toContain(`${base}/offers/eu-west-1/index.json answered HTTP 404`);
  });
});

describe('usage by source and right-sizing from the CLI', () => {
  it('groups a finished run under "(no source)" and lists its completed tasks for right-sizing', async () => {
    const sb = sandbox(`${base}/offers/{region}/index.json`);
    const wf = path.join(sb.root, 'sized.json');
    fs.writeFileSync(wf, JSON.stringify({ title: 'sized', tasks: [{ id: 'a', name: 'align', command: 'sleep 1', memory: '2G', cpus: 2, working_dir: sb.root }] }));
    const started = await cliJson<{ id: string }>(sb, ['workflow', 'run', wf, '--backend', 'local']);
    expect(started.code, started.stderr).toBe(0);
    expect((await cli(sb, ['run', 'watch', started.body.id, '--exit-status', '--interval', '1'], 120_000)).code).toBe(0);
    const bySource = await cliJson<{ by: string; rows: Array<{ key: string; cpu_hours: number; tasks: number }> }>(sb, ['usage', '--by', 'source']);
    expect(bySource.body.by).toBe('source');
    expect(bySource.body.rows).toEqual([expect.objectContaining({ key: '(no source)', tasks: 1 })]);
    expect(bySource.body.rows[0]!.cpu_hours).toBeGreaterThan(0);
    const rs = await cliJson<{ since: string; tasks: Array<{ workflow: string; name: string; runs: number; memory_requested_gb: number }> }>(sb, ['usage', 'rightsizing', '--days', '7', '--workflow', 'sized']);
    expect(rs.code, rs.stderr).toBe(0);
    expect(rs.body.tasks).toEqual([expect.objectContaining({ workflow: 'sized', name: 'align', runs: 1, memory_requested_gb: 2 })]);
    expect(Date.parse(rs.body.since)).toBeGreaterThan(Date.now() - 7 * 86_400_000 - 3_600_000);
    const text = await cli(sb, ['usage', 'rightsizing', '--days', '7']);
    expect(text.stdout).toContain('Right-sizing of completed tasks since');
    expect(text.stdout).toMatch(/sized\s+align\s+1\s+2\.00G/);
    const bad = await cli(sb, ['usage', 'rightsizing', '--days', 'many']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--days must be a whole number of days (1-9999), got 'many'.");
  });
});
