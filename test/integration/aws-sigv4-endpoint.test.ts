// The real SDK request path, end to end, against a local HTTP endpoint (node:http on 127.0.0.1) given as the
// backend's `endpoint_url`: requests are SigV4-signed with the configured access key and region, the backend
// parses the endpoint's JSON reply, and an ExpiredToken reply turns into the backend's error status.
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchBackend } from '../../src-main/backends/aws/batch-backend';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let server: http.Server;
let endpoint: string;
const seen: Seen[] = [];
let reply: (req: Seen) => { status: number; headers?: Record<string, string>; body: unknown } = () => ({ status: 200, body: {} });
let dir: string;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_REGION']) saved[k] = process.env[k];
  process.env.AWS_ACCESS_KEY_ID = 'AKIASCRIPTHUTTEST01';
  process.env.AWS_SECRET_ACCESS_KEY = 'local-secret-key-for-the-sigv4-test';
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aws-sigv4-'));
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString('utf8')));
    req.on('end', () => {
      const s: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(s);
      const r = reply(s);
      res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers });
      res.end(JSON.stringify(r.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

function backend(): BatchBackend {
  return new BatchBackend(
    { name: 'aws', aws: { region: 'eu-central-1', job_queue: 'q', endpoint_url: endpoint }, job_definition: null, default_image: null, job_role_arn: null, execution_role_arn: null, log_group: '/aws/batch/job', max_concurrent: 4 },
    { dataDir: dir },
  );
}

describe('SigV4 through endpoint_url', () => {
  it('signs DescribeJobs with the configured key and region and parses the JSON reply', async () => {
    reply = () => ({ status: 200, body: { jobs: [{ jobId: 'job-1', jobName: 'n', jobQueue: 'q', status: 'RUNNING', startedAt: 1796000060000, jobDefinition: 'd', createdAt: 1796000000000 }] } });
    const b = backend();
    const res = await b.poll(['job-1']);
    expect(res.jobs.get('job-1')).toEqual({ state: 'running', rawState: 'RUNNING', startedAt: new Date(1796000060000).toISOString() });
    const req = seen.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/v1/describejobs');
    expect(JSON.parse(req.body)).toEqual({ jobs: ['job-1'] });
    const auth = String(req.headers.authorization);
    expect(auth).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIASCRIPTHUTTEST01\/\d{8}\/eu-central-1\/batch\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/);
    expect(req.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(b.status().state).toBe('ready');
    await b.close();
  });

  it('an ExpiredToken reply puts the backend in error with the fix', async () => {
    reply = () => ({ status: 403, headers: { 'x-amzn-errortype': 'ExpiredTokenException' }, body: { __type: 'ExpiredTokenException', message: 'The security token included in the request is expired' } });
    const b = backend();
    await expect(b.poll(['job-1'])).rejects.toMatchObject({ transient: true });
    expect(b.status().state).toBe('error');
    expect(b.status().detail).toMatch(/expired/);
    await b.close();
  });
});
