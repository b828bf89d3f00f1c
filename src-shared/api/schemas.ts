// Shapes that travel between the engine and its clients. JSON field names follow the original ScriptHut API
// (snake_case) so scripts written against it keep working.
import { z } from 'zod';
import { RUN_STATUSES, TASK_STATUSES } from '../model/status';
import { BACKEND_KINDS } from '../model/backend-kinds';

export const TaskStatusSchema = z.enum(TASK_STATUSES);
export const RunStatusSchema = z.enum(RUN_STATUSES);
export const BackendKindSchema = z.enum(BACKEND_KINDS);

/** ISO-8601 UTC timestamp (always with `Z`), or null when unknown. */
export const Timestamp = z.string().nullable();

export const StatusCountsSchema = z.record(z.string(), z.number().int());

export const RunSummarySchema = z.object({
  id: z.string(),
  workflow_name: z.string(),
  title: z.string().nullable(),
  backend_name: z.string(),
  created_at: z.string(),
  finished_at: Timestamp,
  status: RunStatusSchema,
  attempt: z.number().int(),
  task_count: z.number().int(),
  completed_count: z.number().int(),
  submitted_count: z.number().int(),
  status_counts: StatusCountsSchema,
  max_concurrent: z.number().int().nullable(),
  halted_reason: z.string().nullable(),
  /** The configured source the run was made from (null for a file or an ad-hoc run). */
  source: z.object({ name: z.string(), repo: z.string().nullable(), branch: z.string().nullable(), commit: z.string().nullable() }).nullable().optional(),
});
export type RunSummary = z.infer<typeof RunSummarySchema>;

export const TaskViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: TaskStatusSchema,
  job_id: z.string().nullable(),
  exit_code: z.number().int().nullable(),
  error: z.string().nullable(),
  submitted_at: Timestamp,
  started_at: Timestamp,
  finished_at: Timestamp,
  attempt: z.number().int(),
  deps: z.array(z.string()),
  command: z.string(),
  cpus: z.number(),
  memory: z.string(),
  time_limit: z.string(),
  partition: z.string().nullable(),
  pending_reason: z.string().nullable(),
  scheduler_state: z.string().nullable(),
  generated_by: z.string().nullable(),
  max_rss: z.string().nullable(),
  cpu_efficiency: z.number().nullable(),
});
export type TaskView = z.infer<typeof TaskViewSchema>;

export const AttemptViewSchema = z.object({
  task_id: z.string(),
  attempt: z.number().int(),
  job_id: z.string().nullable(),
  status: TaskStatusSchema,
  exit_code: z.number().int().nullable(),
  error: z.string().nullable(),
  submitted_at: Timestamp,
  started_at: Timestamp,
  finished_at: Timestamp,
});
export type AttemptView = z.infer<typeof AttemptViewSchema>;

/** A workflow warning kept with its run: generated_by is the generator task (null: the run's own document). */
export const RunWarningSchema = z.object({ message: z.string(), generated_by: z.string().nullable(), created_at: z.string() });
export type RunWarning = z.infer<typeof RunWarningSchema>;

export const RunDetailSchema = RunSummarySchema.extend({
  items: z.array(TaskViewSchema),
  log_dir: z.string().nullable(),
  /** All tasks of the run. */
  total_items: z.number().int(),
  /** Tasks matching the status/text filters (all pages). */
  matched_items: z.number().int(),
  /** Position of items[0] among the matched tasks. */
  item_offset: z.number().int(),
  /** The task page size applied (default 1000; a limit over 5000 is capped to 5000, and this says so). */
  item_limit: z.number().int().optional(),
  /** The run's workflow warnings (unknown fields), all of them, in the order found; the engine always sends it. */
  warnings: z.array(RunWarningSchema).optional(),
});
export type RunDetail = z.infer<typeof RunDetailSchema>;

export const ConfigIssueSchema = z.object({ path: z.string(), message: z.string(), line: z.number().int().nullable().optional() });
export const ConfigErrorSchema = z.object({
  file: z.string().nullable(),
  message: z.string(),
  issues: z.array(ConfigIssueSchema),
});
export type ConfigError = z.infer<typeof ConfigErrorSchema>;

export const BackendConnection = z.enum(['ready', 'connecting', 'connected', 'waiting_for_user', 'backing_off', 'error', 'disabled']);

export const BackendInfoSchema = z.object({
  name: z.string(),
  type: BackendKindSchema,
  connected: z.boolean(),
  state: BackendConnection,
  detail: z.string().nullable(),
  max_concurrent: z.number().int(),
  in_flight: z.number().int(),
  retry_at: Timestamp,
});
export type BackendInfo = z.infer<typeof BackendInfoSchema>;

export const HealthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  pid: z.number().int(),
  data_dir: z.string(),
  config_file: z.string().nullable(),
  config_loaded: z.boolean(),
  config_error: ConfigErrorSchema.nullable(),
  starting: z.string().nullable(),
  backends: z.array(z.object({ name: z.string(), type: BackendKindSchema, connected: z.boolean() })),
  demo_available: z.boolean(),
  /** The engine's log file (absent from engines that do not write one). */
  log_file: z.string().nullable().optional(),
  /** Located config warnings (unknown keys, keys not supported yet); `line` is the scripthut.yaml line. */
  config_warnings: z.array(z.object({ path: z.string(), message: z.string(), line: z.number().int().nullable() })),
  /** Free bytes on the data folder's disk (null when unknown) and a warning when it is (nearly) full. */
  data_dir_free_bytes: z.number().nullable().optional(),
  disk_warning: z.string().nullable().optional(),
  /** Monthly budget thresholds (80 %, 100 %) crossed this month, per backend (issue 11). */
  budget_alerts: z.array(z.object({ backend: z.string(), month: z.string(), threshold: z.number(), spent: z.number(), budget: z.number(), currency: z.string(), message: z.string() })).optional(),
  /** Date of the cloud price snapshot in use (shipped or refreshed), null when none is loaded. */
  price_date: z.string().nullable().optional(),
  /** Runs not yet finished whose workflow has warnings (`run view ID` lists them). */
  active_runs_with_warnings: z.number().int().optional(),
});
export type Health = z.infer<typeof HealthSchema>;

export const LogKind = z.enum(['output', 'error']);
export type LogKind = z.infer<typeof LogKind>;

export const LogChunkSchema = z.object({
  run_id: z.string(),
  task_id: z.string(),
  attempt: z.number().int(),
  type: LogKind,
  /** Text of the requested range (whole file, last N lines, or bytes from `offset`). */
  content: z.string(),
  /** Byte offset where this chunk starts and where the next follow request should start. */
  offset: z.number().int(),
  next_offset: z.number().int(),
  /** True once the task is terminal: nothing more will be appended. */
  complete: z.boolean(),
  missing: z.boolean(),
});
export type LogChunk = z.infer<typeof LogChunkSchema>;

export const NotificationSchema = z.object({
  kind: z.enum(['run_scheduled', 'task_failed', 'run_done', 'budget', 'workflow_warning']),
  level: z.enum(['info', 'success', 'error']),
  title: z.string(),
  body: z.string(),
  run_id: z.string(),
  task_id: z.string().nullable(),
});
export type Notification = z.infer<typeof NotificationSchema>;

export const TaskEnvSchema = z.object({
  run_id: z.string(),
  task_id: z.string(),
  attempt: z.number().int(),
  /** false: the task has not been submitted yet; this is what it would get with the current configuration. */
  resolved: z.boolean(),
  vars: z.array(
    z.object({
      name: z.string(),
      value: z.string(),
      ops: z.array(z.object({ source: z.string(), op: z.enum(['seed', 'set', 'append']), contribution: z.string() })),
    }),
  ),
  init: z.string(),
  warnings: z.array(z.string()),
});
export type TaskEnv = z.infer<typeof TaskEnvSchema>;

export const TransitionSchema = z.object({
  task_id: z.string(),
  attempt: z.number().int(),
  at: z.string(),
  from_status: z.string().nullable(),
  to_status: z.string(),
  reason: z.string(),
});

export const CommandLogEntrySchema = z.object({
  at: z.string(),
  kind: z.string(),
  command: z.string(),
  exit_code: z.number().int(),
  duration_ms: z.number().int(),
  stdout: z.string(),
  stderr: z.string(),
  error: z.string().nullable(),
});

export const ExternalJobSchema = z.object({
  backend: z.string(),
  job_id: z.string(),
  name: z.string(),
  user: z.string(),
  state: z.string(),
  reason: z.string().nullable(),
  partition: z.string().nullable(),
  submitted_at: Timestamp,
  started_at: Timestamp,
  first_seen: z.string(),
  last_seen: z.string(),
  gone_at: Timestamp,
});

export const PromptSchema = z.object({
  id: z.string(),
  backend: z.string(),
  kind: z.enum(['keyboard-interactive', 'passphrase', 'host-key']),
  title: z.string(),
  instructions: z.string(),
  prompts: z.array(z.object({ prompt: z.string(), echo: z.boolean() })),
  /** host-key prompts: the key's SHA256 fingerprint and the host:port it belongs to. */
  fingerprint: z.string().nullable(),
  host: z.string().nullable(),
  created_at: z.string(),
  /** passphrase prompts in the desktop app: the answer may carry `remember: true` (kept in the OS keychain). */
  can_remember: z.boolean().optional(),
});
export type Prompt = z.infer<typeof PromptSchema>;

export const ClusterInfoSchema = z.object({
  backend: z.string(),
  partitions: z.array(
    z.object({
      name: z.string(),
      is_default: z.boolean(),
      available: z.boolean(),
      cpus_allocated: z.number().int(),
      cpus_idle: z.number().int(),
      cpus_other: z.number().int(),
      cpus_total: z.number().int(),
      nodes: z.number().int(),
      mem_per_node_mb: z.number().nullable(),
      time_limit: z.string().nullable(),
      gpus_total: z.number().int(),
    }),
  ),
  pending_reasons: z.record(z.string(), z.number().int()),
});

/** The cost of a run (issue 11): allocation units (backend `cost`) or cloud dollars (price snapshot). */
export const RunCostSchema = z.object({
  run_id: z.string(),
  total: z.number(),
  currency: z.string().nullable(),
  basis: z.enum(['allocation', 'cloud']).nullable(),
  price_date: z.string().nullable(),
  costed_tasks: z.number().int(),
  uncosted_tasks: z.number().int(),
  tasks: z.array(z.object({ task_id: z.string(), cost: z.number().nullable(), reason: z.string().nullable() })),
});
export type RunCostView = z.infer<typeof RunCostSchema>;

/** CPU-hours and cost per day, backend or workflow (issue 11). `cost` is keyed by currency label. */
export const UsageReportSchema = z.object({
  since: z.string(),
  until: z.string(),
  by: z.enum(['day', 'backend', 'workflow', 'source', 'hour']),
  split: z.enum(['backend', 'workflow', 'source']).optional(),
  time_zone: z.string(),
  price_date: z.string().nullable(),
  total_cpu_hours: z.number(),
  rows: z.array(z.object({ key: z.string(), series: z.string().optional(), cpu_hours: z.number(), cost: z.record(z.string(), z.number()), tasks: z.number().int() })),
});
export type UsageReportView = z.infer<typeof UsageReportSchema>;

/** `pricing refresh`: the snapshot written into the data folder (it now overrides the shipped one). */
export const PriceRefreshSchema = z.object({
  file: z.string(),
  date: z.string(),
  previous_date: z.string().nullable(),
  regions: z.array(z.string()),
  instance_types: z.number().int(),
  source: z.string(),
});

/** Requested vs used per task name of a workflow across runs, with suggested requests (issue 11). */
export const RightSizingSchema = z.object({
  since: z.string(),
  tasks: z.array(
    z.object({
      workflow: z.string(),
      name: z.string(),
      runs: z.number().int(),
      memory_requested_gb: z.number().nullable(),
      memory_max_used_gb: z.number().nullable(),
      suggested_memory: z.string().nullable(),
      memory_gb_hours_saved: z.number().nullable(),
      cpu_efficiency_mean: z.number().nullable(),
      suggested_cpus: z.number().int().nullable(),
      time_used_max_fraction: z.number().nullable(),
      advice: z.array(z.string()),
    }),
  ),
});
