/**
 * A stand-in for the OS keychain behind Electron's safeStorage, for tests: the real one (macOS
 * Keychain, DPAPI, libsecret) needs the Electron binary and a desktop session, neither of which
 * exists on the test machines. It encrypts for real (AES-256-GCM) with a key derived from the
 * "OS user", so a key stored by one user cannot be decrypted by another, as with the real thing;
 * and its backend can be set to 'basic_text' like a Linux desktop without a secret service.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Protection, SecretVault } from '../../electron/core/connections';

export type Backend = 'gnome_libsecret' | 'kwallet5' | 'basic_text' | 'unavailable';

export class FakeKeychain {
  constructor(
    public user = 'desk-user',
    public backend: Backend = 'gnome_libsecret',
  ) {}

  private key(): Buffer {
    return createHash('sha256').update(`fake-keychain:${this.backend === 'basic_text' ? 'peanuts' : this.user}`).digest();
  }

  isEncryptionAvailable(): boolean {
    return this.backend !== 'unavailable';
  }

  encryptString(plain: string): Buffer {
    if (!this.isEncryptionAvailable()) throw new Error('Encryption is not available');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key(), iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from('v10'), iv, cipher.getAuthTag(), body]);
  }

  decryptString(data: Buffer): string {
    if (data.subarray(0, 3).toString() !== 'v10') throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    const decipher = createDecipheriv('aes-256-gcm', this.key(), data.subarray(3, 15));
    decipher.setAuthTag(data.subarray(15, 31));
    try {
      return Buffer.concat([decipher.update(data.subarray(31)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    }
  }

  /** The same mapping electron/main/vault.ts makes, for core tests that do not load the shell. */
  vault(): SecretVault {
    return {
      protection: (): { level: Protection; backend: string } =>
        this.backend === 'unavailable' ? { level: 'none', backend: 'unavailable' } : { level: this.backend === 'basic_text' ? 'weak' : 'os', backend: this.backend },
      encrypt: (plain) => this.encryptString(plain).toString('base64'),
      decrypt: (cipher) => this.decryptString(Buffer.from(cipher, 'base64')),
    };
  }
}
