// Remembered SSH key passphrases (opt-in: only when the user ticks "remember"). They are encrypted by the OS
// keychain (the desktop app's safeStorage, see src-main/electron/keychain.ts) and kept in one 0600 file in the
// data folder, keyed by the key file's absolute path. Never in SQLite, logs or config. The headless engine has no
// keychain, so it has no store and never offers to remember.
import fs from 'node:fs';
import path from 'node:path';

export interface PassphraseStore {
  /** The remembered passphrase of this key file, or null (none, or it could not be decrypted any more). */
  get(keyPath: string): string | null;
  remember(keyPath: string, passphrase: string): void;
  /** Drop a remembered passphrase (it was wrong, or could not be decrypted). */
  forget(keyPath: string): void;
}

/** What encrypts the secrets: the OS keychain behind Electron's safeStorage, or a stand-in in tests. */
export interface SecretCipher {
  encrypt(plain: string): Buffer;
  decrypt(sealed: Buffer): string;
}

export const PASSPHRASE_FILE = 'ssh-passphrases.json';

interface FileShape {
  version: 1;
  /** key file path → base64 of the cipher's output */
  keys: Record<string, string>;
}

export class EncryptedPassphraseFile implements PassphraseStore {
  constructor(
    readonly file: string,
    private readonly cipher: SecretCipher,
  ) {}

  get(keyPath: string): string | null {
    const sealed = this.read().keys[path.resolve(keyPath)];
    if (sealed === undefined) return null;
    try {
      return this.cipher.decrypt(Buffer.from(sealed, 'base64'));
    } catch {
      // Another user's keychain, a reset keychain, a copied data folder: the entry is useless, not an error.
      this.forget(keyPath);
      return null;
    }
  }

  remember(keyPath: string, passphrase: string): void {
    const data = this.read();
    data.keys[path.resolve(keyPath)] = this.cipher.encrypt(passphrase).toString('base64');
    this.write(data);
  }

  forget(keyPath: string): void {
    const data = this.read();
    const k = path.resolve(keyPath);
    if (!(k in data.keys)) return;
    delete data.keys[k];
    this.write(data);
  }

  private read(): FileShape {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch {
      return { version: 1, keys: {} };
    }
    try {
      const parsed = JSON.parse(text) as Partial<FileShape>;
      const keys = parsed && typeof parsed.keys === 'object' && parsed.keys !== null ? parsed.keys : {};
      return { version: 1, keys: Object.fromEntries(Object.entries(keys).filter(([, v]) => typeof v === 'string')) };
    } catch {
      // A damaged file only costs the remembered passphrases: the user is asked again and it is rewritten.
      return { version: 1, keys: {} };
    }
  }

  private write(data: FileShape): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    // Created 0600 (not chmod-ed afterwards): there is no moment where another user could read it.
    fs.writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n', { mode: 0o600 });
    fs.chmodSync(tmp, 0o600);
    fs.renameSync(tmp, this.file);
  }
}

/** Plain-Node store held in memory (tests; no keychain, nothing written). */
export class MemoryPassphraseStore implements PassphraseStore {
  readonly entries = new Map<string, string>();
  get(keyPath: string): string | null {
    return this.entries.get(path.resolve(keyPath)) ?? null;
  }
  remember(keyPath: string, passphrase: string): void {
    this.entries.set(path.resolve(keyPath), passphrase);
  }
  forget(keyPath: string): void {
    this.entries.delete(path.resolve(keyPath));
  }
}
