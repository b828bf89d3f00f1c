// Resolve a host alias through an OpenSSH client config (~/.ssh/config) the way `ssh` does, as pure functions:
// config text in, connection parameters out. Reading the file is the broker's job.
import SSHConfig from 'ssh-config';

export interface SshConfigEnv {
  /** Local home folder, for `~` and `%d`. */
  home: string;
  /** Local user name, the default remote user and `%u`. */
  localUser: string;
}

export interface ResolvedSshTarget {
  /** The name that was looked up (an alias, or a host name). */
  alias: string;
  hostName: string;
  user: string;
  port: number;
  /** Private keys to try, in order, `~` expanded. */
  identityFiles: string[];
  /** True when the config named no IdentityFile and these are OpenSSH's defaults (use only those that exist). */
  identityFilesAreDefaults: boolean;
  identitiesOnly: boolean;
  /** OpenSSH certificates (CertificateFile), `~` expanded. */
  certificateFiles: string[];
  /** Jump hosts in ProxyJump order (as written: `[user@]host[:port]`); empty when none. */
  proxyJump: string[];
  /** Set when the config uses ProxyCommand, which the broker does not run (it supports ProxyJump). */
  proxyCommand: string | null;
  /** Seconds; 0 = off. */
  serverAliveInterval: number;
  serverAliveCountMax: number;
  /** Seconds, from ConnectTimeout; null when unset. */
  connectTimeout: number | null;
  /** Name used to look up the host key instead of hostName (HostKeyAlias). */
  hostKeyAlias: string | null;
  /** IdentityAgent socket path, 'none' to disable, or null to use SSH_AUTH_SOCK. */
  identityAgent: string | null;
  /** Extra known_hosts files to trust, read-only: UserKnownHostsFile (and a cluster's `ssh.known_hosts`). */
  knownHostsFiles: string[];
}

const DEFAULT_IDENTITY_FILES = ['~/.ssh/id_rsa', '~/.ssh/id_ecdsa', '~/.ssh/id_ed25519', '~/.ssh/id_dsa'];

type Computed = Record<string, string | string[]>;

function first(c: Computed, key: string): string | undefined {
  const v = c[key];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v[0] : v;
}

function all(c: Computed, key: string): string[] {
  const v = c[key];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

function yes(value: string | undefined): boolean {
  return value !== undefined && /^(yes|true)$/i.test(value);
}

function int(value: string | undefined, what: string, alias: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`ssh config: ${what} "${value}" for host "${alias}" is not a whole number; fix it in your ssh config`);
  return n;
}

/** `~` and the `%` tokens OpenSSH expands in IdentityFile / CertificateFile / IdentityAgent. */
export function expandPath(path: string, env: SshConfigEnv, tokens: { h: string; r: string; p: number; n: string }): string {
  let out = path.replace(/%([%dhnpru])/g, (_m, t: string) => {
    switch (t) {
      case '%':
        return '%';
      case 'd':
        return env.home;
      case 'h':
        return tokens.h;
      case 'n':
        return tokens.n;
      case 'p':
        return String(tokens.p);
      case 'r':
        return tokens.r;
      default:
        return env.localUser;
    }
  });
  if (out === '~') out = env.home;
  else if (out.startsWith('~/')) out = `${env.home.replace(/\/$/, '')}/${out.slice(2)}`;
  return out;
}

/** Split `[ssh://][user@]host[:port]` (IPv6 in brackets) into parts. */
export function parseHostSpec(spec: string): { user?: string; host: string; port?: number } {
  let s = spec.trim().replace(/^ssh:\/\//, '');
  let user: string | undefined;
  const at = s.lastIndexOf('@');
  if (at >= 0) {
    user = s.slice(0, at);
    s = s.slice(at + 1);
  }
  let host = s;
  let port: number | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracket) {
    host = bracket[1] ?? '';
    if (bracket[2]) port = Number(bracket[2]);
  } else {
    const m = /^([^:]+):(\d+)$/.exec(s);
    if (m) {
      host = m[1] ?? '';
      port = Number(m[2]);
    }
  }
  if (!host) throw new Error(`ssh: "${spec}" names no host; write it as [user@]host[:port]`);
  return { user, host, port };
}

/** Split a ProxyJump value into hops; `none` means no jump. */
export function parseProxyJump(value: string | undefined | null): string[] {
  if (!value || value.trim().toLowerCase() === 'none') return [];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Look `alias` up in `configText` and return what `ssh alias` would use. Pure: no file or network access. */
export function resolveSshTarget(alias: string, configText: string, env: SshConfigEnv): ResolvedSshTarget {
  const config = SSHConfig.parse(configText);
  const c = config.compute(alias, { ignoreCase: true, matchExec: false }) as Computed;
  const hostName = (first(c, 'hostname') ?? alias).replace(/%h/g, alias);
  const user = first(c, 'user') ?? env.localUser;
  const port = int(first(c, 'port'), 'Port', alias) ?? 22;
  const tokens = { h: hostName, r: user, p: port, n: alias };
  const configured = all(c, 'identityfile').filter((f) => f.toLowerCase() !== 'none');
  const identityFilesAreDefaults = configured.length === 0;
  const identityFiles = unique((identityFilesAreDefaults ? DEFAULT_IDENTITY_FILES : configured).map((f) => expandPath(f, env, tokens)));
  const agent = first(c, 'identityagent');
  return {
    alias,
    hostName,
    user,
    port,
    identityFiles,
    identityFilesAreDefaults,
    identitiesOnly: yes(first(c, 'identitiesonly')),
    certificateFiles: unique(all(c, 'certificatefile').map((f) => expandPath(f, env, tokens))),
    proxyJump: parseProxyJump(first(c, 'proxyjump')),
    proxyCommand: first(c, 'proxycommand') && first(c, 'proxycommand')?.toLowerCase() !== 'none' ? (first(c, 'proxycommand') ?? null) : null,
    serverAliveInterval: int(first(c, 'serveraliveinterval'), 'ServerAliveInterval', alias) ?? 0,
    serverAliveCountMax: int(first(c, 'serveralivecountmax'), 'ServerAliveCountMax', alias) ?? 3,
    connectTimeout: int(first(c, 'connecttimeout'), 'ConnectTimeout', alias) ?? null,
    hostKeyAlias: first(c, 'hostkeyalias') ?? null,
    identityAgent: agent === undefined ? null : agent.toLowerCase() === 'none' ? 'none' : expandPath(agent.replace(/^"|"$/g, ''), env, tokens),
    // UserKnownHostsFile may list several files separated by spaces; 'none' means no user file.
    knownHostsFiles: unique(
      all(c, 'userknownhostsfile')
        .flatMap((v) => v.split(/\s+/))
        .filter((f) => f && f.toLowerCase() !== 'none')
        .map((f) => expandPath(f.replace(/^"|"$/g, ''), env, tokens)),
    ),
  };
}

/** One jump hop written `[user@]host[:port]`: the host part is itself an alias looked up in the config. */
export function resolveHop(spec: string, configText: string, env: SshConfigEnv): ResolvedSshTarget {
  const { user, host, port } = parseHostSpec(spec);
  const resolved = resolveSshTarget(host, configText, env);
  return { ...resolved, user: user ?? resolved.user, port: port ?? resolved.port };
}

/**
 * The hosts to connect through, first to last, to reach a target whose ProxyJump is `jumps`. Like OpenSSH, only
 * the FIRST hop's own ProxyJump applies (`ssh -J a,b t` = reach b through a; a through a's own config).
 */
export function resolveJumpChain(jumps: string[], configText: string, env: SshConfigEnv, depth = 0): ResolvedSshTarget[] {
  if (depth > 8) throw new Error(`ssh config: ProxyJump nests more than 8 levels deep (a loop?) at "${jumps.join(',')}"; check ProxyJump lines in your ssh config`);
  const chain: ResolvedSshTarget[] = [];
  jumps.forEach((spec, i) => {
    const hop = resolveHop(spec, configText, env);
    if (i === 0 && hop.proxyJump.length > 0) chain.push(...resolveJumpChain(hop.proxyJump, configText, env, depth + 1));
    chain.push(hop);
  });
  return chain;
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}
