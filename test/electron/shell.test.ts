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

const root = path.resolve(import.meta.dirname, '..', '..');

function runShell(scenario: string, dataDir: string) {
  for (const bundle of ['dist/main/index.cjs', 'dist/preload/index.cjs', 'dist/renderer/index.html']) {
    if (!fs.existsSync(path.join(root, bundle))) throw new Error(`${bundle} is missing: run "npm run build" first`);
  }
  const stdout = execFileSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'run-shell.ts'), scenario, dataDir], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
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
  }, 90_000);
  afterAll(() => cleanup());

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
    expect(report.navigation).toEqual({
      willNavigatePrevented: true,
      willRedirectPrevented: true,
      webviewPrevented: true,
      windowOpen: { action: 'deny' },
    });
    expect(report.permissions).toEqual({ requestGranted: false, check: false, device: false });
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

  it('delivers pushed events and unsubscribes cleanly', () => {
    expect(report.received).toEqual([{ phase: 'idle' }]);
    expect(report.listenersWhileSubscribed).toBe(1);
    expect(report.listenersAfterOff).toBe(0);
  });
});
