export const BACKEND_KINDS = ['slurm', 'pbs', 'local', 'batch', 'ec2', 'ecs'] as const;
export type BackendKind = (typeof BACKEND_KINDS)[number];

/** Backends whose jobs run through a bash shell we control (scripts, env exports, logs on a filesystem). */
export const SHELL_BACKEND_KINDS: ReadonlySet<BackendKind> = new Set(['slurm', 'pbs', 'local']);
