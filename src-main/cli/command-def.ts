// What a CLI command is: its definition and the context it runs in. Kept apart from the command table so the
// modules that add commands (sources, local history) can name these types without importing the table.
import type { CallName, CallOutput } from '../../src-shared/api/contract';

export interface Client {
  invoke<N extends CallName>(name: N, input?: unknown): Promise<CallOutput<N>>;
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  help: string;
}

export interface CliContext {
  args: string[];
  opts: Record<string, string | boolean | undefined>;
  json: boolean;
  client: () => Client;
  out: (text: string) => void;
  err: (text: string) => void;
  isTTY: boolean;
}

export interface CommandDef {
  path: string[];
  args: string[];
  summary: string;
  options: Record<string, OptionSpec>;
  /** How many of `args` are required (default: all); the rest are optional. */
  minArgs?: number;
  /** Returns the exit code. */
  run(ctx: CliContext): Promise<number>;
}

export class UsageError extends Error {}
