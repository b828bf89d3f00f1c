// OpenSSH user certificates (CertificateFile / `<key>-cert.pub`). ssh2 1.x cannot log in with a certificate: it
// writes the certificate algorithm name inside the signature too, where OpenSSH expects the plain key algorithm.
// We hand ssh2 a key object that carries the certificate and replace `authPK` on the connection's protocol
// object for such keys only. This touches ssh2 internals (checked at run time, with a clear error if they move).
import { createRequire } from 'node:module';
import type { Client, ParsedKey } from 'ssh2';

const CERT = Symbol('scripthut.sshCertificate');

interface CertInfo {
  /** Algorithm sent in the request, e.g. `ssh-ed25519-cert-v01@openssh.com`. */
  requestAlgo: string;
  /** Algorithm inside the signature, e.g. `ssh-ed25519`. */
  signatureAlgo: string;
  /** Key type the signature is converted for (ssh2's convertSignature). */
  baseType: string;
  blob: Buffer;
}

type CertifiedKey = ParsedKey & { [CERT]: CertInfo };

/** The private `key` paired with an OpenSSH certificate (text of a `*-cert.pub` file), or null if unusable. */
export function certifiedKey(key: ParsedKey, certText: string): ParsedKey | null {
  const [certType, b64] = certText.trim().split(/\s+/);
  if (!certType || !b64 || !certType.endsWith('-cert-v01@openssh.com')) return null;
  const baseType = certType.replace('-cert-v01@openssh.com', '');
  if (baseType !== key.type) return null;
  const rsa = baseType === 'ssh-rsa';
  const info: CertInfo = {
    requestAlgo: rsa ? 'rsa-sha2-512-cert-v01@openssh.com' : certType,
    signatureAlgo: rsa ? 'rsa-sha2-512' : baseType,
    baseType,
    blob: Buffer.from(b64, 'base64'),
  };
  const wrapped = Object.create(key) as CertifiedKey;
  Object.defineProperty(wrapped, 'type', { value: certType });
  Object.defineProperty(wrapped, CERT, { value: info });
  Object.defineProperty(wrapped, 'getPublicSSH', { value: () => info.blob });
  Object.defineProperty(wrapped, 'sign', { value: (data: Buffer) => key.sign(data, rsa ? 'sha512' : undefined) });
  return wrapped;
}

function isCertified(key: unknown): key is CertifiedKey {
  return typeof key === 'object' && key !== null && CERT in key;
}

function sshString(data: Buffer | string): Buffer {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(buf.length, 0);
  return Buffer.concat([len, buf]);
}

interface ProtocolInternals {
  authPK: (username: string, pubKey: unknown, keyAlgo?: unknown, cbSign?: unknown) => void;
  _packetRW: { write: { alloc(n: number): Buffer; allocStart: number; finalize(p: Buffer): Buffer } };
  _authsQueue: string[];
  _kex: { sessionID: Buffer };
}

const USERAUTH_REQUEST = 50;

/** Call right after `client.connect(...)`: lets certified keys log in on this connection. */
export function enableCertificateAuth(client: Client): void {
  const proto = (client as unknown as { _protocol?: ProtocolInternals })._protocol;
  if (!proto || typeof proto.authPK !== 'function') return;
  // ESM (tests, CLI) and the CommonJS Electron bundle (which defines import.meta.url) both have a module URL.
  const requireFromHere = import.meta.url ? createRequire(import.meta.url) : require;
  const { sendPacket, convertSignature } = requireFromHere('ssh2/lib/protocol/utils.js') as {
    sendPacket: (p: ProtocolInternals, packet: Buffer) => void;
    convertSignature: (sig: Buffer, type: string) => Buffer | false | undefined;
  };
  const original = proto.authPK;
  proto.authPK = function (this: ProtocolInternals, username: string, pubKey: unknown, keyAlgo?: unknown, cbSign?: unknown) {
    if (!isCertified(pubKey)) return original.call(this, username, pubKey, keyAlgo, cbSign);
    const sign = (typeof keyAlgo === 'function' ? keyAlgo : cbSign) as ((data: Buffer, done: (sig: Buffer) => void) => void) | undefined;
    const info = pubKey[CERT];
    const request = (signed: boolean) =>
      Buffer.concat([Buffer.from([USERAUTH_REQUEST]), sshString(username), sshString('ssh-connection'), sshString('publickey'), Buffer.from([signed ? 1 : 0]), sshString(info.requestAlgo), sshString(info.blob)]);
    const send = (payload: Buffer) => {
      const packet = this._packetRW.write.alloc(payload.length);
      packet.set(payload, this._packetRW.write.allocStart);
      this._authsQueue.push('publickey');
      sendPacket(this, this._packetRW.write.finalize(packet));
    };
    if (!sign) return send(request(false));
    const body = request(true);
    sign(Buffer.concat([sshString(this._kex.sessionID), body]), (signature: Buffer) => {
      const converted = convertSignature(signature, info.baseType);
      if (!converted) throw new Error('ssh: could not encode the certificate login signature');
      send(Buffer.concat([body, sshString(Buffer.concat([sshString(info.signatureAlgo), sshString(converted)]))]));
    });
  };
}
