// Questions a backend must ask the user (2FA codes, key passphrases, unknown host keys). They go out as contract
// events and come back through `prompts.respond`, whichever window or client answers first.
import crypto from 'node:crypto';
import type { Prompt } from '../../src-shared/api/schemas';

type Pending = { prompt: Prompt; resolve: (answers: string[] | null) => void; timer: NodeJS.Timeout };

export class PromptCenter {
  private pending = new Map<string, Pending>();
  private listeners = new Set<(e: { opened?: Prompt; closed?: string }) => void>();

  constructor(private readonly timeoutMs = 10 * 60_000) {}

  onChange(l: (e: { opened?: Prompt; closed?: string }) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Ask; resolves with the answers, or null if the user declined or nobody answered in time. */
  ask(p: Omit<Prompt, 'id' | 'created_at'>): Promise<string[] | null> {
    const prompt: Prompt = { ...p, id: crypto.randomBytes(8).toString('hex'), created_at: new Date().toISOString() };
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.finish(prompt.id, null), this.timeoutMs);
      timer.unref?.();
      this.pending.set(prompt.id, { prompt, resolve, timer });
      for (const l of this.listeners) l({ opened: prompt });
    });
  }

  respond(id: string, answers: string[] | null): boolean {
    return this.finish(id, answers);
  }

  list(): Prompt[] {
    return [...this.pending.values()].map((p) => p.prompt);
  }

  cancelAll(): void {
    for (const id of [...this.pending.keys()]) this.finish(id, null);
  }

  private finish(id: string, answers: string[] | null): boolean {
    const p = this.pending.get(id);
    if (!p) return false;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.resolve(answers);
    for (const l of this.listeners) l({ closed: id });
    return true;
  }
}
