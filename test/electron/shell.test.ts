// The Electron shell, verified as far as it can be without the Electron binary (which cannot be
// downloaded here): the built main and preload bundles run in Node against a fake `electron`
// module typed with the real Electron types (fake-electron.ts), in a child process each.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../electron/contract/csp';
import { CALL_NAMES } from '../../electron/contract/contract';
import { tempDir } from '../support/temp';
import { filesContaining } from '../support/secrets';

/** Kept in step with run-shell.ts (which cannot be imported here: it runs its scenario on import). */
const KNOWN_KEY = 'ts-known-key-4f1c9e27b8d05a63';

const root = path.resolve(import.meta.dirname, '..', '..');
/** The preload's size budget (minified); `npm run bench` prints the figure. */
const PRELOAD_BUDGET_BYTES = 40 * 1024;

function runShell(scenario: string, dataDir: string) {
  for (const bundle of ['dist/main/index.cjs', 'dist/preload/index.cjs', 'dist/renderer/index.html']) {
    if (!fs.existsSync(path.join(root, bundle))) throw new Error(`${bundle} is missing: run "npm run build" first`);
  }
  const stdout = execFileSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'run-shell.ts'), scenario, dataDir], {
    cwd: root,
    encoding: 'utf8',
    timeout: 150_000,
    env: { ...process.env, TOKEN_STATION_API_KEY: '', TOKEN_STATION_API_URL: '', TOKEN_STATION_DATA_DIR: '' },
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

describe('Electron main process', () => {
  let report: ReturnType<typeof runShell>;
  let cleanup: () => void;
  let dir: string;
  beforeAll(() => {
    ({ dir, cleanup } = tempDir());
    report = runShell('main', dir);
  }, 180_000);
  afterAll(() => cleanup?.());

  it('takes the single-instance lock and enables the sandbox before anything else', () => {
    expect(report.beforeReady).toEqual(['requestSingleInstanceLock', 'enableSandbox']);
  });

  it('creates exactly one window, isolated, sandboxed and without Node', () => {
    expect(report.windowCount).toBe(1);
    expect(report.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
    });
    expect(report.webPreferences.preload).toBe(path.join(root, 'dist/preload/index.cjs'));
    expect(report.preloadExists).toBe(true);
    expect(report.loadedUrl).toBe('app://station/index.html');
  });

  it('lets the window play the tap tones before anyone has clicked or typed (the first tap is heard)', () => {
    expect(report.webPreferences.autoplayPolicy).toBe('no-user-gesture-required');
  });

  it('starts a fresh install with a hold period of 2 minutes, so a tap can be undone at the desk', () => {
    expect(report.ipc.syncDefaults).toMatchObject({ ok: true, value: { holdMinutes: 2 } });
  });

  it('serves the renderer from app:// with a strict CSP, and nothing outside it', () => {
    expect(report.privilegedSchemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
    const { index, root: slash, traversal, otherHost } = report.protocol;
    expect(index.status).toBe(200);
    expect(index.body).toMatch(/<!doctype html>/i);
    expect(slash.status).toBe(200);
    expect(index.csp).toBe(contentSecurityPolicy());
    expect(index.csp).toContain("default-src 'none'");
    expect(index.csp).toContain("script-src 'self'");
    expect(index.csp).not.toMatch(/unsafe-eval|unsafe-inline|\*/);
    expect(traversal.status).toBe(404);
    expect(otherHost.status).toBe(404);
  });

  it('denies navigation, new windows, webviews and every permission', () => {
    expect(report.navigation).toMatchObject({
      willNavigatePrevented: true,
      willRedirectPrevented: true,
      webviewPrevented: true,
      windowOpen: { action: 'deny' },
      droppedFilePrevented: true,
      framePrevented: true,
    });
    expect(report.permissions).toEqual({ requestGranted: false, check: false, device: false });
  });

  it('opens only https links to allow-listed hosts, in the OS browser, never in the app', () => {
    const { windowOpens, openedExternally, allowedLinkPrevented } = report.navigation;
    for (const answer of Object.values(windowOpens)) expect(answer).toEqual({ action: 'deny' });
    expect(allowedLinkPrevented).toBe(true);
    expect(openedExternally).toEqual(['https://spirii.com/help', 'https://docs.spirii.com/api']);
  });

  it('registers one handler per contract call and answers only the app window', () => {
    expect(report.ipc.channels.sort()).toEqual(CALL_NAMES.map((n) => `station:call:${n}`).sort());
    expect(report.ipc.info).toMatchObject({ ok: true, value: { mode: 'sandbox', sandboxNotice: expect.stringMatching(/nothing .* reaches Spirii/) } });
    for (const refused of [report.ipc.fromSubframe, report.ipc.fromOtherWindow, report.ipc.fromOtherOrigin]) {
      expect(refused).toEqual({ ok: false, error: { code: 'transport', message: 'Refused: not the app window' } });
    }
  });

  it('validates inputs, and a tap through IPC is queued and pushed to the window', () => {
    expect(report.ipc.invalid).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/^queue\.list: limit/) } });
    expect(report.ipc.tap).toMatchObject({ ok: true, value: { status: 'queued', token: { uid: '04A224B2C35D80', customerId: 1001, state: 'pending' } } });
    expect(report.ipc.eventsSent).toEqual(expect.arrayContaining(['station:event:tap', 'station:event:queue']));
  });

  it('ends identify mode when the window reloads: taps enroll again', () => {
    const { identifyMode, tapWhileIdentifying, tapAfterReload } = report.identify;
    expect(identifyMode).toEqual({ ok: true, value: { mode: 'identify' } });
    expect(tapWhileIdentifying).toMatchObject({ ok: false, error: { message: expect.stringMatching(/identifying cards/) } });
    expect(tapAfterReload).toMatchObject({ ok: true, value: { status: 'queued', token: { uid: '04C1D2E3F40516' } } });
  });

  it('prints the handover list with webContents.printToPDF (A4) to the file chosen in the save dialog, and prints nothing when it is cancelled', () => {
    const h = report.handover;
    expect(h.dialogs[0]).toEqual({ title: 'Save the handover list as PDF', defaultPath: expect.stringMatching(/token-station-handover-session-\d{4}-\d\d-\d\d\.pdf$/) });
    expect(h.printed).toEqual([expect.objectContaining({ pageSize: 'A4', printBackground: true })]);
    expect(h.written).toBe(h.fake);
    expect(h.result).toEqual({ ok: true, value: expect.objectContaining({ status: 'done', fileName: 'handover.pdf', rows: 2, bytes: h.fake.length }) });
    expect(h.cancelled).toEqual({ ok: true, value: { status: 'cancelled' } });
    expect(h.printedAfterCancel).toBe(1);
  });

  it('stores a key through safeStorage, tests it step by step, and switches to it without a restart', () => {
    const c = report.connections;
    expect(c.setUrl.ok).toBe(true);
    expect(c.save).toMatchObject({ ok: true, value: { status: 'saved', profile: { id: 'custom', key: { state: 'stored', protection: 'os', mask: '••••••••5a63' } } } });
    expect(c.test.value.steps.map((s: { step: string; ok: boolean | null }) => [s.step, s.ok])).toEqual([
      ['reach', true],
      ['tls', null],
      ['key', true],
      ['tokens', true],
    ]);
    expect(c.select).toMatchObject({ ok: true, value: { active: 'custom', inUse: { mode: 'spirii', source: 'profile' } } });
    expect(c.info.value).toMatchObject({ mode: 'spirii', sandboxNotice: null });
    expect(c.info.value.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(c.tap).toMatchObject({ ok: true, value: { status: 'queued' } });
    expect(c.synced).toBe(true);
  });

  it('never gives the key to the window: answers carry a mask only', () => {
    expect(JSON.stringify(report.connections)).not.toContain(KNOWN_KEY);
    expect(JSON.stringify(report.diagnostics)).not.toContain(KNOWN_KEY);
  });

  it('asks for the key again when the keychain cannot decrypt it, and keeps running', () => {
    const custom = report.connections.otherUser.profiles.find((p: { id: string }) => p.id === 'custom');
    expect(custom.key.state).toBe('unreadable');
    expect(report.connections.otherUser.problem).toMatch(/enter the key again/);
    expect(report.connections.infoAfter).toMatchObject({ ok: true });
    expect(report.connections.syncAfter).toMatchObject({ phase: 'paused-auth', lastError: expect.stringMatching(/enter the key again/) });
  });

  it('copies diagnostics to the clipboard through the shell: version, OS, readers, errors, no key', () => {
    expect(report.diagnostics).toMatchObject({ ok: true, value: { copied: true } });
    const text: string = report.clipboard[0];
    expect(text).toBe(report.diagnostics.value.text);
    expect(text).toContain('Token Station 0.0.0-test diagnostics');
    expect(text).toMatch(/OS: .*linux/);
    expect(text).toMatch(/Readers: Simulated reader/i);
    expect(text).toMatch(/cannot be decrypted here: must be entered again/);
    expect(text).toMatch(/Recent warnings and errors \([1-9]/);
  });

  it('refuses a 10 MB input with a typed error and lives on', () => {
    expect(report.huge).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(report.aliveAfterHuge).toMatchObject({ ok: true });
  });

  it('writes its log (electron-log) to the OS log folder, redacted: the key is in no file it wrote', () => {
    const log = fs.readFileSync(path.join(dir, 'logs', 'main.log'), 'utf8');
    expect(log).toMatch(/Token Station 0\.0\.0-test starting/);
    expect(log).toMatch(/Connection switched/);
    expect(filesContaining(dir, KNOWN_KEY)).toEqual([]);
    // The search can find it: the same search over a file holding it reports that file.
    fs.writeFileSync(path.join(dir, 'probe.txt'), `x${KNOWN_KEY}x`);
    expect(filesContaining(dir, KNOWN_KEY)).toEqual([path.join(dir, 'probe.txt')]);
    fs.rmSync(path.join(dir, 'probe.txt'));
  });

  it('starts no crash reporter, so no minidump of its memory (which holds the key) is written or sent', () => {
    const bundle = fs.readFileSync(path.join(root, 'dist/main/index.cjs'), 'utf8');
    expect(bundle).toContain('safeStorage'); // the bundle is the one with the shell in it
    expect(bundle).not.toMatch(/crashReporter/);
  });

  it('closes the station before quitting, and showed no error', () => {
    expect(report.quitCompleted).toBe(true);
    expect(report.errorBoxes).toEqual([]);
  });
});

describe('a second instance', () => {
  it('quits at once without a window or IPC, leaving the desk to the first', () => {
    const { dir, cleanup } = tempDir();
    try {
      const report = runShell('second-instance', dir);
      expect(report.calls).toEqual(['requestSingleInstanceLock', 'quit']);
      expect(report.windowCount).toBe(0);
      expect(report.ipcHandlers).toBe(0);
    } finally {
      cleanup();
    }
  }, 60_000);
});

describe('a Linux desk without a secret service (safeStorage: basic_text)', () => {
  let report: ReturnType<typeof runShell>;
  let cleanup: () => void;
  let dir: string;
  beforeAll(() => {
    ({ dir, cleanup } = tempDir());
    report = runShell('basic-text', dir);
  }, 180_000);
  afterAll(() => cleanup?.());

  it('stores nothing until the operator chooses, and then says how the key is kept', () => {
    expect(report.first).toMatchObject({ ok: true, value: { status: 'needs-choice', storage: { level: 'weak', backend: 'basic_text' }, choices: ['store-weak', 'session-only'] } });
    expect(report.keysFileAfterFirst).toBe(false);
    expect(report.weak).toMatchObject({ ok: true, value: { status: 'saved', profile: { key: { state: 'stored', protection: 'weak', backend: 'basic_text' } } } });
    expect(report.session).toMatchObject({ ok: true, value: { status: 'saved', profile: { key: { state: 'session' } } } });
    expect(report.list.value.storage).toEqual({ level: 'weak', backend: 'basic_text' });
    expect(filesContaining(dir, KNOWN_KEY)).toEqual([]);
  });
});

describe('preload', () => {
  let report: ReturnType<typeof runShell>;
  beforeAll(() => {
    report = runShell('preload', '');
  }, 60_000);

  it('exposes only window.station with call and on, and requires nothing but electron', () => {
    expect(report.exposedKeys).toEqual(['station']);
    expect(report.apiKeys).toEqual(['call', 'on']);
    expect(report.required).toEqual(['./dist/preload/index.cjs', 'electron']);
  });

  it("forwards the contract's calls to their channel, and refuses any other name without IPC", () => {
    expect(report.invoked).toEqual([{ channel: 'station:call:queue.list', args: [{ limit: 5 }] }]);
    expect(report.known).toEqual({ ok: true, value: { echoed: 'station:call:queue.list' } });
    expect(report.unknown).toMatchObject({ ok: false, error: { code: 'unknown-call' } });
    expect(report.unknownEvent).toMatch(/No such event/);
  });

  it('stays small: it carries the call and event names, not the schemas that validate them in the main process', () => {
    // A budget, not a timing: every window loads this file before its first paint.
    const bytes = fs.statSync(path.join(root, 'dist/preload/index.cjs')).size;
    expect(bytes).toBeLessThan(PRELOAD_BUDGET_BYTES);
  });

  it('delivers pushed events and unsubscribes cleanly', () => {
    expect(report.received).toEqual([{ phase: 'idle' }]);
    expect(report.listenersWhileSubscribed).toBe(1);
    expect(report.listenersAfterOff).toBe(0);
  });
});
