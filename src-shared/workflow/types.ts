// A validated workflow document. The parser in ./parse.ts turns user JSON into this (or located errors).

export interface EnvRule {
  if?: Record<string, string | string[]>;
  include?: string[];
  stacks?: string[];
  set?: Record<string, string>;
  append?: Record<string, string>;
  init?: string;
}

export interface TaskDefinition {
  id: string;
  name: string;
  command: string;
  working_dir: string; // default "~"
  partition: string | null;
  cpus: number; // default 1
  memory: string; // default "4G"
  time_limit: string; // default "1:00:00"
  deps: string[]; // wildcards already expanded to concrete ids after validation
  gres: string | null;
  image: string | null;
  env: EnvRule[];
  generates_source: string | null;
  output_file: string | null;
  error_file: string | null;
  retries: number; // default 0: resubmit a failed task up to N times
}

export interface WorkflowDocument {
  title: string | null;
  tasks: TaskDefinition[];
  env: EnvRule[];
  env_groups: Record<string, EnvRule[]>;
  /** Stacks a repository's scripthut.yaml defines (name → init); they win over the app's own. */
  stacks?: Record<string, { init: string }>;
}

/** One problem found while validating a workflow document; `task`/`field` locate it for the UI. */
export interface WorkflowError {
  task: string | null;
  field: string | null;
  message: string;
}
