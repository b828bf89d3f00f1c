export { SshBroker, type SshBrokerOptions, type SshStatus, type SshState, type SshTarget } from './broker';
export { SshError, isSshError, type SshErrorCode } from './errors';
export type { PromptRequest, PromptCallback, PromptReply } from './auth';
export type { UnknownHostKeyRequest, UnknownHostKeyCallback } from './host-key-check';
export { resolveSshTarget, resolveJumpChain, parseProxyJump, parseHostSpec, type ResolvedSshTarget, type SshConfigEnv } from './ssh-config';
export { fingerprintSha256, parseKnownHosts, lookupHostKey } from './known-hosts';
