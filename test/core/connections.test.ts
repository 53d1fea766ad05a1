// Connection profiles and their keys: stored only as vault ciphertext, in their own file, masked
// for the window; a weak vault needs the operator's choice; a key the keychain cannot decrypt
// asks to be entered again. And the station follows a switch without restarting.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../electron/core/db/sqlite';
import { Settings } from '../../electron/core/settings';
import { checkApiUrl, Connections, ConnectionError, KEYS_FILE, maskKey } from '../../electron/core/connections';
import { Station } from '../../electron/core/station';
import { createHandlers } from '../../electron/contract/handlers';
import { startSandbox, type Sandbox } from '../../electron/sandbox/server';
import { FakeKeychain } from '../support/keychain';
import { tempDir } from '../support/temp';

const KEY = 'live-key-0123456789abcdef';

let dir: string;
let cleanup: () => void;
let db: Db;
let keychain: FakeKeychain;

function connections(options: { vault?: boolean } = {}) {
  return new Connections({ settings: new Settings(db), dataDir: dir, vault: options.vault === false ? null : keychain.vault() });
}

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  db = openDatabase(dir);
  keychain = new FakeKeychain();
});
afterEach(() => {
  db.close();
  cleanup();
});

describe('keys', () => {
  it('are stored only as ciphertext, in a file of their own readable by this user only, and read back', () => {
    const c = connections();
    const result = c.saveKey('spirii-production', KEY);
    expect(result).toMatchObject({ status: 'saved', profile: { id: 'spirii-production', url: 'https://api.spirii.com', key: { state: 'stored', mask: '••••••••cdef', protection: 'os' } } });
    const file = path.join(dir, KEYS_FILE);
    expect(fs.readFileSync(file, 'utf8')).not.toContain(KEY);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(c.readKey('spirii-production')).toEqual({ ok: true, key: KEY });
    // A new instance (the next start) reads it from the file.
    expect(connections().resolve('spirii-production')).toEqual({ kind: 'remote', api: { baseUrl: 'https://api.spirii.com', apiKey: KEY }, problem: null });
    // The view the window gets never has it.
    expect(JSON.stringify(c.view())).not.toContain(KEY);
  });

  it('each profile has its own key', () => {
    const c = connections();
    c.saveKey('spirii-production', KEY);
    c.saveKey('spirii-sandbox', 'sandbox-key-abcdefghijkl');
    expect(c.readKey('spirii-production')).toEqual({ ok: true, key: KEY });
    expect(c.readKey('spirii-sandbox')).toEqual({ ok: true, key: 'sandbox-key-abcdefghijkl' });
    c.forgetKey('spirii-sandbox');
    expect(c.view().profiles.find((p) => p.id === 'spirii-sandbox')!.key).toEqual({ state: 'none' });
    expect(c.readKey('spirii-production').ok).toBe(true);
  });

  it('a key another OS user (or a changed keychain) cannot decrypt means "enter the key again", not a crash', () => {
    connections().saveKey('spirii-production', KEY);
    keychain.user = 'someone-else';
    const c = connections();
    expect(c.readKey('spirii-production')).toEqual({ ok: false, problem: expect.stringMatching(/enter the key again/), code: 'unreadable' });
    expect(c.view().profiles.find((p) => p.id === 'spirii-production')!.key).toMatchObject({ state: 'unreadable' });
    c.setActive('spirii-production');
    const resolved = c.resolve();
    expect(resolved).toMatchObject({ kind: 'remote', api: { baseUrl: 'https://api.spirii.com', apiKey: '' }, problem: expect.stringMatching(/enter the key again/) });
    expect(c.view().problem).toMatch(/enter the key again/);
    // Entering it again fixes it.
    c.saveKey('spirii-production', KEY);
    expect(c.readKey('spirii-production')).toEqual({ ok: true, key: KEY });
  });

  it('a damaged keys file loses the keys, never the app', () => {
    fs.writeFileSync(path.join(dir, KEYS_FILE), '{not json');
    expect(connections().view().profiles.every((p) => p.key.state === 'none')).toBe(true);
  });

  it('with basic_text (Linux without a secret service) nothing is stored until the operator chooses', () => {
    keychain.backend = 'basic_text';
    const c = connections();
    expect(c.saveKey('spirii-sandbox', KEY)).toEqual({ status: 'needs-choice', storage: { level: 'weak', backend: 'basic_text' }, choices: ['store-weak', 'session-only'] });
    expect(fs.existsSync(path.join(dir, KEYS_FILE))).toBe(false);
    expect(c.readKey('spirii-sandbox').ok).toBe(false);

    expect(c.saveKey('spirii-sandbox', KEY, 'session-only')).toMatchObject({ status: 'saved', profile: { key: { state: 'session' } } });
    expect(fs.existsSync(path.join(dir, KEYS_FILE))).toBe(false);
    expect(c.readKey('spirii-sandbox')).toEqual({ ok: true, key: KEY });
    expect(connections().readKey('spirii-sandbox').ok).toBe(false); // gone after a restart

    expect(c.saveKey('spirii-sandbox', KEY, 'store-weak')).toMatchObject({ status: 'saved', profile: { key: { state: 'stored', protection: 'weak', backend: 'basic_text' } } });
    expect(fs.readFileSync(path.join(dir, KEYS_FILE), 'utf8')).not.toContain(KEY);
    expect(connections().readKey('spirii-sandbox')).toEqual({ ok: true, key: KEY });
  });

  it('with no encryption at all, only "this session" is offered', () => {
    keychain.backend = 'unavailable';
    const c = connections();
    expect(c.saveKey('spirii-sandbox', KEY)).toMatchObject({ status: 'needs-choice', choices: ['session-only'] });
    expect(() => c.saveKey('spirii-sandbox', KEY, 'store-weak')).toThrow(ConnectionError);
  });

  it('refuses keys that are not keys, and the built-in sandbox needs none', () => {
    const c = connections();
    expect(() => c.saveKey('spirii-production', 'short')).toThrow(/too short/);
    expect(() => c.saveKey('spirii-production', 'has a space in it')).toThrow(/visible ASCII/);
    expect(() => c.saveKey('builtin-sandbox', KEY)).toThrow(/needs no key/);
    expect(() => c.saveKey('custom', KEY)).toThrow(/custom URL first/);
  });

  it('a custom URL must be https (http only on this computer); changing it forgets its key', () => {
    expect(checkApiUrl('https://api.example.com/')).toBe('https://api.example.com');
    expect(checkApiUrl('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    expect(() => checkApiUrl('http://api.example.com')).toThrow(/https/);
    expect(() => checkApiUrl('https://user:pw@api.example.com')).toThrow(/user name/);
    expect(() => checkApiUrl('ftp://x')).toThrow(/https/);
    expect(() => checkApiUrl('not a url')).toThrow(/Not a URL/);
    const c = connections();
    c.setCustomUrl('https://a.example.com');
    c.saveKey('custom', KEY);
    c.setCustomUrl('https://a.example.com/');
    expect(c.readKey('custom').ok).toBe(true);
    c.setCustomUrl('https://b.example.com');
    expect(c.readKey('custom').ok).toBe(false);
  });

  it('masks show only the last four characters, and only of a long key', () => {
    expect(maskKey(KEY)).toBe('••••••••cdef');
    expect(maskKey('12345678901')).toBe('••••••••');
  });

  it('the CLI (no vault) never reads a stored key: the environment or the built-in sandbox', () => {
    const c = connections();
    c.saveKey('spirii-production', KEY);
    c.setActive('spirii-production');
    expect(connections({ vault: false }).initial()).toEqual({ kind: 'builtin' });
  });
});

describe('switching connection at runtime', () => {
  let remote: Sandbox;
  let station: Station;
  const REMOTE_KEY = 'remote-key-0123456789';

  beforeEach(async () => {
    db.close();
    remote = await startSandbox({ apiKey: REMOTE_KEY, host: '127.0.0.1' });
    station = await Station.create({ dataDir: dir, vault: keychain.vault(), readers: { simulated: true }, sync: { backoff: { baseMs: 50, capMs: 200 } } });
    db = openDatabase(dir); // for afterEach to close; the station has its own
  });
  afterEach(async () => {
    await station.close();
    await remote.close();
  });

  it('the API client, customer directory and sync worker follow the new connection without a restart', async () => {
    const handlers = createHandlers(station, { version: 't', dataDir: dir });
    expect(station.mode).toBe('sandbox');
    const builtin = station.sandbox!;
    station.enrollmentDefaults.update({ customerId: 1001 });
    await handlers['customers.search']({ search: '' });

    await handlers['connections.setUrl']({ url: remote.url });
    expect(await handlers['connections.save']({ id: 'custom', key: REMOTE_KEY })).toMatchObject({ status: 'saved' });
    const view = await handlers['connections.select']({ id: 'custom' });
    expect(view).toMatchObject({ active: 'custom', inUse: { url: remote.url, mode: 'spirii' } });
    expect(station.mode).toBe('spirii');
    expect(station.sandbox).toBeNull();
    expect(await fetch(builtin.url).catch(() => 'closed')).toBe('closed'); // the built-in sandbox was stopped
    expect((await handlers['app.info']({})).sandboxNotice).toBeNull();

    // Customers now come from the new API, and a tap is sent there.
    const before = remote.stats.requests;
    expect((await handlers['customers.search']({ search: 'fjord' })).customers.map((c) => c.id)).toEqual([1003]);
    expect(remote.stats.requests).toBeGreaterThan(before);
    const outcome = station.simulateTap('04A1B2C3D4E5F6');
    expect(outcome.status).toBe('queued');
    await expect.poll(() => remote.tokens().map((t) => t.identifier.uid), { timeout: 10_000 }).toContain('04A1B2C3D4E5F6');

    // And back to the built-in sandbox: started again.
    await handlers['connections.select']({ id: 'builtin-sandbox' });
    expect(station.mode).toBe('sandbox');
    expect(station.sandbox).not.toBeNull();
    expect((await handlers['app.info']({})).sandboxNotice).toMatch(/nothing you enroll here reaches Spirii/);
  });

  it('is refused while tokens for the current API are unsent, so none reaches the wrong one', async () => {
    const handlers = createHandlers(station, { version: 't', dataDir: dir });
    await handlers['connections.setUrl']({ url: remote.url });
    await handlers['connections.save']({ id: 'custom', key: REMOTE_KEY });
    await station.sync.stop();
    station.enrollmentDefaults.update({ customerId: 1001 });
    station.simulateTap('04A1B2C3D4E5F7');
    await expect(handlers['connections.select']({ id: 'custom' })).rejects.toThrow(/1 token\(s\) have not reached .* sync or discard them/);
    expect(station.mode).toBe('sandbox');
    expect(station.connections.active).toBe('builtin-sandbox');
    expect(remote.tokens()).toEqual([]);
  });

  it('a new key for the connection in use is picked up at once; a wrong one pauses sync with the reason', async () => {
    const handlers = createHandlers(station, { version: 't', dataDir: dir });
    await handlers['connections.setUrl']({ url: remote.url });
    await handlers['connections.save']({ id: 'custom', key: 'wrong-key-0123456789' });
    await handlers['connections.select']({ id: 'custom' });
    station.enrollmentDefaults.update({ customerId: 1001 });
    station.simulateTap('04A1B2C3D4E5F8');
    await expect.poll(() => station.sync.status.phase, { timeout: 10_000 }).toBe('paused-auth');
    expect(station.sync.status.lastError).toMatch(/refused the API key/);
    await handlers['connections.save']({ id: 'custom', key: REMOTE_KEY });
    await expect.poll(() => remote.tokens().map((t) => t.identifier.uid), { timeout: 10_000 }).toContain('04A1B2C3D4E5F8');
  });

  it('"test connection" says which step failed: a refused key, an unreachable host', async () => {
    const handlers = createHandlers(station, { version: 't', dataDir: dir });
    const wrong = await handlers['connections.test']({ id: 'custom', url: remote.url, key: 'wrong-key-0123456789' });
    expect(wrong.ok).toBe(false);
    expect(wrong.steps.map((s) => [s.step, s.ok])).toEqual([['reach', true], ['tls', null], ['key', false], ['tokens', null]]);
    expect(wrong.steps[2]!.detail).toMatch(/refused \(401/);
    const right = await handlers['connections.test']({ id: 'custom', url: remote.url, key: REMOTE_KEY });
    expect(right.ok).toBe(true);
    expect(right.steps.at(-1)!.detail).toMatch(/Tokens can be listed \(\d+ in total\)/);
    const port = remote.port;
    await remote.close();
    remote = await startSandbox({ apiKey: REMOTE_KEY, host: '127.0.0.1' });
    const gone = await handlers['connections.test']({ id: 'custom', url: `http://127.0.0.1:${port}`, key: REMOTE_KEY });
    expect(gone.steps.map((s) => [s.step, s.ok])).toEqual([['reach', false], ['tls', null], ['key', null], ['tokens', null]]);
    // The built-in sandbox in use tests fine.
    expect((await handlers['connections.test']({ id: 'builtin-sandbox' })).ok).toBe(true);
  });
});
