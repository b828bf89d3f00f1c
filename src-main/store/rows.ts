import type { RunStatus, TaskStatus } from '../../src-shared/model/status';

export interface RunRow {
  id: string;
  workflow_name: string;
  title: string | null;
  backend_name: string;
  created_at: string;
  finished_at: string | null;
  status: RunStatus;
  attempt: number;
  max_concurrent: number | null;
  doc_json: string;
  halted_reason: string | null;
  cancel_requested: number;
  log_dir: string | null;
  /** Set when the run was made from a configured source (migration 7). */
  source_name?: string | null;
  source_repo?: string | null;
  source_branch?: string | null;
  source_commit?: string | null;
}

export interface TaskRow {
  run_id: string;
  task_id: string;
  seq: number;
  def_json: string;
  status: TaskStatus;
  attempt: number;
  retries_left: number;
  job_id: string | null;
  submit_tag: string | null;
  exit_code: number | null;
  error: string | null;
  submitted_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  settling_since: string | null;
  pending_reason: string | null;
  scheduler_state: string | null;
  generated_by: string | null;
  max_rss: string | null;
  cpu_efficiency: number | null;
}

export interface AttemptRow {
  run_id: string;
  task_id: string;
  attempt: number;
  backend_name: string;
  tag: string;
  job_id: string | null;
  status: TaskStatus;
  /** Cost evidence (migration 6): cloud instance usage as JSON, and Slurm's AllocTRES; absent on older rows. */
  usage_json?: string | null;
  alloc_tres?: string | null;
  script: string | null;
  env_json: string | null;
  submit_output: string | null;
  log_output: string | null;
  log_error: string | null;
  exit_code: number | null;
  error: string | null;
  submitted_at: string | null;
  started_at: string | null;
  finished_at: string | null;
}

export interface CommandLogRow {
  id: number;
  backend_name: string;
  at: string;
  kind: string;
  command: string;
  exit_code: number;
  duration_ms: number;
  stdout: string;
  stderr: string;
  error: string | null;
}

export interface ExternalJobRow {
  backend_name: string;
  job_id: string;
  name: string;
  user: string;
  state: string;
  reason: string | null;
  partition: string | null;
  submitted_at: string | null;
  started_at: string | null;
  first_seen: string;
  last_seen: string;
  gone_at: string | null;
}
