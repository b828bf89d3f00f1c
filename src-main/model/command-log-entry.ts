// One command a backend ran (scheduler RPC, file read…), as kept in the bounded command log.

export type CommandKind = 'scheduler' | 'io' | 'other' | 'aws';

export interface CommandLogEntry {
  backend: string;
  at: string;
  command: string;
  kind: CommandKind;
  exitCode: number;
  durationMs: number;
  stdout: string;
  stderr: string;
  error: string | null;
}
