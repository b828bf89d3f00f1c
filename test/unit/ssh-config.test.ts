import { describe, expect, it } from 'vitest';
import { parseHostSpec, parseProxyJump, resolveJumpChain, resolveSshTarget } from '../../src-main/transport/ssh/ssh-config';

const env = { home: '/home/me', localUser: 'me' };

const config = `
# a cluster behind a bastion
Host hpc
  HostName login.hpc.example.org
  User alice
  Port 2222
  IdentityFile ~/.ssh/hpc_ed25519
  IdentityFile %d/.ssh/second_%r
  IdentitiesOnly yes
  CertificateFile ~/.ssh/hpc_ed25519-cert.pub
  ProxyJump bastion,carol@inner:2200
  ServerAliveInterval 20
  ServerAliveCountMax 5

Host bastion
  HostName bastion.example.org
  User bob
  ProxyJump outer

Host outer
  HostName outer.example.org

Host inner
  HostName inner.example.org
  ProxyJump ignored-because-not-first

Host *.example.org
  User wildcard
  IdentityFile ~/.ssh/wild

Host legacy
  ProxyCommand ssh -W %h:%p gw

Host *
  ConnectTimeout 7
`;

describe('resolveSshTarget', () => {
  it('resolves an alias like ssh does: first value wins, IdentityFile lines accumulate in order, ~ and %d/%r expanded', () => {
    const t = resolveSshTarget('hpc', config, env);
    expect(t.hostName).toBe('login.hpc.example.org');
    expect(t.user).toBe('alice');
    expect(t.port).toBe(2222);
    expect(t.identityFiles).toEqual(['/home/me/.ssh/hpc_ed25519', '/home/me/.ssh/second_alice']);
    expect(t.identityFilesAreDefaults).toBe(false);
    expect(t.identitiesOnly).toBe(true);
    expect(t.certificateFiles).toEqual(['/home/me/.ssh/hpc_ed25519-cert.pub']);
    expect(t.proxyJump).toEqual(['bastion', 'carol@inner:2200']);
    expect(t.serverAliveInterval).toBe(20);
    expect(t.serverAliveCountMax).toBe(5);
    expect(t.connectTimeout).toBe(7);
  });

  it('applies wildcard Host blocks to names that match them', () => {
    const t = resolveSshTarget('node1.example.org', config, env);
    expect(t.hostName).toBe('node1.example.org');
    expect(t.user).toBe('wildcard');
    expect(t.identityFiles).toEqual(['/home/me/.ssh/wild']);
    expect(t.port).toBe(22);
  });

  it('falls back to the local user, port 22 and the OpenSSH default keys for an unknown host', () => {
    const t = resolveSshTarget('somewhere', '', env);
    expect(t).toMatchObject({ hostName: 'somewhere', user: 'me', port: 22, identityFilesAreDefaults: true, proxyJump: [], proxyCommand: null });
    expect(t.identityFiles).toContain('/home/me/.ssh/id_ed25519');
    expect(t.identityFiles).toContain('/home/me/.ssh/id_rsa');
  });

  it('reports ProxyCommand so the broker can refuse it clearly', () => {
    expect(resolveSshTarget('legacy', config, env).proxyCommand).toBe('ssh -W %h:%p gw');
  });

  it('says where a bad Port is', () => {
    expect(() => resolveSshTarget('x', 'Host x\n  Port abc\n', env)).toThrow(/Port "abc" for host "x"/);
  });

  it('does not run Match exec (config text is data, not a script)', () => {
    const t = resolveSshTarget('h', 'Match exec "touch /tmp/should-not-exist-scripthut"\n  User evil\nHost h\n  User good\n', env);
    expect(t.user).toBe('good');
  });
});

describe('ProxyJump', () => {
  it('parses hop specs including ports, users, ssh:// and IPv6', () => {
    expect(parseHostSpec('carol@inner:2200')).toEqual({ user: 'carol', host: 'inner', port: 2200 });
    expect(parseHostSpec('ssh://u@[::1]:22')).toEqual({ user: 'u', host: '::1', port: 22 });
    expect(parseHostSpec('plain')).toEqual({ user: undefined, host: 'plain', port: undefined });
    expect(parseProxyJump('none')).toEqual([]);
    expect(parseProxyJump('a, b')).toEqual(['a', 'b']);
  });

  it('resolves each hop through the config; the first hop keeps its own ProxyJump, later hops do not; Host patterns match the alias, not HostName (as in ssh)', () => {
    const chain = resolveJumpChain(['bastion', 'carol@inner:2200'], config, env);
    expect(chain.map((h) => `${h.user}@${h.hostName}:${h.port}`)).toEqual(['me@outer.example.org:22', 'bob@bastion.example.org:22', 'carol@inner.example.org:2200']);
  });

  it('stops a ProxyJump loop with a clear error', () => {
    expect(() => resolveJumpChain(['a'], 'Host a\n  ProxyJump b\nHost b\n  ProxyJump a\n', env)).toThrow(/more than 8 levels/);
  });
});
