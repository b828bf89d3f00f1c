// A CommandRunner over the system `ssh` binary, for tests that must go through the harness sshd without the
// app's own SSH transport (one ssh process per command; fine for tests, not for the app).
import { runProcess } from '../../src-main/transport/local-runner';
import { withSchedulerEnv, type CommandRunner, type RunOptions, type RunResult } from '../../src-main/transport/runner';

export interface SshCliTarget {
  host: string;
  port: number;
  user: string;
  privateKeyPath: string;
  knownHostsPath: string;
}

export class SshCliRunner implements CommandRunner {
  readonly label: string;
  constructor(private readonly target: SshCliTarget) {
    this.label = `ssh ${target.user}@${target.host}:${target.port}`;
  }

  run(command: string, opts: RunOptions = {}): Promise<RunResult> {
    const t = this.target;
    const args = [
      '-p', String(t.port),
      '-i', t.privateKeyPath,
      '-o', 'BatchMode=yes',
      '-o', 'IdentitiesOnly=yes',
      '-o', `UserKnownHostsFile=${t.knownHostsPath}`,
      '-o', 'StrictHostKeyChecking=yes',
      '-o', 'ConnectTimeout=10',
      '-o', 'LogLevel=ERROR',
      `${t.user}@${t.host}`,
      withSchedulerEnv(command, opts.kind),
    ];
    return runProcess('ssh', args, opts);
  }

  async close(): Promise<void> {}
}
