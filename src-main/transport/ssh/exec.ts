// One command on one open SSH connection: exec the string as is (the remote login shell runs it), feed stdin,
// collect output, kill the channel on timeout (exit 124, like coreutils `timeout`).
import type { Client, ClientChannel } from 'ssh2';
import type { RunResult } from '../runner';
import { SshError } from './errors';

export interface ExecOptions {
  stdin?: string;
  timeoutMs?: number;
}

/** The channel could not be opened: the command never ran, so retrying it on a new connection is safe. */
export class ChannelOpenError extends SshError {
  constructor(message: string) {
    super('disconnected', message);
  }
}

const TIMEOUT_GRACE_MS = 2000;

const SIGNALS: Record<string, number> = { HUP: 1, INT: 2, QUIT: 3, ABRT: 6, KILL: 9, SEGV: 11, PIPE: 13, ALRM: 14, TERM: 15 };

/**
 * ssh2's `stream.signal()` does nothing once stdin was ended (it checks `writable`), and we always end stdin; send
 * the channel request through the protocol object instead (ssh2 1.x internals, guarded).
 */
function killRemote(stream: ClientChannel): void {
  const internals = stream as unknown as { outgoing?: { id: number; state: string }; _client?: { _protocol?: { signal(id: number, sig: string): void } } };
  try {
    if (internals.outgoing && internals.outgoing.state !== 'closed' && internals._client?._protocol) internals._client._protocol.signal(internals.outgoing.id, 'KILL');
    else stream.signal('KILL');
  } catch {
    /* channel already gone */
  }
}

export function execOnClient(client: Client, command: string, opts: ExecOptions, label: string): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    client.exec(command, (err, stream) => {
      if (err) {
        reject(new ChannelOpenError(`${label}: could not open a channel: ${err.message}`));
        return;
      }
      const out: Buffer[] = [];
      const errOut: Buffer[] = [];
      let exitCode: number | null = null;
      let timedOut = false;
      const timer =
        opts.timeoutMs && opts.timeoutMs > 0
          ? setTimeout(() => {
              timedOut = true;
              // Ask sshd to kill the process (OpenSSH ≥ 7.9 honours it), then drop the channel regardless.
              killRemote(stream);
              stream.close();
              // A server that ignores the signal keeps the channel until the process ends: do not wait for it.
              setTimeout(finish, TIMEOUT_GRACE_MS).unref();
            }, opts.timeoutMs)
          : null;
      stream.on('data', (d: Buffer) => out.push(d));
      stream.stderr.on('data', (d: Buffer) => errOut.push(d));
      stream.on('exit', (code: number | null, signal?: string) => {
        exitCode = typeof code === 'number' ? code : signal ? 128 + (SIGNALS[signal.replace(/^SIG/, '')] ?? 0) : -1;
      });
      stream.on('error', () => {
        /* reported through 'close' */
      });
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        if (timer) clearTimeout(timer);
        const result = (code: number): RunResult => ({
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(errOut).toString('utf8'),
          exitCode: code,
          durationMs: Date.now() - started,
          timedOut,
        });
        if (timedOut) resolve(result(124));
        else if (exitCode !== null) resolve(result(exitCode));
        else reject(new SshError('disconnected', `${label}: the connection dropped while "${command.slice(0, 80)}" was running; its outcome is unknown`));
      };
      stream.on('close', finish);
      stream.end(opts.stdin ?? '');
    });
  });
}
