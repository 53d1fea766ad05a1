/**
 * Connection profiles: the built-in sandbox, Spirii production, Spirii's sandbox and a custom URL,
 * each with its own API key. Keys are kept only as ciphertext made by a SecretVault (in the app:
 * Electron's safeStorage, i.e. the OS keychain / DPAPI / libsecret), in their own file beside the
 * database, never in the database itself. The window only ever sees a mask. When the vault can
 * only obfuscate (Linux with no secret service: safeStorage's 'basic_text'), nothing is stored
 * until the operator explicitly chooses how to proceed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { ApiConnection } from './api/client';
import { DEFAULT_API_URL } from './config';
import { registerSecret } from './logger';
import type { Settings } from './settings';

export const PROFILE_IDS = ['builtin-sandbox', 'spirii-production', 'spirii-sandbox', 'custom'] as const;
export type ProfileId = (typeof PROFILE_IDS)[number];

export const SPIRII_SANDBOX_URL = 'https://sandbox.api.spirii.com';

/** How well the vault protects what it encrypts. */
export type Protection =
  /** The OS keychain (macOS Keychain, Windows DPAPI, libsecret/KWallet): tied to this OS user. */
  | 'os'
  /** Linux without a secret service: ciphertext with a key anyone with the file can derive. */
  | 'weak'
  /** No encryption at all is available. */
  | 'none';

/** The port the core stores keys through. The Electron implementation is electron/main/vault.ts. */
export interface SecretVault {
  /** Checked each time: the OS keychain may come and go (a locked session, a new desktop). */
  protection(): { level: Protection; backend: string };
  /** Base64 ciphertext. Throws if it cannot encrypt. */
  encrypt(plain: string): string;
  /** Throws if the ciphertext cannot be decrypted (another OS user, a changed keychain). */
  decrypt(cipher: string): string;
}

/** What the operator may choose when the vault is not the OS keychain. */
export type WeakStorageChoice =
  /** Store it anyway through safeStorage's basic_text obfuscation, knowing it is not protected. */
  | 'store-weak'
  /** Keep it in memory only: it is asked again after every restart. */
  | 'session-only';

export const KEYS_FILE = 'connection-keys.json';

interface StoredKey {
  cipher: string;
  /** The protection it was stored with: 'weak' is shown as a warning for as long as it lasts. */
  protection: Exclude<Protection, 'none'>;
  backend: string;
  mask: string;
  savedAt: string;
}

interface ProfileSettings {
  active: ProfileId;
  customUrl: string | null;
}

const SETTINGS_KEY = 'connections';
const DEFAULT_SETTINGS: ProfileSettings = { active: 'builtin-sandbox', customUrl: null };

/** The key's state as the window sees it: never the key itself. */
export type KeyState =
  | { state: 'none' }
  | { state: 'stored'; mask: string; protection: 'os' | 'weak'; backend: string; savedAt: string }
  | { state: 'session'; mask: string }
  /** Stored, but this OS user's keychain cannot decrypt it: the operator must enter it again. */
  | { state: 'unreadable'; savedAt: string };

export interface ProfileView {
  id: ProfileId;
  url: string | null;
  needsKey: boolean;
  key: KeyState;
}

export interface ConnectionsView {
  active: ProfileId;
  /** The connection really in use, which differs from `active` only when the environment sets it. */
  inUse: { url: string; mode: 'spirii' | 'sandbox'; source: 'profile' | 'environment' };
  profiles: ProfileView[];
  storage: { level: Protection; backend: string };
  /** The active profile cannot be used until a key is entered. */
  problem: string | null;
  /** The same, as data for a window that words it in its own language. */
  problemDetail: KeyProblem | null;
}

/** Why a profile's key cannot be used (the `problem` text is the English). */
export type KeyProblem = { key: 'no-custom-url' | 'no-key' | 'app-only' | 'unreadable'; params: Record<string, never> };

export type KeySaveResult =
  | { status: 'saved'; profile: ProfileView }
  /** The vault is not the OS keychain: nothing was stored; ask the operator and call again with a choice. */
  | { status: 'needs-choice'; storage: { level: Protection; backend: string }; choices: WeakStorageChoice[] };

export class ConnectionError extends Error {}

/** A mask that says which key it is without giving it away: the last four characters of a long key only. */
export function maskKey(key: string): string {
  return key.length >= 16 ? `••••••••${key.slice(-4)}` : '••••••••';
}

/** Loopback hosts may use plain http (a local sandbox); anything else must be https. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function checkApiUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConnectionError(`Not a URL: ${raw.slice(0, 200)}`);
  }
  if (url.username || url.password) throw new ConnectionError('The URL must not contain a user name or password: use the API key field.');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw new ConnectionError('The URL must start with https:// (plain http only for a server on this computer).');
  }
  if (url.search || url.hash) throw new ConnectionError('The URL must not have a query or fragment.');
  return url.href.replace(/\/+$/, '');
}

export const apiKeySchema = z
  .string()
  .min(8, 'The key is too short')
  .max(512, 'The key is too long')
  .regex(/^[\x21-\x7e]+$/, 'The key may only contain visible ASCII characters (no spaces)');

export interface ConnectionsOptions {
  settings: Settings;
  dataDir: string;
  /** null: no vault (the CLI, which takes its key only from the environment). */
  vault: SecretVault | null;
  /** A connection fixed by the environment (TOKEN_STATION_API_KEY): it wins over the profiles. */
  fixed?: ApiConnection;
}

/** The built-in sandbox is not a URL here: the station starts it, on a port of its choosing. */
export type ResolvedConnection = { kind: 'builtin' } | { kind: 'remote'; api: ApiConnection; problem: string | null; problemDetail?: KeyProblem };

export class Connections {
  private readonly file: string;
  private readonly session = new Map<ProfileId, string>();
  private inUse: ConnectionsView['inUse'] = { url: '', mode: 'sandbox', source: 'profile' };

  constructor(private readonly options: ConnectionsOptions) {
    this.file = path.join(options.dataDir, KEYS_FILE);
    if (options.fixed) registerSecret(options.fixed.apiKey);
  }

  get fixed(): ApiConnection | undefined {
    return this.options.fixed;
  }

  get active(): ProfileId {
    return this.profileSettings().active;
  }

  /** Where a profile points (null for the built-in sandbox, or a custom profile with no URL yet). */
  url(id: ProfileId): string | null {
    if (id === 'builtin-sandbox') return null;
    if (id === 'spirii-production') return DEFAULT_API_URL;
    if (id === 'spirii-sandbox') return SPIRII_SANDBOX_URL;
    return this.profileSettings().customUrl;
  }

  /** What the station should connect to for a profile; a missing or unreadable key is a problem, not an error. */
  resolve(id: ProfileId = this.active): ResolvedConnection {
    if (id === 'builtin-sandbox') return { kind: 'builtin' };
    const url = this.url(id);
    if (!url) return { kind: 'remote', api: { baseUrl: 'https://invalid.invalid', apiKey: '' }, problem: 'Enter the custom URL in Settings → Connection.', problemDetail: { key: 'no-custom-url', params: {} } };
    const key = this.readKey(id);
    if (key.ok) return { kind: 'remote', api: { baseUrl: url, apiKey: key.key }, problem: null };
    return { kind: 'remote', api: { baseUrl: url, apiKey: '' }, problem: key.problem, problemDetail: { key: key.code, params: {} } };
  }

  /** The connection the station starts with: the environment's, else the active profile's. */
  initial(): ResolvedConnection {
    if (this.options.fixed) return { kind: 'remote', api: this.options.fixed, problem: null };
    // Without a vault (the CLI), stored keys cannot be read: the environment or the built-in sandbox.
    if (!this.options.vault) return { kind: 'builtin' };
    return this.resolve();
  }

  /** Told by the station what it actually uses, for the view. */
  noteInUse(url: string, mode: 'spirii' | 'sandbox'): void {
    this.inUse = { url, mode, source: this.options.fixed ? 'environment' : 'profile' };
  }

  view(): ConnectionsView {
    const active = this.active;
    const resolved = this.options.fixed ? null : this.resolve(active);
    return {
      active,
      inUse: this.inUse,
      profiles: PROFILE_IDS.map((id) => this.profileView(id)),
      storage: this.storage(),
      problem: resolved?.kind === 'remote' ? resolved.problem : null,
      problemDetail: resolved?.kind === 'remote' && resolved.problem !== null ? (resolved.problemDetail ?? null) : null,
    };
  }

  storage(): { level: Protection; backend: string } {
    return this.options.vault?.protection() ?? { level: 'none', backend: 'none' };
  }

  setCustomUrl(url: string): void {
    const checked = checkApiUrl(url);
    const settings = this.profileSettings();
    if (settings.customUrl !== checked) {
      // A key belongs to the server it was entered for.
      this.forgetKey('custom');
      this.options.settings.set(SETTINGS_KEY, { ...settings, customUrl: checked });
    }
  }

  /**
   * Store a profile's key. With the OS keychain it is encrypted and written; otherwise nothing is
   * stored until the operator has chosen (`choice`) between storing it weakly and this session only.
   */
  saveKey(id: ProfileId, key: string, choice?: WeakStorageChoice): KeySaveResult {
    if (id === 'builtin-sandbox') throw new ConnectionError('The built-in sandbox needs no key.');
    const parsed = apiKeySchema.safeParse(key);
    if (!parsed.success) throw new ConnectionError(parsed.error.issues[0]!.message);
    if (id === 'custom' && !this.profileSettings().customUrl) throw new ConnectionError('Enter the custom URL first.');
    registerSecret(key);
    const storage = this.storage();
    if (storage.level !== 'os' && choice === undefined) {
      return { status: 'needs-choice', storage, choices: storage.level === 'weak' ? ['store-weak', 'session-only'] : ['session-only'] };
    }
    if (storage.level !== 'os' && choice === 'session-only') {
      this.removeStored(id);
      this.session.set(id, key);
      return { status: 'saved', profile: this.profileView(id) };
    }
    if (storage.level === 'none') throw new ConnectionError('This computer cannot encrypt the key: keep it for this session only.');
    let cipher: string;
    try {
      cipher = this.options.vault!.encrypt(key);
    } catch (error) {
      throw new ConnectionError(`The key could not be encrypted: ${error instanceof Error ? error.message : String(error)}`);
    }
    const keys = this.readFile();
    keys[id] = { cipher, protection: storage.level as 'os' | 'weak', backend: storage.backend, mask: maskKey(key), savedAt: new Date().toISOString() };
    this.writeFile(keys);
    this.session.delete(id);
    return { status: 'saved', profile: this.profileView(id) };
  }

  forgetKey(id: ProfileId): void {
    this.session.delete(id);
    this.removeStored(id);
  }

  /** Make a profile the active one (the caller has already switched the station over). */
  setActive(id: ProfileId): void {
    this.options.settings.set(SETTINGS_KEY, { ...this.profileSettings(), active: id });
  }

  /** The key for a profile: from this session, else decrypted from the file. */
  readKey(id: ProfileId): { ok: true; key: string } | { ok: false; problem: string; code: KeyProblem['key'] } {
    const inSession = this.session.get(id);
    if (inSession) return { ok: true, key: inSession };
    const stored = this.readFile()[id];
    if (!stored) return { ok: false, problem: 'No API key for this connection: enter it in Settings → Connection.', code: 'no-key' };
    if (!this.options.vault) return { ok: false, problem: 'The stored key can only be read by the Token Station app.', code: 'app-only' };
    try {
      const key = this.options.vault.decrypt(stored.cipher);
      registerSecret(key);
      return { ok: true, key };
    } catch {
      return { ok: false, problem: 'The stored API key cannot be read on this computer or by this user (the keychain changed): enter the key again.', code: 'unreadable' };
    }
  }

  private profileView(id: ProfileId): ProfileView {
    return { id, url: this.url(id), needsKey: id !== 'builtin-sandbox', key: this.keyState(id) };
  }

  private keyState(id: ProfileId): KeyState {
    const inSession = this.session.get(id);
    if (inSession) return { state: 'session', mask: maskKey(inSession) };
    const stored = this.readFile()[id];
    if (!stored) return { state: 'none' };
    const read = this.readKey(id);
    if (!read.ok) return { state: 'unreadable', savedAt: stored.savedAt };
    return { state: 'stored', mask: stored.mask, protection: stored.protection, backend: stored.backend, savedAt: stored.savedAt };
  }

  private profileSettings(): ProfileSettings {
    const value = this.options.settings.get<Partial<ProfileSettings>>(SETTINGS_KEY, DEFAULT_SETTINGS);
    const active = (PROFILE_IDS as readonly string[]).includes(value.active ?? '') ? value.active! : 'builtin-sandbox';
    return { active, customUrl: typeof value.customUrl === 'string' ? value.customUrl : null };
  }

  private removeStored(id: ProfileId): void {
    const keys = this.readFile();
    if (!(id in keys)) return;
    delete keys[id];
    this.writeFile(keys);
  }

  private readFile(): Partial<Record<ProfileId, StoredKey>> {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch {
      return {};
    }
    try {
      const parsed = JSON.parse(text) as unknown;
      return parsed && typeof parsed === 'object' ? (parsed as Partial<Record<ProfileId, StoredKey>>) : {};
    } catch {
      // A damaged file loses the keys (they are asked again), never the app.
      return {};
    }
  }

  /** Written whole (tmp + rename), readable by this OS user only. */
  private writeFile(keys: Partial<Record<ProfileId, StoredKey>>): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(keys, null, 2), { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }
}
