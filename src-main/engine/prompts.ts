// Questions a backend must ask the user (2FA codes, key passphrases, unknown host keys). They go out as contract
// events and come back through `prompts.respond`, whichever window or client answers first.
import crypto from 'node:crypto';
import type { Prompt } from '../../src-shared/api/schemas';

import { ApiError } from '../../src-shared/api/contract';

export interface PromptAnswer {
  answers: string[] | null;
  /** The user asked for the passphrase to be remembered (only ever true on a prompt with can_remember). */
  remember: boolean;
}

type Pending = { prompt: Prompt; resolve: (a: PromptAnswer) => void; timer: NodeJS.Timeout };

export class PromptCenter {
  private pending = new Map<string, Pending>();
  private listeners = new Set<(e: { opened?: Prompt; closed?: string }) => void>();

  constructor(private readonly timeoutMs = 10 * 60_000) {}

  onChange(l: (e: { opened?: Prompt; closed?: string }) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Ask; resolves with the answers, or null if the user declined or nobody answered in time. */
  async ask(p: Omit<Prompt, 'id' | 'created_at'>): Promise<string[] | null> {
    return (await this.askFull(p)).answers;
  }

  /** Ask, and also learn whether the user wants the answer remembered. */
  askFull(p: Omit<Prompt, 'id' | 'created_at'>): Promise<PromptAnswer> {
    const prompt: Prompt = { ...p, id: crypto.randomBytes(8).toString('hex'), created_at: new Date().toISOString() };
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.finish(prompt.id, null), this.timeoutMs);
      timer.unref?.();
      this.pending.set(prompt.id, { prompt, resolve, timer });
      for (const l of this.listeners) l({ opened: prompt });
    });
  }

  respond(id: string, answers: string[] | null, remember = false): boolean {
    const p = this.pending.get(id);
    if (p && remember && answers !== null && !p.prompt.can_remember) {
      throw new ApiError(
        'bad_input',
        p.prompt.kind === 'passphrase'
          ? 'remember: passphrases can only be remembered in the OS keychain of the desktop app; this engine has no keychain (headless `scripthut serve`, or no secret service is running). Answer without remember.'
          : `remember: only key passphrases can be remembered, not ${p.prompt.kind} answers.`,
      );
    }
    return this.finish(id, answers, remember && answers !== null);
  }

  list(): Prompt[] {
    return [...this.pending.values()].map((p) => p.prompt);
  }

  cancelAll(): void {
    for (const id of [...this.pending.keys()]) this.finish(id, null);
  }

  private finish(id: string, answers: string[] | null, remember = false): boolean {
    const p = this.pending.get(id);
    if (!p) return false;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.resolve({ answers, remember });
    for (const l of this.listeners) l({ closed: id });
    return true;
  }
}
