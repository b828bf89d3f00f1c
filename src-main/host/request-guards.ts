// DNS-rebinding defence: a page on evil.example that re-points its name at 127.0.0.1 reaches our port, but its
// requests still say `Host: evil.example` and (from script) `Origin: http://evil.example`. Only our own loopback
// names on our own port are served; only our own origins (or the desktop app, or no Origin at all) may call.
import type { IncomingMessage } from 'node:http';

export const DESKTOP_ORIGIN = 'app://scripthut';

let lastHosts: { port: number; hosts: ReadonlySet<string> } | null = null;

export function allowedHosts(port: number): ReadonlySet<string> {
  // Asked on every request, nearly always for the one port the host listens on.
  if (lastHosts?.port !== port) lastHosts = { port, hosts: new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) };
  return lastHosts.hosts;
}

export type GuardVerdict = { ok: true } | { ok: false; status: 421 | 403; message: string };

export function checkHostAndOrigin(req: IncomingMessage, port: number, opts: { checkOrigin: boolean }): GuardVerdict {
  const hosts = allowedHosts(port);
  const hostHeader = (req.headers.host ?? '').toLowerCase();
  if (!hosts.has(hostHeader)) {
    return { ok: false, status: 421, message: `This engine only answers to 127.0.0.1:${port}, localhost:${port} or [::1]:${port} (the request said Host: ${hostHeader || '(none)'}).` };
  }
  if (!opts.checkOrigin) return { ok: true };
  const origin = req.headers.origin;
  if (origin === undefined || origin === DESKTOP_ORIGIN) return { ok: true };
  let originHost: string | null = null;
  try {
    const u = new URL(origin);
    originHost = u.protocol === 'http:' ? u.host : null;
  } catch {
    originHost = null;
  }
  if (originHost && hosts.has(originHost.toLowerCase())) return { ok: true };
  return { ok: false, status: 403, message: `Requests from the web page at ${origin} are refused: only the ScriptHut UI served by this engine may call it.` };
}
