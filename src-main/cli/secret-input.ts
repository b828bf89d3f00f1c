// Answers to 2FA and passphrase prompts are secrets: on the command line they land in shell history and in
// /proc/<pid>/cmdline for every local user. So they are typed with no echo, or piped in with --stdin.
import type { Readable, Writable } from 'node:stream';

export interface SecretSource {
  stdin: Readable & { isTTY?: boolean; setRawMode?: (on: boolean) => unknown };
  stderr: Writable;
}

const MAX_ANSWER = 4096;

/** Everything on stdin up to the first newline (or the end), without the newline. */
export async function readLineFromStdin(stdin: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stdin) {
    text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    if (text.includes('\n') || text.length > MAX_ANSWER) break;
  }
  return text.split(/\r?\n/)[0]?.slice(0, MAX_ANSWER) ?? '';
}

/** Ask on the terminal without echoing what is typed. Ctrl-C aborts. */
export function readHidden(question: string, src: SecretSource): Promise<string> {
  const { stdin, stderr } = src;
  if (!stdin.isTTY || !stdin.setRawMode) return readLineFromStdin(stdin);
  stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let answer = '';
    const done = (err: Error | null): void => {
      stdin.off('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      stderr.write('\n');
      if (err) reject(err);
      else resolve(answer);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n') return done(null);
        if (ch === '\u0003') return done(new Error('Cancelled.'));
        if (ch === '\u007f' || ch === '\b') answer = answer.slice(0, -1);
        else if (answer.length < MAX_ANSWER) answer += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** Short answers to a host-key question are not secrets; anything else typed as an argument is. */
export function looksSecret(answer: string): boolean {
  return !/^(yes|y|no|n)$/i.test(answer.trim());
}
