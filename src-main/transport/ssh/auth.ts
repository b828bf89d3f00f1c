// The login sequence for one connection attempt, in OpenSSH's order: agent keys, identity files (certificate
// first when one is configured), keyboard-interactive (2FA/Duo/TOTP), password. Anything a person must answer
// goes through the prompt callback; a decrypted key is kept in memory so reconnects do not ask again.
import { readFileSync, existsSync } from 'node:fs';
import type { AnyAuthMethod, AuthHandlerMiddleware, AuthenticationType, ParsedKey } from 'ssh2';
import { utils } from './ssh2-module';
import { certifiedKey } from './certificate-auth';
import { SshError } from './errors';
import type { PassphraseStore } from '../../secrets/passphrase-store';

export interface PromptRequest {
  cluster: string;
  title: string;
  instructions: string;
  prompts: Array<{ prompt: string; echo: boolean }>;
  /** A key passphrase prompt that may be answered with "remember" (a keychain is there). */
  canRemember?: boolean;
}

/** Answers with the user's wish to have the passphrase remembered in the OS keychain. */
export interface PromptReply {
  answers: string[];
  remember: boolean;
}

/** Answers in prompt order (or a PromptReply), or null when the user cancelled. */
export type PromptCallback = (req: PromptRequest) => Promise<string[] | PromptReply | null>;

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
  /** Passphrases remembered in the OS keychain (desktop app only); null = none, never offer to remember. */
  passphrases?: PassphraseStore | null;
  /** Called around every wait for a person, so the broker can show `waiting_for_user` and pause its timers. */
  waitingForUser: (waiting: boolean) => void;
}

type Attempt = { label: string; method: AuthenticationType; make: () => Promise<AnyAuthMethod | null> };

const MAX_INTERACTIVE_TRIES = 3;

// The keychain is a convenience: failing to read or write it must never stop a login.
function forgetQuietly(store: PassphraseStore, path: string): void {
  try {
    store.forget(path);
  } catch (err) {
    console.warn(`[ssh] could not forget the remembered passphrase of ${path}: ${(err as Error).message}`);
  }
}
function rememberQuietly(store: PassphraseStore, path: string, passphrase: string): void {
  try {
    store.remember(path, passphrase);
  } catch (err) {
    console.warn(`[ssh] could not remember the passphrase of ${path} in the keychain: ${(err as Error).message}`);
  }
}

/** Builds ssh2's authHandler plus a way to know why login failed. */
export function buildAuthHandler(plan: AuthPlan): { handler: AuthHandlerMiddleware; tried: string[]; cancelled: () => SshError | null } {
  const tried: string[] = [];
  let cancelled: SshError | null = null;

  const askFull = async (req: Omit<PromptRequest, 'cluster'>): Promise<PromptReply | null> => {
    plan.waitingForUser(true);
    try {
      const reply = await plan.onPrompt({ cluster: plan.cluster, ...req });
      return reply === null ? null : Array.isArray(reply) ? { answers: reply, remember: false } : reply;
    } finally {
      plan.waitingForUser(false);
    }
  };
  const ask = async (req: Omit<PromptRequest, 'cluster'>): Promise<string[] | null> => (await askFull(req))?.answers ?? null;

  /** The keychain's passphrase for this key when it opens it; a wrong or unreadable one is forgotten. */
  const rememberedKey = (path: string, data: Buffer): { key: ReturnType<typeof utils.parseKey> | null; discarded: boolean } => {
    const store = plan.passphrases;
    if (!store) return { key: null, discarded: false };
    let stored: string | null;
    try {
      stored = store.get(path);
    } catch {
      return { key: null, discarded: false };
    }
    if (stored === null) return { key: null, discarded: false };
    const parsed = utils.parseKey(data, stored);
    if (!(parsed instanceof Error)) return { key: parsed, discarded: false };
    forgetQuietly(store, path);
    return { key: null, discarded: true };
  };

  const loadKey = async (path: string): Promise<ParsedKey | null> => {
    const cached = plan.keyCache.get(path);
    if (cached) return cached;
    if (!existsSync(path)) return null;
    const data = readFileSync(path);
    let parsed = utils.parseKey(data);
    if (parsed instanceof Error && /passphrase/i.test(parsed.message)) {
      const remembered = rememberedKey(path, data);
      if (remembered.key) parsed = remembered.key;
      for (let i = 0; i < 3 && parsed instanceof Error; i++) {
        const why = i > 0 ? 'Wrong passphrase. ' : remembered.discarded ? 'The passphrase remembered in the keychain no longer opens this key; it was forgotten. ' : '';
        const reply = await askFull({
          title: 'Key passphrase',
          instructions: `${why}The private key ${path} is encrypted (logging in to ${plan.where}).`,
          prompts: [{ prompt: `Enter passphrase for key '${path}':`, echo: false }],
          canRemember: !!plan.passphrases,
        });
        const answer = reply?.answers[0];
        if (reply === null || answer === undefined || answer === '') return null;
        parsed = utils.parseKey(data, answer);
        // Only a passphrase that opened the key is kept.
        if (!(parsed instanceof Error) && reply.remember && plan.passphrases) rememberQuietly(plan.passphrases, path, answer);
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
