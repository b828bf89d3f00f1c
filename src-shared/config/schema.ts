// The zod schema of scripthut.yaml (same keys and defaults as the original ScriptHut, see
// shared/reference/upstream-behaviour.md §1.2, with the deliberate differences noted inline).
//
// The schemas are built twice by one factory: the "strict" build flags every unknown key with an issue that
// errors.ts turns into a warning (with a did-you-mean), the plain build strips unknown keys and yields the data.
// Use parseConfigObject() from ./errors rather than these schemas directly.
import { z } from 'zod';
import { BACKEND_KINDS } from '../model/backend-kinds';
import { closestMatch } from './suggest';

/** Marker carried by the issue the strict build raises for an unknown key (see errors.ts). */
export const UNKNOWN_KEY_MARKER = 'scripthut.unknown_key';

export const SOURCE_KINDS = ['git', 'path'] as const;

/** What a value looks like in an error message: `"ten"`, `2`, `null`, `a list`, `a mapping`. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null (empty)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

const quoted = (v: unknown) => (typeof v === 'string' ? `'${v}'` : describeValue(v));

function didYouMean(v: unknown, candidates: readonly string[]): string {
  const match = typeof v === 'string' ? closestMatch(v, candidates) : undefined;
  return match ? ` Did you mean '${match}'?` : '';
}

// ---------------------------------------------------------------------------------------------------------
// Building blocks

type Shape = z.ZodRawShape;

function makeObject(strict: boolean) {
  return <S extends Shape>(shape: S): z.ZodObject<S> => {
    const base = z.object(shape);
    if (!strict) return base;
    const known = Object.keys(shape);
    const flag = z.unknown().superRefine((_v, ctx) => {
      ctx.addIssue({ code: 'custom', message: 'unknown key', params: { marker: UNKNOWN_KEY_MARKER, known } });
    });
    // The catchall only adds issues, never data we keep: the data comes from the non-strict build.
    return base.catchall(flag) as unknown as z.ZodObject<S>;
  };
}

/** `key:` written with no value in YAML means "not set", like leaving it out (common when commenting out items). */
function nullAsMissing<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (v === null ? undefined : v), schema);
}

function wholeNumber(min: number, max?: number, unit = '') {
  const u = unit ? ` ${unit}` : '';
  const unitFor = (n: number) => (n === 1 ? u.replace(/s$/, '') : u);
  const range = max === undefined ? `≥ ${min}` : `between ${min} and ${max}`;
  const expected = (input: unknown) => `expected a whole number${u ? ' of' + u : ''} ${range}, got ${describeValue(input)}.`;
  let n = z
    .number({ error: (iss) => expected(iss.input) })
    .int({ error: (iss) => expected(iss.input) })
    .min(min, { error: (iss) => `must be at least ${min}${unitFor(min)}, got ${describeValue(iss.input)}.` });
  if (max !== undefined) n = n.max(max, { error: (iss) => `must be at most ${max}${unitFor(max)}, got ${describeValue(iss.input)}.` });
  return n;
}

const seconds = (min: number) => wholeNumber(min, undefined, 'seconds');

/** YAML turns `N: 4` into a number; env values and guards are text, so accept scalars and keep their text. */
const text = z.preprocess((v) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : v), z.string());

const nonEmptyText = text.pipe(z.string().trim().min(1, { error: 'must not be empty.' }));

const textMap = z.record(z.string(), text);

const enumOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, {
    error: (iss) => `expected one of: ${values.join(', ')}, got ${describeValue(iss.input)}.`,
  });

// ---------------------------------------------------------------------------------------------------------

export function buildConfigSchemas(strict: boolean) {
  const obj = makeObject(strict);

  const envRule = obj({
    if: z.record(z.string(), z.union([text, z.array(text)])).optional(),
    include: z.array(z.string()).default([]),
    stacks: z.array(z.string()).default([]),
    set: textMap.default({}),
    append: textMap.default({}),
    init: z.string().default(''),
  });
  const envRules = nullAsMissing(z.array(envRule).default([]));
  const envGroups = nullAsMissing(z.record(z.string(), z.array(envRule)).default({}));

  // Deliberate difference: only `host` is required; it may be an alias from ~/.ssh/config, which then supplies
  // user/port/key. Undefined means "take it from ~/.ssh/config or the agent", so none of these have defaults.
  const ssh = obj({
    host: nonEmptyText,
    user: z.string().min(1).optional(),
    port: wholeNumber(1, 65535).optional(),
    key_path: z.string().min(1).optional(),
    cert_path: z.string().min(1).optional(),
    known_hosts: z.string().min(1).optional(),
    proxy_jump: z.string().min(1).optional(),
  });

  // Charge-back rates (issue 11): allocated resources x elapsed, in the centre's own unit; partitions override.
  const rate = z.number({ error: (iss) => `expected a number ≥ 0, got ${describeValue(iss.input)}.` }).nonnegative({ error: (iss) => `must not be negative, got ${describeValue(iss.input)}.` });
  const costRates = {
    per_cpu_hour: rate.optional(),
    per_gpu_hour: rate.optional(),
    per_gb_hour: rate.optional(),
    billing_tres: rate.optional(),
  };
  const backendCost = obj({
    currency: nonEmptyText.default('SU'),
    ...costRates,
    partitions: nullAsMissing(z.record(z.string(), obj(costRates)).default({})),
    monthly_budget: rate.optional(),
  });

  const common = {
    name: nonEmptyText,
    env: envRules,
    env_groups: envGroups,
    cost: nullAsMissing(backendCost.optional()),
  };
  const maxConcurrent = wholeNumber(1).default(100);
  const schedulerPoll = seconds(5).optional();

  const slurm = obj({
    type: z.literal('slurm'),
    ...common,
    ssh,
    account: z.string().nullable().default(null),
    partition_map: nullAsMissing(textMap.default({})),
    default_partition: z.string().nullable().default(null),
    login_shell: z.boolean().default(false),
    max_concurrent: maxConcurrent,
    clone_dir: z.string().default('~/scripthut-repos'),
    poll_interval: schedulerPoll,
  });

  const pbs = obj({
    type: z.literal('pbs'),
    ...common,
    ssh,
    account: z.string().nullable().default(null),
    login_shell: z.boolean().default(false),
    max_concurrent: maxConcurrent,
    queue: z.string().nullable().default(null),
    clone_dir: z.string().default('~/scripthut-repos'),
    poll_interval: schedulerPoll,
    // Resource syntax: Torque `-l nodes=1:ppn=N`, PBS Pro `-l select=1:ncpus=N:mem=…`.
    flavor: enumOf(['torque', 'pro']).default('torque'),
  });

  const local = obj({
    type: z.literal('local'),
    ...common,
    // Default = number of CPUs; src-shared cannot ask the OS, so parseConfigObject fills it in (cpuCount option).
    max_concurrent: wholeNumber(1).optional(),
    login_shell: z.boolean().default(false),
    clone_dir: z.string().default('~/scripthut-repos'),
    poll_interval: seconds(1).optional(),
  });

  const awsProfile = z.string().min(1).optional();
  // LocalStack-style endpoint override (http://127.0.0.1:4566); absent = the real AWS endpoints.
  const awsEndpoint = z.string().url().optional();

  const ecs = obj({
    type: z.literal('ecs'),
    ...common,
    aws: obj({ profile: awsProfile, region: nonEmptyText, cluster_name: nonEmptyText, endpoint_url: awsEndpoint }),
    max_concurrent: maxConcurrent,
    poll_interval: schedulerPoll,
    default_image: z.string().nullable().default(null),
    // Fargate unless capacity providers are named (EC2 capacity providers of the cluster).
    launch_type: enumOf(['FARGATE', 'EC2']).default('FARGATE'),
    capacity_providers: z.array(z.string()).default([]),
    subnet_ids: z.array(z.string()).default([]),
    security_group_ids: z.array(z.string()).default([]),
    assign_public_ip: z.boolean().default(false),
    task_role_arn: z.string().nullable().default(null),
    execution_role_arn: z.string().nullable().default(null),
    log_group: z.string().default('/ecs/scripthut'),
  });

  const batch = obj({
    type: z.literal('batch'),
    ...common,
    aws: obj({ profile: awsProfile, region: nonEmptyText, job_queue: nonEmptyText, endpoint_url: awsEndpoint }),
    job_definition: z.string().nullable().default(null),
    job_definition_mode: enumOf(['locked', 'revisions']).default('locked'),
    default_image: z.string().nullable().default(null),
    job_role_arn: z.string().nullable().default(null),
    execution_role_arn: z.string().nullable().default(null),
    retry_attempts: wholeNumber(1, 10).default(1),
    log_group: z.string().default('/aws/batch/job'),
    max_concurrent: maxConcurrent,
    clone_dir: z.string().default(''),
    poll_interval: schedulerPoll,
  });

  const ec2 = obj({
    type: z.literal('ec2'),
    ...common,
    aws: obj({ profile: awsProfile, region: nonEmptyText, endpoint_url: awsEndpoint }),
    ami: nonEmptyText,
    subnet_id: nonEmptyText,
    security_group_ids: z.array(z.string()).default([]),
    instance_types: nullAsMissing(textMap.default({ default: 'c5.xlarge' })),
    instance_profile_arn: z.string().nullable().default(null),
    default_image: z.string().nullable().default(null),
    ssh_user: z.string().default('ec2-user'),
    max_instances: wholeNumber(1).default(20),
    max_concurrent: maxConcurrent,
    idle_terminate_seconds: seconds(60).default(1800),
    startup_timeout_seconds: seconds(1).default(600),
    tag_prefix: z.string().default('scripthut'),
    extra_tags: nullAsMissing(textMap.default({})),
    clone_dir: z.string().default(''),
    poll_interval: schedulerPoll,
    spot: z.boolean().default(false),
  });

  const backendTypes = BACKEND_KINDS.join(', ');
  const backend = z.discriminatedUnion('type', [slurm, pbs, local, batch, ec2, ecs], {
    error: (iss) => {
      const item = iss.input;
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        return `expected a backend (a mapping with 'name' and 'type'), got ${describeValue(item)}.`;
      }
      const type = (item as Record<string, unknown>).type;
      if (type === undefined || type === null) {
        return `missing required field 'type'. Each item in 'backends' must have a 'type' field set to one of: ${backendTypes}.`;
      }
      return `unknown backend type ${quoted(type)}. Set 'type' to one of: ${backendTypes}.${didYouMean(type, BACKEND_KINDS)}`;
    },
  });

  const workflowsGlob = z.string().default('.hut/workflows/*.json');
  const git = obj({
    type: z.literal('git'),
    name: nonEmptyText,
    url: nonEmptyText,
    branch: z.string().default('main'),
    deploy_key: z.string().nullable().default(null),
    // Deprecated in the original (ignored there too); accepted so old files load, errors.ts warns about it.
    backend: z.string().optional(),
    workflows_glob: workflowsGlob,
    clone_dir: z.string().default('~/scripthut-repos'),
    postclone: z.string().nullable().default(null),
    max_concurrent: wholeNumber(1).nullable().optional(),
    description: z.string().default(''),
  });
  const pathSource = obj({
    type: z.literal('path'),
    name: nonEmptyText,
    path: nonEmptyText,
    backend: nonEmptyText,
    workflows_glob: workflowsGlob,
    max_concurrent: wholeNumber(1).nullable().optional(),
    description: z.string().default(''),
  });
  const sourceTypes = SOURCE_KINDS.join(', ');
  const source = z.discriminatedUnion('type', [git, pathSource], {
    error: (iss) => {
      const item = iss.input;
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        return `expected a source (a mapping with 'name' and 'type'), got ${describeValue(item)}.`;
      }
      const type = (item as Record<string, unknown>).type;
      if (type === undefined || type === null) {
        return `missing required field 'type'. Each item in 'sources' must have a 'type' field set to one of: ${sourceTypes}.`;
      }
      return `unknown source type ${quoted(type)}. Set 'type' to one of: ${sourceTypes}.${didYouMean(type, SOURCE_KINDS)}`;
    },
  });

  const stack = obj({
    name: nonEmptyText,
    backends: z.array(z.string()).default([]),
    cache_dir: z.string().default('~/.cache/scripthut/stacks'),
    inputs: nullAsMissing(textMap.default({})),
    input_files: z.array(z.string()).default([]),
    prep: z.string().default(''),
    init: z.string().default(''),
    cpus: wholeNumber(1).default(1),
    memory: text.default('4G'),
    time_limit: text.default('1:00:00'),
    partition: z.string().nullable().default(null),
  });

  const agent = obj({
    remote_command: z.string().default('claude remote-control --name {name} --capacity 1'),
    tui_command: z.string().default('claude'),
    cpus: wholeNumber(1).default(2),
    memory: text.default('8G'),
    time_limit: text.default('12:00:00'),
    partition: z.string().nullable().default(null),
    env_group: z.string().nullable().default(null),
    clone_full_history: z.boolean().default(true),
  });

  const pricing = obj({
    region: z.string().default('us-east-1'),
    price_type: enumOf(['ondemand', 'spot_avg', 'spot_min', 'spot_max']).default('ondemand'),
    // logical partition name → EC2 instance type whose price stands in for it.
    partitions: nullAsMissing(textMap.default({})),
  });

  const cache = obj({
    enabled: z.boolean().default(false),
    store: z.string().nullable().default(null),
    tool: enumOf(['aws', 'rclone']).default('aws'),
  });

  const cliAuth = obj({
    cf_client_id: z.string().nullable().default(null),
    cf_client_secret: z.string().nullable().default(null),
    cf_access_token: z.string().nullable().default(null),
    cloudflared_app: z.string().nullable().default(null),
  });

  const settings = obj({
    poll_interval: seconds(5).default(60),
    server_host: z.string().default('127.0.0.1'),
    // Deliberate difference: unset means `scripthut serve` picks a free port (the original's default was 8000).
    server_port: wholeNumber(0, 65535).optional(),
    // Deliberate difference: unset means the platform data folder (src-main/platform/paths.ts defaultDataDir).
    data_dir: z.string().min(1).optional(),
    sources_cache_dir: z.string().nullable().default(null),
    filter_user: z.string().nullable().default(null),
    cli_server: z.string().nullable().default(null),
    cli_auth: cliAuth.nullable().default(null),
    cli_autostart: enumOf(['ask', 'always', 'never']).default('ask'),
    // Engine timers (new): how long a just-submitted job may be missing from the queue, how long a job may
    // have no accounting record, and how long a finished job may wait for its final verdict.
    no_record_seconds: seconds(1).default(300),
    settling_timeout_seconds: seconds(1).default(600),
    local_poll_interval_ms: wholeNumber(100, undefined, 'milliseconds').default(1000),
    // Largest run accepted (tasks, generated ones included); larger workflows are refused up front.
    max_tasks_per_run: wholeNumber(1, undefined, 'tasks').default(100_000),
    // Rows of the command log kept per backend; older rows are pruned.
    command_log_retention: wholeNumber(100, undefined, 'rows').default(10_000),
  });

  const config = obj({
    backends: nullAsMissing(z.array(backend).default([])),
    sources: nullAsMissing(z.array(source).default([])),
    env: envRules,
    env_groups: envGroups,
    stacks: nullAsMissing(z.array(stack).default([])),
    agent: nullAsMissing(agent.prefault({})),
    pricing: pricing.nullable().default(null),
    settings: nullAsMissing(settings.prefault({})),
    cache: nullAsMissing(cache.prefault({})),
  });

  return { config, backend, slurm, pbs, local, batch, ec2, ecs, ssh, source, git, pathSource, envRule, stack, agent, pricing, cache, settings, backendCost };
}

/** The schemas that produce data (unknown keys stripped). */
export const configSchemas = buildConfigSchemas(false);
export const ScripthutConfigSchema = configSchemas.config;

type Out<K extends keyof typeof configSchemas> = z.output<(typeof configSchemas)[K]>;

export type SshConfig = Out<'ssh'>;
export type EnvRuleConfig = Out<'envRule'>;
export type SlurmBackendConfig = Out<'slurm'>;
export type PbsBackendConfig = Out<'pbs'>;
/** After parseConfigObject, `max_concurrent` is always set (CPU count when the file leaves it out). */
export type LocalBackendConfig = Omit<Out<'local'>, 'max_concurrent'> & { max_concurrent: number };
export type BatchBackendConfig = Out<'batch'>;
export type Ec2BackendConfig = Out<'ec2'>;
export type EcsBackendConfig = Out<'ecs'>;
export type BackendConfig =
  | SlurmBackendConfig
  | PbsBackendConfig
  | LocalBackendConfig
  | BatchBackendConfig
  | Ec2BackendConfig
  | EcsBackendConfig;
export type SshBackendConfig = SlurmBackendConfig | PbsBackendConfig;
export type GitSourceConfig = Out<'git'>;
export type PathSourceConfig = Out<'pathSource'>;
export type SourceConfig = Out<'source'>;
export type StackConfig = Out<'stack'>;
export type AgentConfig = Out<'agent'>;
export type PricingConfig = Out<'pricing'>;
export type BackendCostConfig = Out<'backendCost'>;
export type CacheConfig = Out<'cache'>;
export type Settings = Out<'settings'>;
export type ScripthutConfig = Omit<Out<'config'>, 'backends'> & { backends: BackendConfig[] };
