// The login sequence for one connection attempt, in OpenSSH's order: agent keys, identity files (certificate
// first when one is configured), keyboard-interactive (2FA/Duo/TOTP), password. Anything a person must answer
// goes through the prompt callback; a decrypted key is kept in memory so reconnects do not ask again.
import { readFileSync, existsSync } from 'node:fs';
import type { AnyAuthMethod, AuthHandlerMiddleware, AuthenticationType, ParsedKey } from 'ssh2';
import { utils } from './ssh2-module';
import { certifiedKey } from './certificate-auth';
import { SshError } from './errors';

export interface PromptRequest {
  cluster: string;
  title: string;
  instructions: string;
  prompts: Array<{ prompt: string; echo: boolean }>;
}

/** Answers in prompt order, or null when the user cancelled. */
export type PromptCallback = (req: PromptRequest) => Promise<string[] | null>;

export interface AuthPlan {
  cluster: string;
  /** `user@host:port`, for prompts and errors. */
  where: string;
  username: string;
  identityFiles: string[];
  certificateFiles: string[];
  /** ssh-agent socket, or null. */
  agent: string | null;
  onPrompt: PromptCallback;
  /** Decrypted keys by path, shared across connection attempts. */
  keyCache: Map<string, ParsedKey>;
  /** Called around every wait for a person, so the broker can show `waiting_for_user` and pause its timers. */
  waitingForUser: (waiting: boolean) => void;
}

type Attempt = { label: string; method: AuthenticationType; make: () => Promise<AnyAuthMethod | null> };

const MAX_INTERACTIVE_TRIES = 3;

/** Builds ssh2's authHandler plus a way to know why login failed. */
export function buildAuthHandler(plan: AuthPlan): { handler: AuthHandlerMiddleware; tried: string[]; cancelled: () => SshError | null } {
  const tried: string[] = [];
  let cancelled: SshError | null = null;

  const ask = async (req: Omit<PromptRequest, 'cluster'>): Promise<string[] | null> => {
    plan.waitingForUser(true);
    try {
      return await plan.onPrompt({ cluster: plan.cluster, ...req });
    } finally {
      plan.waitingForUser(false);
    }
  };

  const loadKey = async (path: string): Promise<ParsedKey | null> => {
    const cached = plan.keyCache.get(path);
    if (cached) return cached;
    if (!existsSync(path)) return null;
    const data = readFileSync(path);
    let parsed = utils.parseKey(data);
    if (parsed instanceof Error && /passphrase/i.test(parsed.message)) {
      for (let i = 0; i < 3 && parsed instanceof Error; i++) {
        const answer = await ask({
          title: 'Key passphrase',
          instructions: `${i === 0 ? '' : 'Wrong passphrase. '}The private key ${path} is encrypted (logging in to ${plan.where}).`,
          prompts: [{ prompt: `Enter passphrase for key '${path}':`, echo: false }],
        });
        if (answer === null || answer[0] === undefined || answer[0] === '') return null;
        parsed = utils.parseKey(data, answer[0]);
      }
    }
    if (parsed instanceof Error) return null;
    const key = Array.isArray(parsed) ? (parsed[0] as ParsedKey | undefined) : parsed;
    if (!key || !key.isPrivateKey()) return null;
    plan.keyCache.set(path, key);
    return key;
  };

  const attempts: Attempt[] = [{ label: 'none', method: 'none', make: async () => ({ type: 'none', username: plan.username }) }];
  if (plan.agent) {
    const agent = plan.agent;
    attempts.push({ label: `agent ${agent}`, method: 'publickey', make: async () => ({ type: 'agent', username: plan.username, agent }) });
  }
  for (const file of plan.identityFiles) {
    const certs = [...plan.certificateFiles, `${file}-cert.pub`].filter((c, i, a) => a.indexOf(c) === i);
    for (const cert of certs) {
      attempts.push({
        label: `${file} + certificate ${cert}`,
        method: 'publickey',
        make: async () => {
          if (!existsSync(cert) || !existsSync(file)) return null;
          const key = await loadKey(file);
          if (!key) return null;
          const withCert = certifiedKey(key, readFileSync(cert, 'utf8'));
          return withCert ? { type: 'publickey', username: plan.username, key: withCert } : null;
        },
      });
    }
    attempts.push({
      label: file,
      method: 'publickey',
      make: async () => {
        const key = await loadKey(file);
        return key ? { type: 'publickey', username: plan.username, key } : null;
      },
    });
  }
  for (let i = 0; i < MAX_INTERACTIVE_TRIES; i++) {
    attempts.push({
      label: 'keyboard-interactive',
      method: 'keyboard-interactive',
      make: async () => ({
        type: 'keyboard-interactive',
        username: plan.username,
        prompt: (name, instructions, _lang, prompts, finish) => {
          void ask({ title: name || `Login to ${plan.where}`, instructions, prompts: prompts.map((p) => ({ prompt: p.prompt, echo: p.echo ?? false })) }).then(
            (answers) => {
              if (answers === null) {
                cancelled = new SshError('auth_cancelled', `ssh ${plan.cluster}: login to ${plan.where} was cancelled at the prompt; run a command again to retry`);
                finish([]);
                return;
              }
              finish(answers);
            },
            () => finish([]),
          );
        },
      }),
    });
  }
  for (let i = 0; i < MAX_INTERACTIVE_TRIES; i++) {
    attempts.push({
      label: 'password',
      method: 'password',
      make: async () => {
        const answer = await ask({ title: `Password for ${plan.where}`, instructions: '', prompts: [{ prompt: `${plan.where}'s password:`, echo: false }] });
        if (answer === null) {
          cancelled = new SshError('auth_cancelled', `ssh ${plan.cluster}: login to ${plan.where} was cancelled at the password prompt; run a command again to retry`);
          return null;
        }
        return { type: 'password', username: plan.username, password: answer[0] ?? '' };
      },
    });
  }

  let next = 0;
  let last: Attempt | null = null;
  const handler: AuthHandlerMiddleware = (methodsLeft, partialSuccess, callback) => {
    // After a partial success (e.g. key accepted, now 2FA) the server names the remaining factor(s): start over
    // through the list, skipping the attempt that just worked.
    if (partialSuccess) next = 0;
    const done = last;
    const pick = async (): Promise<AnyAuthMethod | false> => {
      while (next < attempts.length) {
        if (cancelled) return false;
        const attempt = attempts[next++] as Attempt;
        if (attempt.method === 'none' && (methodsLeft || partialSuccess)) continue;
        if (partialSuccess && attempt === done) continue;
        if (methodsLeft && !methodsLeft.includes(attempt.method)) continue;
        const method = await attempt.make();
        if (cancelled) return false;
        if (!method) continue;
        last = attempt;
        if (attempt.method !== 'none') tried.push(attempt.label);
        return method;
      }
      return false;
    };
    pick().then(
      (m) => callback(m as AnyAuthMethod),
      () => callback(false as unknown as AnyAuthMethod),
    );
  };
  return { handler, tried, cancelled: () => cancelled };
}
