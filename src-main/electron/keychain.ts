// The OS keychain for remembered SSH key passphrases: Electron's safeStorage (Keychain on macOS, DPAPI on
// Windows, libsecret/kwallet on Linux) encrypts; src-main/secrets/passphrase-store.ts keeps the sealed values.
import path from 'node:path';
import { EncryptedPassphraseFile, PASSPHRASE_FILE, type PassphraseStore } from '../secrets/passphrase-store';

/** The part of Electron's safeStorage used here (a stand-in in tests). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(sealed: Buffer): string;
  /** Linux only: which secret store backs it; 'basic_text' is a fixed key in the app, not a keychain. */
  getSelectedStorageBackend?(): string;
}

export type KeychainResult = { store: PassphraseStore; reason: null } | { store: null; reason: string };

export function openKeychain(safeStorage: SafeStorageLike, dataDir: string, platform: NodeJS.Platform = process.platform): KeychainResult {
  if (!safeStorage.isEncryptionAvailable()) return { store: null, reason: 'the OS keychain is not available' };
  if (platform === 'linux') {
    const backend = safeStorage.getSelectedStorageBackend?.() ?? 'unknown';
    // Without a secret service Chromium falls back to a key written in its own source: that is not a keychain.
    if (backend === 'basic_text' || backend === 'unknown') return { store: null, reason: `no secret service (libsecret or KWallet) is running (safeStorage backend: ${backend})` };
  }
  const cipher = { encrypt: (s: string) => safeStorage.encryptString(s), decrypt: (b: Buffer) => safeStorage.decryptString(b) };
  return { store: new EncryptedPassphraseFile(path.join(dataDir, PASSPHRASE_FILE), cipher), reason: null };
}
