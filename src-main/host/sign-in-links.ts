// `serve --open` must hand the browser a URL, and a browser opener's command line is readable by every local
// user (/proc/<pid>/cmdline). So the URL carries a one-time nonce, never the token: the first GET of
// /auth/<nonce> within 60 s redirects to /#token=... (over the loopback socket, not argv), then the nonce is dead.
import crypto from 'node:crypto';

export const SIGN_IN_PATH = '/auth/';
export const SIGN_IN_TTL_MS = 60_000;

export class SignInLinks {
  private readonly pending = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  issue(): string {
    this.prune();
    const nonce = crypto.randomBytes(24).toString('base64url');
    this.pending.set(nonce, this.now() + SIGN_IN_TTL_MS);
    return nonce;
  }

  /** True once for a live nonce; every later (or late) use is false. */
  redeem(nonce: string): boolean {
    const expires = this.pending.get(nonce);
    if (expires === undefined) return false;
    this.pending.delete(nonce);
    return this.now() <= expires;
  }

  private prune(): void {
    const t = this.now();
    for (const [n, exp] of this.pending) if (exp < t) this.pending.delete(n);
  }
}
