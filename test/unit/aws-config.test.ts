// The AWS sections of the config: endpoint_url for LocalStack-style endpoints, the ECS task placement fields and
// EC2 spot, with located errors for bad values; and each AWS type builds its real backend (no longer unavailable).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigObject } from '../../src-shared/config';
import { buildBackends } from '../../src-main/engine/backend-factory';
import { BatchBackend } from '../../src-main/backends/aws/batch-backend';
import { Ec2Backend } from '../../src-main/backends/aws/ec2-backend';
import { EcsBackend } from '../../src-main/backends/aws/ecs-backend';

const backends = [
  { name: 'b', type: 'batch', aws: { region: 'eu-west-1', job_queue: 'q', endpoint_url: 'http://127.0.0.1:4566' } },
  { name: 'e', type: 'ec2', aws: { region: 'us-east-1' }, ami: 'ami-1', subnet_id: 'subnet-1', spot: true },
  { name: 's', type: 'ecs', aws: { region: 'eu-west-1', cluster_name: 'jobs' }, subnet_ids: ['subnet-1'], capacity_providers: ['FARGATE_SPOT'] },
];

describe('AWS config', () => {
  it('accepts endpoint_url, spot and the ECS placement fields, with defaults', () => {
    const res = parseConfigObject({ backends });
    if (!res.ok) throw new Error(res.error.message);
    const [b, e, s] = res.config.backends as Array<Record<string, unknown>>;
    expect((b!.aws as { endpoint_url: string }).endpoint_url).toBe('http://127.0.0.1:4566');
    expect(e!.spot).toBe(true);
    expect(s).toMatchObject({ launch_type: 'FARGATE', capacity_providers: ['FARGATE_SPOT'], subnet_ids: ['subnet-1'], assign_public_ip: false, log_group: '/ecs/scripthut', default_image: null });
  });

  it('refuses a malformed endpoint_url with a located error', () => {
    const res = parseConfigObject({ backends: [{ ...backends[0], aws: { region: 'eu-west-1', job_queue: 'q', endpoint_url: 'not a url' } }] });
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.error.message).toMatch(/endpoint_url/);
  });

  it('builds the real Batch, EC2 and ECS backends from the config', async () => {
    const res = parseConfigObject({ backends });
    if (!res.ok) throw new Error(res.error.message);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aws-config-'));
    const built = buildBackends(res.config, { dataDir, settings: res.config.settings });
    expect(built.get('b')).toBeInstanceOf(BatchBackend);
    expect(built.get('e')).toBeInstanceOf(Ec2Backend);
    expect(built.get('s')).toBeInstanceOf(EcsBackend);
    expect(built.get('s')!.status().state).toBe('ready');
    for (const b of built.values()) await b.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
