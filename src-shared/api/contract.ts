// The API contract: every call and every event, defined once. Electron IPC, the HTTP host and the CLI are
// adapters generated from these tables; none of them keeps its own list.
import { z } from 'zod';
import {
  AttemptViewSchema,
  BackendInfoSchema,
  ClusterInfoSchema,
  CommandLogEntrySchema,
  ExternalJobSchema,
  HealthSchema,
  PromptSchema,
  TaskEnvSchema,
  TransitionSchema,
  LogChunkSchema,
  LogKind,
  NotificationSchema,
  RunDetailSchema,
  RunSummarySchema,
  TaskViewSchema,
} from './schemas';
import { DryRunSchema, SourceInfoSchema } from './source-schemas';
import { PriceRefreshSchema, RightSizingSchema, RunCostSchema, UsageReportSchema } from './schemas';
import { StackInfoSchema, StackStatusSchema } from './stack-schemas';
import { OutputFileSchema, OutputListSchema, RunOutputSummarySchema } from './output-schemas';
import { GroupSegmentsSchema, RunGraphSchema, RunTimelineSchema } from './graph-schemas';
import { ConfigDocumentSchema, ConfigSaveResultSchema, MAX_CONFIG_TEXT } from './config-schemas';
import { RUN_SORT_KEYS, SORT_ORDERS, TASK_SORT_KEYS } from './sort-keys';

type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface CallDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  /** HTTP route under /api/v1; `:name` segments are taken from the input. */
  http: readonly [HttpMethod, string];
  /** Calls that answer without the bearer token (only health). */
  public?: boolean;
  summary: string;
}

function call<I extends z.ZodType, O extends z.ZodType>(def: CallDef<I, O>): CallDef<I, O> {
  return def;
}

const RunId = z.string().min(1).max(64);
const TaskId = z.string().min(1).max(512);
/** Query strings carry numbers as text; accept both. */
const OptInt = z.coerce.number().int().nonnegative().optional();
const OptBool = z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean().optional());

export { TASK_SORT_KEYS, SORT_ORDERS, RUN_SORT_KEYS };
/** An enum whose error names the bad value and the allowed ones. */
function oneOf<T extends readonly [string, ...string[]]>(values: T, what: string) {
  return z.enum(values, { error: (iss) => `Unknown ${what} '${String(iss.input)}'; allowed: ${values.join(', ')}.` });
}

export const calls = {
  health: call({
    summary: 'Engine health, configuration error (if any) and backends',
    input: z.object({}),
    output: HealthSchema,
    http: ['GET', '/health'],
    public: true,
  }),
  'backends.list': call({
    summary: 'Configured backends with their connection state',
    input: z.object({}),
    output: z.object({ backends: z.array(BackendInfoSchema) }),
    http: ['GET', '/backends'],
  }),
  'backends.status': call({
    summary: 'One backend',
    input: z.object({ name: z.string().min(1) }),
    output: BackendInfoSchema,
    http: ['GET', '/backends/:name'],
  }),
  'runs.list': call({
    summary: 'Runs, newest first unless sorted, one page at a time (limit default 50, at most 500; pass next_cursor as cursor)',
    input: z.object({
      limit: OptInt,
      workflow: z.string().optional(),
      /** Opaque: the next_cursor of the previous page. Stable while new runs arrive. */
      cursor: z.string().optional(),
      /** Comma-separated run statuses. */
      status: z.string().optional(),
      backend: z.string().optional(),
      /** Text searched in id, workflow_name and title. */
      q: z.string().optional(),
      /** Default created_at. workflow = the name shown (title, else workflow_name); status in lifecycle order. */
      sort: oneOf(RUN_SORT_KEYS, 'sort').optional(),
      /** Default desc for the times, asc for workflow, backend and status. */
      order: oneOf(SORT_ORDERS, 'order').optional(),
    }),
    output: z.object({
      runs: z.array(RunSummarySchema),
      total: z.number().int(),
      next_cursor: z.string().nullable(),
      /** The page size applied (default 50; a limit over 500 is capped to 500, and this says so). */
      limit: z.number().int().optional(),
    }),
    http: ['GET', '/runs'],
  }),
  'runs.get': call({
    summary: 'A run with one page of its tasks (limit default 1000, at most 5000); status_counts cover the whole run',
    input: z.object({
      id: RunId,
      limit: OptInt,
      offset: OptInt,
      /** Comma-separated task statuses. */
      status: z.string().optional(),
      /** Text searched in task id and name. */
      q: z.string().optional(),
      /** Default: the run's task order. */
      sort: oneOf(TASK_SORT_KEYS, 'sort').optional(),
      order: oneOf(SORT_ORDERS, 'order').optional(),
    }),
    output: RunDetailSchema,
    http: ['GET', '/runs/:id'],
  }),
  'runs.createFromWorkflow': call({
    summary: 'Validate a workflow document and start a run of it',
    input: z.object({
      backend: z.string().min(1).optional(),
      /** The parsed workflow document: a task list or {tasks, env, env_groups, title}. */
      document: z.unknown().optional(),
      /** Raw JSON text (errors then carry line/column); used when `document` is absent. */
      text: z.string().optional(),
      /** Start the bundled demo workflow. */
      demo: z.boolean().optional(),
      workflow_name: z.string().min(1).max(200).optional(),
      max_concurrent: z.number().int().positive().optional(),
    }),
    // warnings: the workflow's located warnings (unknown or unsupported task fields); empty when none.
    output: RunSummarySchema.extend({ warnings: z.array(z.string()) }),
    http: ['POST', '/runs'],
  }),
  'runs.dryRun': call({
    summary: 'What a run of a workflow document would submit on a backend: each script, its env with provenance, the DAG; nothing is stored or submitted',
    input: z.object({
      backend: z.string().min(1).optional(),
      document: z.unknown().optional(),
      text: z.string().optional(),
      demo: z.boolean().optional(),
      workflow_name: z.string().min(1).max(200).optional(),
    }),
    output: DryRunSchema,
    http: ['POST', '/runs/dry-run'],
  }),
  'runs.cancel': call({
    summary: 'Cancel a whole run, or one task of it',
    input: z.object({ id: RunId, task: TaskId.optional() }),
    output: z.object({ run_id: z.string(), cancelled: z.boolean(), message: z.string().optional() }),
    http: ['POST', '/runs/:id/cancel'],
  }),
  'runs.rerun': call({
    summary: 'Rerun a finished run in place as a new attempt (all tasks, or only failed ones and their dependents)',
    input: z.object({ id: RunId, failed_only: OptBool }),
    output: RunSummarySchema,
    http: ['POST', '/runs/:id/rerun'],
  }),
  'runs.delete': call({
    summary: 'Delete a finished run and its history',
    input: z.object({ id: RunId }),
    output: z.object({ run_id: z.string(), deleted: z.boolean() }),
    http: ['DELETE', '/runs/:id'],
  }),
  'tasks.attempts': call({
    summary: 'Every attempt of a task (reruns and retries keep earlier attempts)',
    input: z.object({ run_id: RunId, task_id: TaskId }),
    output: z.object({ attempts: z.array(AttemptViewSchema) }),
    http: ['GET', '/runs/:run_id/tasks/:task_id/attempts'],
  }),
  'tasks.log': call({
    summary: 'A task log: whole, last N lines, or from a byte offset (follow)',
    input: z.object({
      run_id: RunId,
      task_id: TaskId,
      type: LogKind.default('output'),
      tail: OptInt,
      offset: OptInt,
      attempt: OptInt,
    }),
    output: LogChunkSchema,
    http: ['GET', '/runs/:run_id/tasks/:task_id/logs'],
  }),
  'tasks.script': call({
    summary: 'The exact submission script of an attempt',
    input: z.object({ run_id: RunId, task_id: TaskId, attempt: OptInt }),
    output: z.object({ run_id: z.string(), task_id: z.string(), attempt: z.number().int(), script: z.string().nullable() }),
    http: ['GET', '/runs/:run_id/tasks/:task_id/script'],
  }),
  'tasks.env': call({
    summary: "A task's environment with provenance: which layer, group and rule contributed each variable",
    input: z.object({ run_id: RunId, task_id: TaskId, attempt: OptInt }),
    output: TaskEnvSchema,
    http: ['GET', '/runs/:run_id/tasks/:task_id/env'],
  }),
  'tasks.summary': call({
    summary: 'The markdown summary a task wrote to $SCRIPTHUT_TASK_SUMMARY (null when it wrote none)',
    input: z.object({ run_id: RunId, task_id: TaskId }),
    output: z.object({ run_id: z.string(), task_id: z.string(), markdown: z.string().nullable() }),
    http: ['GET', '/runs/:run_id/tasks/:task_id/summary'],
  }),
  'tasks.transitions': call({
    summary: 'The append-only transition log of a run (or one task), oldest first',
    input: z.object({ run_id: RunId, task_id: TaskId.optional() }),
    output: z.object({ transitions: z.array(TransitionSchema) }),
    http: ['GET', '/runs/:run_id/transitions'],
  }),
  'backends.info': call({
    summary: "A scheduler's partitions (CPUs and GPUs idle/total) and why jobs are pending",
    input: z.object({ name: z.string().min(1) }),
    output: ClusterInfoSchema,
    http: ['GET', '/backends/:name/info'],
  }),
  'backends.commands': call({
    summary: 'The commands the app ran on a backend (newest first) and how many scheduler RPCs it made',
    input: z.object({ name: z.string().min(1), limit: OptInt }),
    output: z.object({ backend: z.string(), counts: z.record(z.string(), z.number().int()), commands: z.array(CommandLogEntrySchema) }),
    http: ['GET', '/backends/:name/commands'],
  }),
  'jobs.external': call({
    summary: 'Jobs in the queue that were not submitted by the app (owner, state, reason)',
    input: z.object({ backend: z.string().optional(), include_gone: OptBool }),
    output: z.object({ jobs: z.array(ExternalJobSchema) }),
    http: ['GET', '/jobs'],
  }),
  'prompts.respond': call({
    summary: 'Answer a prompt from a backend (2FA code, key passphrase, or accepting an unknown host key)',
    input: z.object({ id: z.string().min(1), answers: z.array(z.string()).nullable(), remember: OptBool }),
    output: z.object({ id: z.string(), accepted: z.boolean() }),
    http: ['POST', '/prompts/:id'],
  }),
  'prompts.list': call({
    summary: 'Prompts waiting for the user',
    input: z.object({}),
    output: z.object({ prompts: z.array(PromptSchema) }),
    http: ['GET', '/prompts'],
  }),
  // ---- sources (git repositories and folders holding workflows)
  'sources.list': call({
    summary: 'Configured sources with their workflows, last commit, error and warnings (invalid workflow files)',
    input: z.object({}),
    output: z.object({ sources: z.array(SourceInfoSchema) }),
    http: ['GET', '/sources'],
  }),
  'sources.view': call({
    summary: 'One source',
    input: z.object({ name: z.string().min(1) }),
    output: SourceInfoSchema,
    http: ['GET', '/sources/:name'],
  }),
  'sources.sync': call({
    summary: 'Fetch one source (or all) and rediscover its workflows; failures are reported on the source',
    input: z.object({ name: z.string().min(1).optional() }),
    output: z.object({ sources: z.array(SourceInfoSchema) }),
    http: ['POST', '/sources/sync'],
  }),
  'sources.run': call({
    summary: "Start a run of a source's workflow (re-synced first; git: optional branch override, checked out per commit)",
    input: z.object({
      name: z.string().min(1),
      workflow: z.string().min(1),
      branch: z.string().min(1).max(200).optional(),
      backend: z.string().min(1).optional(),
      max_concurrent: z.number().int().positive().optional(),
    }),
    // warnings: as runs.createFromWorkflow's (the workflow's unknown or unsupported task fields); empty when none.
    output: RunSummarySchema.extend({ warnings: z.array(z.string()) }),
    http: ['POST', '/sources/:name/runs'],
  }),
  'sources.dryRun': call({
    summary: 'What a run of a source workflow would submit: each script, its env with provenance, the DAG; nothing is submitted',
    input: z.object({
      name: z.string().min(1),
      workflow: z.string().min(1),
      branch: z.string().min(1).max(200).optional(),
      backend: z.string().min(1).optional(),
    }),
    output: DryRunSchema,
    http: ['POST', '/sources/:name/dry-run'],
  }),
  'runs.cost': call({
    summary: 'Cost of a run: allocation units or cloud dollars per task, with why a task could not be costed',
    /** tasks=false: the totals only, `tasks` left empty (a run page's header; 100,000 tasks made a 10 MB answer). */
    input: z.object({ id: RunId, tasks: OptBool }),
    output: RunCostSchema,
    http: ['GET', '/runs/:id/cost'],
  }),
  'usage.summary': call({
    summary: 'CPU-hours and cost per local day, backend or workflow since a date (default: the last 30 days)',
    input: z.object({
      since: z.string().min(1).optional(),
      by: oneOf(['day', 'backend', 'workflow', 'source', 'hour'] as const, 'grouping').optional(),
      /** IANA zone the days are counted in (default: the engine's). */
      tz: z.string().min(1).optional(),
      /** A second grouping inside each row (stacked charts): rows then carry `series`. */
      split: oneOf(['backend', 'workflow', 'source'] as const, 'split').optional(),
    }),
    output: UsageReportSchema,
    http: ['GET', '/usage'],
  }),
  'usage.rightsizing': call({
    summary: 'Requested vs used (memory, cpus, time) of completed tasks per workflow, with suggested requests',
    input: z.object({ since: z.string().min(1).optional(), workflow: z.string().min(1).optional(), days: z.coerce.number().int().positive().max(3660).optional() }),
    output: RightSizingSchema,
    http: ['GET', '/usage/rightsizing'],
  }),
  // ---- stacks (software environments built once per content hash, used by tasks via env `stacks: [name]`)
  'stacks.list': call({
    summary: "Defined stacks (the app's and, with source, a repository's) with each backend's last checked state",
    input: z.object({ source: z.string().min(1).optional() }),
    output: z.object({ stacks: z.array(StackInfoSchema), warnings: z.array(z.string()) }),
    http: ['GET', '/stacks'],
  }),
  'stacks.check': call({
    summary: 'Ask a backend (one command) whether a stack is missing, installing or ready, with last-built time and size',
    input: z.object({ name: z.string().min(1), backend: z.string().min(1).optional(), source: z.string().min(1).optional() }),
    output: StackStatusSchema,
    http: ['GET', '/stacks/:name/check'],
  }),
  'stacks.install': call({
    summary: 'Build a stack on a backend as a one-task run (skipped inside the task when already ready, unless rebuild)',
    input: z.object({ name: z.string().min(1), backend: z.string().min(1).optional(), source: z.string().min(1).optional(), rebuild: z.boolean().optional() }),
    output: RunSummarySchema,
    http: ['POST', '/stacks/:name/install'],
  }),
  'stacks.delete': call({
    summary: "Remove every build of a stack from a backend (<cache_dir>/<name>)",
    input: z.object({ name: z.string().min(1), backend: z.string().min(1).optional(), source: z.string().min(1).optional() }),
    output: z.object({ name: z.string(), backend: z.string(), deleted: z.literal(true) }),
    http: ['DELETE', '/stacks/:name'],
  }),
  // Task outputs ($SCRIPTHUT_OUTPUT_DIR, $SCRIPTHUT_TASK_SUMMARY, $SCRIPTHUT_RUN_SUMMARY), collected when a task finishes.
  'outputs.list': call({
    summary: "The files a run's tasks (or one task) left in $SCRIPTHUT_OUTPUT_DIR, and what was skipped",
    input: z.object({ run_id: RunId, task_id: TaskId.optional() }),
    output: OutputListSchema,
    http: ['GET', '/runs/:run_id/outputs'],
  }),
  'outputs.file': call({
    summary: "One output file's bytes (base64), by its path inside the task's output folder (at most 5 MiB)",
    input: z.object({ run_id: RunId, task_id: TaskId, path: z.string().max(4096) }),
    output: OutputFileSchema,
    http: ['GET', '/runs/:run_id/tasks/:task_id/outputs/file'],
  }),
  'outputs.summary': call({
    summary: 'The run summary: the $SCRIPTHUT_RUN_SUMMARY fragments of its tasks, in task order',
    input: z.object({ run_id: RunId }),
    output: RunOutputSummarySchema,
    http: ['GET', '/runs/:run_id/outputs/summary'],
  }),
  'runs.graph': call({
    summary: 'A run\'s dependency graph (ids, states, edges); by task group when the run has more than max_tasks tasks (default 2000)',
    input: z.object({
      id: RunId,
      level: oneOf(['auto', 'task', 'group'] as const, 'graph level').optional(),
      max_tasks: z.coerce.number().int().positive().optional(),
      /** Group level: draw this group as a page of its tasks (id order). */
      expand: z.string().max(512).optional(),
      offset: z.coerce.number().int().min(0).optional(),
      limit: z.coerce.number().int().positive().max(2000).optional(),
    }),
    output: RunGraphSchema,
    http: ['GET', '/runs/:id/graph'],
  }),
  'runs.groups': call({
    summary: 'The task groups (dot-named ids) of a run in id order with their sizes, under the same filters as runs.get',
    input: z.object({ id: RunId, status: z.string().optional(), q: z.string().optional() }),
    output: GroupSegmentsSchema,
    http: ['GET', '/runs/:id/groups'],
  }),
  'runs.timeline': call({
    summary: "A big run's Timeline by task group (first submit, first start, last finish, mean wait and run per group), or with `group` a page of that group's task times ('' for the ungrouped tasks)",
    input: z.object({
      id: RunId,
      group: z.string().max(512).optional(),
      offset: z.coerce.number().int().min(0).optional(),
      limit: z.coerce.number().int().positive().max(2000).optional(),
    }),
    output: RunTimelineSchema,
    http: ['GET', '/runs/:id/timeline'],
  }),
  'config.get': call({
    summary: 'The configuration in effect: file path (or why the defaults are in use), its text, problems and warnings',
    input: z.object({}),
    output: ConfigDocumentSchema,
    http: ['GET', '/config'],
  }),
  'config.save': call({
    summary: 'Validate a new config text, write it (0600, previous kept as .bak) and apply it without restarting',
    input: z.object({ text: z.string().max(MAX_CONFIG_TEXT), dry_run: z.boolean().optional() }),
    output: ConfigSaveResultSchema,
    http: ['POST', '/config'],
  }),
  'pricing.refresh': call({
    summary: 'Download the AWS EC2 price list and write a dated snapshot into the data folder (overrides the shipped one)',
    input: z.object({ regions: z.array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'an AWS region such as us-east-1')).min(1).max(30).optional() }),
    output: PriceRefreshSchema,
    http: ['POST', '/pricing/refresh'],
  }),
} as const;

export type Calls = typeof calls;
export type CallName = keyof Calls;
export type CallInput<N extends CallName> = z.input<Calls[N]['input']>;
export type CallOutput<N extends CallName> = z.output<Calls[N]['output']>;

export const events = {
  'run.changed': RunSummarySchema,
  'run.deleted': z.object({ id: z.string() }),
  'task.changed': z.object({ run_id: z.string(), task: TaskViewSchema }),
  'backend.changed': BackendInfoSchema,
  notification: NotificationSchema,
  /** A backend needs the user: a 2FA code, a key passphrase, or a decision about an unknown host key. */
  prompt: PromptSchema,
  'prompt.closed': z.object({ id: z.string() }),
  /**
   * Many tasks of a run changed in one step (cancelling a big run, a cascade): sent instead of one task.changed
   * per task. Views refetch the rows they show; `count` is how many tasks changed.
   */
  'tasks.changed': z.object({ run_id: z.string(), count: z.number().int().nonnegative() }),
} as const;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;
export interface EngineEvent<E extends EventName = EventName> {
  event: E;
  payload: EventPayload<E>;
}

/** Errors carry a machine code and a human message; adapters map the code to HTTP status / exit code. */
export const ERROR_CODES = ['bad_input', 'not_found', 'conflict', 'unavailable', 'unauthorized', 'internal'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
export const ApiErrorSchema = z.object({ code: z.enum(ERROR_CODES), message: z.string(), details: z.unknown().optional() });
export type ApiErrorBody = z.infer<typeof ApiErrorSchema>;

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
  toJSON(): ApiErrorBody {
    return { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) };
  }
}

export const HTTP_STATUS_OF: Record<ErrorCode, number> = {
  bad_input: 422,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
  unauthorized: 401,
  internal: 500,
};

/** Format zod issues as `field: message` lines for error bodies. */
export function describeZodError(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.length ? i.path.join('.') : '(input)'}: ${i.message}`).join('\n');
}

export { TaskViewSchema };
