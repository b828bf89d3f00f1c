// `~` in config fields that name files on THIS machine. Remote paths (clone dirs, path sources, stack cache
// dirs) keep their `~`: the remote shell expands it to the remote home.
import path from 'node:path';
import type { BackendConfig, ScripthutConfig, SourceConfig, SshConfig } from '../../src-shared/config';

/** `~` and `~/x` → the home folder; `~user/x` and everything else unchanged. */
export function expandHome(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/') || p.startsWith('~\\')) return path.join(home, p.slice(2));
  return p;
}

function expandOptional<T extends string | null | undefined>(p: T, home: string): T {
  return (typeof p === 'string' ? expandHome(p, home) : p) as T;
}

function expandSsh(ssh: SshConfig, home: string): SshConfig {
  return {
    ...ssh,
    key_path: expandOptional(ssh.key_path, home),
    cert_path: expandOptional(ssh.cert_path, home),
    known_hosts: expandOptional(ssh.known_hosts, home),
  };
}

export function expandConfigPaths(config: ScripthutConfig, where: { home: string; configDir: string }): ScripthutConfig {
  const { home, configDir } = where;
  const backends = config.backends.map((b): BackendConfig => (b.type === 'slurm' || b.type === 'pbs' ? { ...b, ssh: expandSsh(b.ssh, home) } : b));
  // Git sources are cloned by this machine, so their deploy key is a local file.
  const sources = config.sources.map((s): SourceConfig => (s.type === 'git' ? { ...s, deploy_key: expandOptional(s.deploy_key, home) } : s));
  // Stack input files are hashed here; relative ones are relative to the YAML that declared them (as the original).
  const stacks = config.stacks.map((st) => ({
    ...st,
    input_files: st.input_files.map((f) => path.resolve(configDir, expandHome(f, home))),
  }));
  const settings = {
    ...config.settings,
    data_dir: expandOptional(config.settings.data_dir, home),
    sources_cache_dir: expandOptional(config.settings.sources_cache_dir, home),
  };
  return { ...config, backends, sources, stacks, settings };
}
