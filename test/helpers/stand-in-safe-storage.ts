// A stand-in for Electron's safeStorage that really encrypts (AES-GCM with a key per instance, like the key the
// OS keychain holds for one user), for tests of the keychain wiring without the Electron binary.
import crypto from 'node:crypto';
import type { SafeStorageLike } from '../../src-main/electron/keychain';

/** Encrypts with a per-instance key, like safeStorage does with the user's keychain key. */
export function standInSafeStorage(backend = 'gnome_libsecret', available = true): SafeStorageLike & { key: Buffer } {
  const key = crypto.randomBytes(32);
  return {
    key,
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString(plain) {
      const iv = crypto.randomBytes(12);
      const c = crypto.createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decryptString(sealed) {
      const d = crypto.createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
      d.setAuthTag(sealed.subarray(12, 28));
      return Buffer.concat([d.update(sealed.subarray(28)), d.final()]).toString('utf8');
    },
  };
}
