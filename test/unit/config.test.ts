import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfigObject } from '../../src-shared/config';
import type { BackendConfig, ScripthutConfig } from '../../src-shared/config';
import type { EnvRule } from '../../src-shared/workflow/types';
import { loadConfig } from '../../src-main/config/load';

const FIXTURES = path.resolve(__dirname, '../fixtures/config');
const fixture = (name: string) => path.join(FIXTURES, name);
const HOME = '/home/tester';
const env = { HOME, XDG_CONFIG_HOME: '/nonexistent-xdg' };

function load(name: string, cpuCount = 6) {
  return loadConfig({ configPath: fixture(name), env, cpuCount });
}

function okConfig(result: ReturnType<typeof loadConfig>): { config: ScripthutConfig; warnings: string[] } {
  if (!result.ok) throw new Error(`expected a valid config, got:\n${result.error.message}`);
  return result;
}

function backend<T extends BackendConfig['type']>(config: ScripthutConfig, name: string, type: T): Extract<BackendConfig, { type: T }> {
  const b = config.backends.find((x) => x.name === name);
  expect(b?.type).toBe(type);
  return b as Extract<BackendConfig, { type: T }>;
}

describe('valid files', () => {
  it('loads a config with every backend kind, source kind and section', () => {
    const { config, warnings } = okConfig(load('full.yaml'));
    // settings.data_dir is used now (the data folder when no --data-dir): no warning left.
    // The original's agent and cache sections load, and say they are not acted on (file and line), in file order.
    expect(warnings).toEqual([
      expect.stringMatching(/full\.yaml:72: cache: is not supported yet/),
      expect.stringMatching(/full\.yaml:76: agent: is not supported yet/),
    ]);
    expect(config.backends.map((b) => `${b.name}:${b.type}`)).toEqual([
      'hpc:slurm',
      'torque:pbs',
      'laptop:local',
      'aws-batch:batch',
      'cloud:ec2',
      'fargate:ecs',
    ]);
    const hpc = backend(config, 'hpc', 'slurm');
    expect(hpc.ssh).toMatchObject({ host: 'login.hpc.example.org', user: 'alice', port: 2222, proxy_jump: 'bastion.example.org' });
    expect(hpc.partition_map).toEqual({ gpu: 'gpu-a100', cpu: 'standard' });
    expect(hpc.max_concurrent).toBe(50);
    expect(hpc.poll_interval).toBe(30);
    expect(hpc.env[0]?.set).toEqual({ OMP_NUM_THREADS: '4' }); // YAML number kept as the text the shell sees
    expect(backend(config, 'torque', 'pbs').queue).toBe('batch');
    expect(backend(config, 'laptop', 'local').max_concurrent).toBe(2);
    const awsBatch = backend(config, 'aws-batch', 'batch');
    expect(awsBatch.aws).toEqual({ region: 'eu-west-1', job_queue: 'my-queue', profile: 'work' });
    expect(awsBatch.job_definition_mode).toBe('revisions');
    expect(awsBatch.retry_attempts).toBe(3);
    expect(backend(config, 'cloud', 'ec2').instance_types).toEqual({ default: 'c5.2xlarge', gpu: 'g5.xlarge' });
    expect(backend(config, 'fargate', 'ecs').aws.cluster_name).toBe('main');
    expect(config.sources.map((s) => `${s.name}:${s.type}`)).toEqual(['pipelines:git', 'scratch:path']);
    expect(config.env[0]?.if).toEqual({ SCRIPTHUT_BACKEND: ['hpc', 'torque'] });
    expect(config.pricing).toEqual({ region: 'us-east-1', price_type: 'spot_avg', partitions: { gpu: 'g5.xlarge' } });
    expect(config.cache).toEqual({ enabled: true, store: 's3://bucket/cache', tool: 'rclone' });
    expect(config.settings.poll_interval).toBe(15);
    expect(config.agent.env_group).toBe('cuda');
    // Env rules from the config feed the same resolver as workflow env rules.
    const rule: EnvRule = config.env[0]!;
    expect(rule.include).toEqual(['cuda']);
  });

  it('applies the documented defaults', () => {
    const { config } = okConfig(load('minimal.yaml'));
    const hpc = backend(config, 'hpc', 'slurm');
    // Only host is given: user/port/key come from ~/.ssh/config or the agent, so nothing is invented here.
    expect(hpc.ssh).toEqual({ host: 'hpc' });
    expect(hpc).toMatchObject({
      account: null,
      partition_map: {},
      default_partition: null,
      login_shell: false,
      max_concurrent: 100,
      clone_dir: '~/scripthut-repos',
      env: [],
      env_groups: {},
    });
    expect(hpc.poll_interval).toBeUndefined();
    expect(config.settings).toMatchObject({
      poll_interval: 60,
      no_record_seconds: 300,
      settling_timeout_seconds: 600,
      local_poll_interval_ms: 1000,
      server_host: '127.0.0.1',
      cli_autostart: 'ask',
      sources_cache_dir: null,
    });
    expect(config.settings.data_dir).toBeUndefined();
    // Unset means `scripthut serve` picks a free port.
    expect(config.settings.server_port).toBeUndefined();
    expect(config.agent).toMatchObject({ cpus: 2, memory: '8G', time_limit: '12:00:00', clone_full_history: true, env_group: null });
    expect(config.cache).toEqual({ enabled: false, store: null, tool: 'aws' });
    expect(config.pricing).toBeNull();
    expect(config).toMatchObject({ sources: [], env: [], env_groups: {}, stacks: [] });
  });

  it.each([
    ['batch', { type: 'batch', name: 'b', aws: { region: 'r', job_queue: 'q' } }, { job_definition_mode: 'locked', retry_attempts: 1, log_group: '/aws/batch/job', max_concurrent: 100, clone_dir: '' }],
    ['ec2', { type: 'ec2', name: 'e', aws: { region: 'r' }, ami: 'ami-1', subnet_id: 's' }, { instance_types: { default: 'c5.xlarge' }, ssh_user: 'ec2-user', max_instances: 20, idle_terminate_seconds: 1800, tag_prefix: 'scripthut', security_group_ids: [] }],
    ['pbs', { type: 'pbs', name: 'p', ssh: { host: 'h' } }, { queue: null, max_concurrent: 100, login_shell: false }],
    ['ecs', { type: 'ecs', name: 'c', aws: { region: 'r', cluster_name: 'k' } }, { max_concurrent: 100 }],
  ])('fills %s backend defaults', (_kind, input, expected) => {
    const r = parseConfigObject({ backends: [input] });
    expect(r.ok && r.config.backends[0]).toMatchObject(expected);
  });

  it('gives a local backend without max_concurrent one slot per CPU', () => {
    const r = parseConfigObject({ backends: [{ type: 'local', name: 'l' }] }, { cpuCount: 12 });
    expect(r.ok && r.config.backends[0]).toMatchObject({ max_concurrent: 12 });
    const loaded = okConfig(loadConfig({ configPath: fixture('typo.yaml'), env }));
    expect(loaded.config.backends[0]).toMatchObject({ max_concurrent: os.cpus().length });
  });

  it('treats an empty section (`backends:` with nothing under it) as not set', () => {
    const r = parseConfigObject({ backends: null, settings: null, env: null });
    expect(r.ok && r.config.backends).toEqual([]);
    expect(r.ok && r.config.settings.poll_interval).toBe(60);
  });
});

describe('invalid files: located, friendly errors', () => {
  it.each([
    ['wrong-type.yaml', 'backends[0].max_concurrent', `backends[0] ('hpc').max_concurrent: expected a whole number ≥ 1, got "ten".`, 6],
    ['unknown-type.yaml', 'backends[1]', `backends[1] ('hpc'): unknown backend type 'slurmm'. Set 'type' to one of: slurm, pbs, local, batch, ec2, ecs.`, 4],
    ['missing-type.yaml', 'backends[2]', `backends[2] ('hpc'): missing required field 'type'. Each item in 'backends' must have a 'type' field set to one of: slurm, pbs, local, batch, ec2, ecs.`, 6],
    ['poll-too-small.yaml', 'settings.poll_interval', 'settings.poll_interval: must be at least 5 seconds, got 2.', 2],
    ['projects.yaml', 'projects', `projects: the 'projects:' section was replaced by 'sources:' in ScriptHut 0.6.0.`, 1],
  ])('%s → %s', (file, issuePath, message, line) => {
    const r = load(file);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.file).toBe(fixture(file));
    expect(r.error.issues).toHaveLength(1);
    expect(r.error.issues[0]!.path).toBe(issuePath);
    expect(r.error.issues[0]!.message.startsWith(message)).toBe(true);
    expect(r.error.message).toContain(fixture(file));
    expect(r.error.message).toContain(`line ${line}: ${message}`);
  });

  it('suggests the closest backend type for a typo', () => {
    const r = load('unknown-type.yaml');
    expect(!r.ok && r.error.message).toContain("Did you mean 'slurm'?");
  });

  it('reports duplicate backend and source names, naming both positions', () => {
    const r = load('duplicate-names.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.issues.map((i) => i.path)).toEqual(['backends[2].name', 'sources[1].name']);
    expect(r.error.issues[0]!.message).toContain(`duplicate backend name 'hpc': backends[0] and backends[2] both use it`);
    expect(r.error.issues[1]!.message).toContain(`duplicate source name 'wf': sources[0] and sources[1] both use it`);
  });

  it('reports a YAML syntax error with file, line and column', () => {
    const r = load('syntax-error.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.message).toMatch(new RegExp(`^${fixture('syntax-error.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5:1: YAML syntax error: `));
    expect(r.error.issues[0]!.message).toMatch(/^line 5, column 1: YAML syntax error: /);
  });

  it.each([
    ['missing ssh host', { backends: [{ type: 'slurm', name: 'hpc', ssh: { user: 'a' } }] }, 'backends[0].ssh.host', `backends[0] ('hpc').ssh: missing required field 'host'.`],
    ['missing ssh block', { backends: [{ type: 'pbs', name: 'p' }] }, 'backends[0].ssh', `backends[0] ('p'): missing required field 'ssh'.`],
    ['ec2 without ami', { backends: [{ type: 'ec2', name: 'e', aws: { region: 'r' }, subnet_id: 's' }] }, 'backends[0].ami', `backends[0] ('e'): missing required field 'ami'.`],
    ['retry_attempts too big', { backends: [{ type: 'batch', name: 'b', aws: { region: 'r', job_queue: 'q' }, retry_attempts: 11 }] }, 'backends[0].retry_attempts', `backends[0] ('b').retry_attempts: must be at most 10, got 11.`],
    ['fractional max_concurrent', { backends: [{ type: 'local', name: 'l', max_concurrent: 1.5 }] }, 'backends[0].max_concurrent', `backends[0] ('l').max_concurrent: expected a whole number ≥ 1, got 1.5.`],
    ['scheduler poll_interval < 5', { backends: [{ type: 'slurm', name: 's', ssh: { host: 'h' }, poll_interval: 1 }] }, 'backends[0].poll_interval', `backends[0] ('s').poll_interval: must be at least 5 seconds, got 1.`],
    ['bad enum', { pricing: { price_type: 'cheap' } }, 'pricing.price_type', `pricing.price_type: expected one of: ondemand, spot_avg, spot_min, spot_max, got "cheap".`],
    ['local timer too small', { settings: { local_poll_interval_ms: 10 } }, 'settings.local_poll_interval_ms', 'settings.local_poll_interval_ms: must be at least 100 milliseconds, got 10.'],
    ['timer zero', { settings: { settling_timeout_seconds: 0 } }, 'settings.settling_timeout_seconds', 'settings.settling_timeout_seconds: must be at least 1 second, got 0.'],
    ['list where a mapping belongs', { settings: [1] }, 'settings', 'settings: expected a mapping (key: value pairs), got a list.'],
    ['backend not a mapping', { backends: ['hpc'] }, 'backends[0]', `backends[0]: expected a backend (a mapping with 'name' and 'type'), got "hpc".`],
    ['unknown source type', { sources: [{ type: 'svn', name: 's' }] }, 'sources[0]', `sources[0] ('s'): unknown source type 'svn'. Set 'type' to one of: git, path.`],
    ['cache on without store', { cache: { enabled: true } }, 'cache.store', 'cache.store: is required when cache.enabled is true.'],
    ['empty name', { backends: [{ type: 'local', name: ' ' }] }, 'backends[0].name', 'backends[0].name: must not be empty.'],
    ['top level not a mapping', ['backends'], '', 'the top level must be a mapping of sections'],
  ])('%s', (_label, input, issuePath, message) => {
    const r = parseConfigObject(input);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const issue = r.error.issues.find((i) => i.path === issuePath);
    expect(issue, r.error.message).toBeDefined();
    expect(issue!.message.startsWith(message)).toBe(true);
    expect(r.error.message).toContain(issue!.message);
  });

  it('reports every problem at once, not just the first', () => {
    const r = parseConfigObject({
      backends: [{ type: 'local', name: 'a', max_concurrent: 'x' }, { name: 'b' }],
      settings: { poll_interval: 1 },
    });
    expect(!r.ok && r.error.issues.map((i) => i.path)).toEqual(['backends[0].max_concurrent', 'backends[1]', 'settings.poll_interval']);
  });

  it.each([[42], ['text'], [true], [{ backends: 'x' }], [{ backends: [{ type: 'slurm', name: 'a', ssh: 7 }] }], [{ env: [{ if: { A: { b: 1 } } }] }], [{ env_groups: { g: 'x' } }]])(
    'never throws for junk input %j',
    (input) => {
      const r = parseConfigObject(input);
      expect(r.ok).toBe(false);
      expect(!r.ok && r.error.message.length).toBeGreaterThan(0);
    },
  );
});

describe('unknown keys are warnings, with suggestions', () => {
  it('warns about typos with their location and the key they probably meant', () => {
    const { warnings } = okConfig(load('typo.yaml'));
    expect(warnings).toEqual([
      `${fixture('typo.yaml')}:4: backends[0] ('laptop'): unknown key 'max_concurent' is ignored. Did you mean 'max_concurrent'?`,
      `${fixture('typo.yaml')}:6: settings: unknown key 'poll_intervall' is ignored. Did you mean 'poll_interval'?`,
    ]);
  });

  it.each([
    ['nested block', { backends: [{ type: 'batch', name: 'b', aws: { region: 'r', job_queue: 'q', regoin: 'x' } }] }, 'backends[0].aws.regoin', `backends[0] ('b').aws: unknown key 'regoin' is ignored. Did you mean 'region'?`],
    ['no close match lists the known keys', { cache: { colour: 'red' } }, 'cache.colour', `cache: unknown key 'colour' is ignored. Known keys here: enabled, store, tool.`],
    ['removed workflows section', { workflows: [] }, 'workflows', `workflows: the top-level 'workflows:' section was removed in ScriptHut 0.5.3 and is ignored; workflows now come from 'sources:'`],
    ['path source on an unknown backend', { backends: [{ type: 'local', name: 'laptop' }], sources: [{ type: 'path', name: 's', path: '/x', backend: 'laptpo' }] }, 'sources[0].backend', `sources[0] ('s').backend: no backend named 'laptpo' is configured (did you mean 'laptop'?)`],
    ['env rule typo', { env: [{ sett: { A: '1' } }] }, 'env[0].sett', `env[0]: unknown key 'sett' is ignored. Did you mean 'set'?`],
  ])('%s', (_label, input, warningPath, message) => {
    const r = parseConfigObject(input);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const w = r.warnings.find((x) => x.path === warningPath);
    expect(w, JSON.stringify(r.warnings)).toBeDefined();
    expect(w!.message.startsWith(message)).toBe(true);
  });

  it('does not keep unknown keys in the parsed config', () => {
    const r = parseConfigObject({ backends: [{ type: 'local', name: 'l', max_concurent: 3 }] }, { cpuCount: 2 });
    expect(r.ok && r.config.backends[0]).toEqual(expect.not.objectContaining({ max_concurent: 3 }));
    expect(r.ok && r.config.backends[0]!.type === 'local' && r.config.backends[0]!.max_concurrent).toBe(2);
  });
});

describe('discovery', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-config-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  function sandbox(files: Record<string, string>) {
    const root = fs.mkdtempSync(path.join(tmp, 'case-'));
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    }
    return { root, env: { HOME: path.join(root, 'home'), XDG_CONFIG_HOME: path.join(root, 'xdg') } };
  }
  const local = (name: string) => `backends:\n  - { name: ${name}, type: local }\n`;

  it.each([
    ['no file anywhere → built-in default', {}, null, []],
    ['only ~/.scripthut.yaml', { 'home/.scripthut.yaml': local('from-home') }, 'home/.scripthut.yaml', ['from-home']],
    ['XDG file wins over ~/.scripthut.yaml', { 'home/.scripthut.yaml': local('from-home'), 'xdg/scripthut/scripthut.yaml': local('from-xdg') }, 'xdg/scripthut/scripthut.yaml', ['from-xdg']],
  ])('%s', (_label, files, expectedFile, names) => {
    const box = sandbox(files);
    const r = loadConfig({ env: box.env, cpuCount: 3 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.file).toBe(expectedFile === null ? null : path.join(box.root, expectedFile));
    expect(r.config.backends.map((b) => b.name)).toEqual(names);
    expect(r.config.settings.poll_interval).toBe(60);
  });

  it('--config loads exactly that file, even when a global one exists', () => {
    const box = sandbox({ 'xdg/scripthut/scripthut.yaml': local('global'), 'mine.yaml': local('mine') });
    const r = loadConfig({ configPath: path.join(box.root, 'mine.yaml'), env: box.env });
    expect(r.ok && r.config.backends.map((b) => b.name)).toEqual(['mine']);
  });

  it('a missing --config file is a located error, not an exception', () => {
    const missing = path.join(tmp, 'nope', 'scripthut.yaml');
    const r = loadConfig({ configPath: missing, env });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.file).toBe(missing);
    expect(r.error.message).toContain(`Config file not found: ${missing}`);
    expect(r.error.issues).toHaveLength(1);
  });

  it('a directory given as --config is an error, not an exception', () => {
    const r = loadConfig({ configPath: tmp, env });
    expect(!r.ok && r.error.message).toContain('it is a directory');
  });

  it('an empty file is the default configuration', () => {
    const box = sandbox({ 'empty.yaml': '# nothing yet\n' });
    const r = loadConfig({ configPath: path.join(box.root, 'empty.yaml'), env: box.env });
    expect(r.ok && r.config.backends).toEqual([]);
  });
});

describe('~ expansion', () => {
  it('expands ~ in local paths and leaves remote paths alone', () => {
    const { config } = okConfig(load('full.yaml'));
    const hpc = backend(config, 'hpc', 'slurm');
    expect(hpc.ssh.key_path).toBe(path.join(HOME, '.ssh/id_ed25519'));
    expect(hpc.ssh.known_hosts).toBe(path.join(HOME, '.ssh/known_hosts'));
    expect(config.settings.data_dir).toBe(path.join(HOME, 'scripthut-data'));
    const git = config.sources.find((s) => s.type === 'git');
    expect(git?.type === 'git' && git.deploy_key).toBe(path.join(HOME, '.ssh/deploy_pipelines'));
    // Remote: expanded by the remote shell to the remote home.
    const pathSource = config.sources.find((s) => s.type === 'path');
    expect(pathSource?.type === 'path' && pathSource.path).toBe('~/scratch/workflows');
    expect(hpc.clone_dir).toBe('~/scripthut-repos');
    expect(config.stacks[0]?.cache_dir).toBe('~/.cache/scripthut/stacks');
    // Stack input files are hashed locally, relative to the YAML that declares them.
    expect(config.stacks[0]?.input_files).toEqual([path.join(FIXTURES, 'requirements.txt')]);
  });
});
