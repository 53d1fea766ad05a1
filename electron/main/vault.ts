/**
 * The SecretVault on Electron's safeStorage: macOS Keychain, Windows DPAPI, and on Linux libsecret
 * or KWallet. When Linux has no secret service, safeStorage falls back to 'basic_text' (a fixed,
 * public key): the vault says so ('weak'), and the core asks the operator before storing anything.
 */
import { safeStorage } from 'electron';
import type { Protection, SecretVault } from '../core/connections';

export function electronVault(platform: NodeJS.Platform = process.platform): SecretVault {
  return {
    protection(): { level: Protection; backend: string } {
      if (!safeStorage.isEncryptionAvailable()) return { level: 'none', backend: 'unavailable' };
      if (platform === 'linux') {
        const backend = safeStorage.getSelectedStorageBackend();
        return { level: backend === 'basic_text' || backend === 'unknown' ? 'weak' : 'os', backend };
      }
      return { level: 'os', backend: platform === 'darwin' ? 'macOS Keychain' : platform === 'win32' ? 'Windows DPAPI' : platform };
    },
    encrypt: (plain) => safeStorage.encryptString(plain).toString('base64'),
    decrypt: (cipher) => safeStorage.decryptString(Buffer.from(cipher, 'base64')),
  };
}
