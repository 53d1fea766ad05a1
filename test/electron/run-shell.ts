/**
 * Loads the built Electron bundles (dist/main/index.cjs, dist/preload/index.cjs) in plain Node with
 * the fake `electron` module, drives them the way Electron would, and prints a JSON report as the
 * last line of stdout. Run by shell.test.ts in a child process: node --import tsx run-shell.ts SCENARIO DATA_DIR
 */
import Module from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as fake from './fake-electron';
import { startSandbox } from '../../electron/sandbox/server';

/** The key the main scenario stores and uses; the test then searches every file for it. */
export const KNOWN_KEY = 'ts-known-key-4f1c9e27b8d05a63';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const [scenarioName, dataDir] = process.argv.slice(2);
fake.scenario.userData = dataDir!;
fake.scenario.logs = dataDir ? path.join(dataDir, 'logs') : '';
if (scenarioName === 'basic-text') fake.scenario.keychain.backend = 'basic_text';
fake.scenario.singleInstanceLock = scenarioName !== 'second-instance';

// Every require('electron') from the bundles gets the fake; record what else they require.
const required: string[] = [];
type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const moduleInternals = Module as unknown as { _load: Load };
const originalLoad = moduleInternals._load;
moduleInternals._load = function (request, parent, isMain) {
  required.push(request);
  if (request === 'electron') return fake;
  return originalLoad.call(this, request, parent, isMain);
};

const requireBundle = Module.createRequire(path.join(root, 'package.json'));

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function protocolCheck(url: string) {
  const handler = fake.record.protocolHandlers.get('app')!;
  const response = await handler(new Request(url) as unknown as GlobalRequest);
  return { status: response.status, csp: response.headers.get('content-security-policy'), body: (await response.text()).slice(0, 200) };
}
type GlobalRequest = Parameters<NonNullable<ReturnType<typeof fake.record.protocolHandlers.get>>>[0];

async function mainScenario() {
  requireBundle('./dist/main/index.cjs');
  const beforeReady = [...fake.record.calls];
  fake.app.makeReady();
  const window = await until(() => fake.record.windows[0], 'the window');
  await until(() => window.loadedUrl ?? undefined, 'loadURL');
  const contents = window.webContents;

  // Electron's navigation events carry the URL on the event (and as an argument, for older listeners).
  const event = (url = '') => ({ url, defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } });
  const navigate = event('https://evil.example/');
  contents.emit('will-navigate', navigate, navigate.url);
  const dropFile = event('file:///home/desk/secret.csv');
  contents.emit('will-navigate', dropFile, dropFile.url);
  const allowedLink = event('https://spirii.com/help');
  contents.emit('will-navigate', allowedLink, allowedLink.url);
  const frame = event('https://evil.example/frame');
  contents.emit('will-frame-navigate', frame);
  const redirect = event('https://evil.example/');
  contents.emit('will-redirect', redirect, redirect.url);
  const webview = event();
  contents.emit('will-attach-webview', webview, {}, {});
  const windowOpen = (url: string) => contents.windowOpenHandler?.({ url } as never);
  const windowOpens = {
    allowed: windowOpen('https://docs.spirii.com/api'),
    http: windowOpen('http://spirii.com/'),
    lookalike: windowOpen('https://spirii.com.evil.example/'),
    userinfo: windowOpen('https://spirii.com@evil.example/'),
    port: windowOpen('https://spirii.com:8443/'),
    javascript: windowOpen('javascript:alert(1)'),
    file: windowOpen('file:///etc/passwd'),
  };

  let granted: boolean | null = null;
  fake.record.permissionRequest?.({} as never, 'media', (g) => (granted = g), {} as never);

  const handler = (name: string) => fake.record.ipcHandlers.get(`station:call:${name}`)!;
  const trusted = fake.invokeEvent(contents, contents.mainFrame);
  const subframe = fake.invokeEvent(contents, { url: 'app://station/index.html' });
  const foreignWindow = new fake.FakeWebContents();
  foreignWindow.mainFrame.url = 'app://station/index.html';
  const foreignOrigin = fake.invokeEvent(contents, contents.mainFrame);
  const savedUrl = contents.mainFrame.url;

  const info = await handler('app.info')(trusted, {});
  const fromSubframe = await handler('app.info')(subframe, {});
  const fromOtherWindow = await handler('app.info')(fake.invokeEvent(foreignWindow, foreignWindow.mainFrame), {});
  contents.mainFrame.url = 'https://evil.example/';
  const fromOtherOrigin = await handler('app.info')(foreignOrigin, {});
  contents.mainFrame.url = savedUrl;
  const invalid = await handler('queue.list')(trusted, { limit: 'all', extra: 1 });
  // What a fresh install starts with; then no hold period, as these taps are about IPC and sync.
  const syncDefaults = await handler('sync.settings')(trusted, {});
  await handler('sync.updateSettings')(trusted, { holdMinutes: 0 });
  await handler('enrollment.update')(trusted, { customerId: 1001 });
  const tap = await handler('readers.simulateTap')(trusted, { uid: '04A224B2C35D80' });
  await new Promise((r) => setTimeout(r, 100));

  // Identify mode ends with the page that set it: a reload (or a crashed renderer) enrolls again.
  const identifyMode = await handler('card.mode')(trusted, { mode: 'identify' });
  const tapWhileIdentifying = await handler('readers.simulateTap')(trusted, { uid: '04C1D2E3F40516' });
  contents.emit('did-start-loading');
  const tapAfterReload = await handler('readers.simulateTap')(trusted, { uid: '04C1D2E3F40516' });
  const identify = { identifyMode, tapWhileIdentifying, tapAfterReload };

  // The handover list as a PDF: printed by webContents.printToPDF, saved where the save dialog says.
  fake.scenario.saveAs = path.join(dataDir!, 'handover.pdf');
  const handoverPdf = await handler('export.handover')(trusted, { kind: 'session' });
  const handover = {
    result: handoverPdf,
    printed: fake.record.printedToPdf,
    dialogs: fake.record.saveDialogs.map((d) => ({ title: d.title, defaultPath: d.defaultPath })),
    written: fs.existsSync(fake.scenario.saveAs) ? fs.readFileSync(fake.scenario.saveAs).toString('latin1') : null,
    fake: fake.FAKE_PDF.toString('latin1'),
  };
  fake.scenario.saveAs = null;
  const handoverCancelled = await handler('export.handover')(trusted, { kind: 'session' });

  // Connections: a custom URL (a sandbox with a required key), its key stored through safeStorage,
  // tested, selected; then the keychain changes under it (another OS user) and the app lives on.
  const server = await startSandbox({ apiKey: KNOWN_KEY, host: '127.0.0.1' });
  const call = (name: string, input: unknown) => handler(name)(trusted, input) as Promise<{ ok: boolean; value?: never; error?: { code: string } }>;
  await until(async () => ((await call('sync.status', {})).value as { counts: { pending: number } } | undefined)?.counts.pending === 0 || undefined, 'the first tap to sync');
  const connections = {
    setUrl: await call('connections.setUrl', { url: server.url }),
    save: await call('connections.save', { id: 'custom', key: KNOWN_KEY }),
    test: await call('connections.test', { id: 'custom' }),
    select: await call('connections.select', { id: 'custom' }),
    info: await call('app.info', {}),
    tap: await call('readers.simulateTap', { uid: '04B1C2D3E4F506' }),
    synced: false,
    list: await call('connections.list', {}),
    otherUser: null as unknown,
    infoAfter: null as unknown,
    syncAfter: null as unknown,
  };
  connections.synced = (await until(() => (server.tokens().some((t) => t.identifier.uid === '04B1C2D3E4F506') ? true : undefined), 'the sandbox to get the token')) === true;
  fake.scenario.keychain.user = 'another-os-user';
  connections.otherUser = (await call('connections.select', { id: 'custom' })).value;
  connections.infoAfter = await call('app.info', {});
  await call('readers.simulateTap', { uid: '04C1C2D3E4F507' });
  connections.syncAfter = await until(async () => {
    const status = (await call('sync.status', {})).value as { phase: string } | undefined;
    return status?.phase === 'paused-auth' ? status : undefined;
  }, 'sync to pause for the key');
  const diagnostics = await call('diagnostics.copy', {});
  const huge = await call('connections.save', { id: 'custom', key: 'k'.repeat(10 * 1024 * 1024) });
  const aliveAfterHuge = await call('app.info', {});
  await server.close();

  const report = {
    beforeReady,
    calls: fake.record.calls,
    windowCount: fake.record.windows.length,
    webPreferences: window.options.webPreferences,
    preloadExists: fs.existsSync(String(window.options.webPreferences?.preload)),
    loadedUrl: window.loadedUrl,
    privilegedSchemes: fake.record.privilegedSchemes,
    protocol: {
      index: await protocolCheck('app://station/index.html'),
      root: await protocolCheck('app://station/'),
      traversal: await protocolCheck('app://station/..%2F..%2Fpackage.json'),
      otherHost: await protocolCheck('app://other/index.html'),
    },
    navigation: {
      willNavigatePrevented: navigate.defaultPrevented,
      willRedirectPrevented: redirect.defaultPrevented,
      webviewPrevented: webview.defaultPrevented,
      windowOpen: contents.windowOpenHandler?.({ url: 'https://evil.example/' } as never),
      droppedFilePrevented: dropFile.defaultPrevented,
      allowedLinkPrevented: allowedLink.defaultPrevented,
      framePrevented: frame.defaultPrevented,
      windowOpens,
      openedExternally: fake.record.openedExternally,
    },
    connections,
    diagnostics,
    clipboard: fake.record.clipboard,
    huge,
    aliveAfterHuge,
    permissions: {
      requestGranted: granted,
      check: fake.record.permissionCheck?.(null, 'media', 'app://station', {} as never),
      device: fake.record.devicePermission?.({} as never),
    },
    ipc: {
      channels: [...fake.record.ipcHandlers.keys()],
      info,
      fromSubframe,
      fromOtherWindow,
      fromOtherOrigin,
      invalid,
      syncDefaults,
      tap,
      eventsSent: contents.sent.map((s) => s.channel),
    },
    handover: { ...handover, cancelled: handoverCancelled, printedAfterCancel: fake.record.printedToPdf.length },
    identify,
    errorBoxes: fake.record.errorBoxes,
  };
  // Quit as Electron would; the shell closes the station (database, sandbox, readers) first.
  const quitDone = new Promise<void>((resolve) => fake.app.once('quit-done', resolve));
  fake.app.quit();
  await Promise.race([quitDone, new Promise((r) => setTimeout(r, 10_000))]);
  return { ...report, quitCompleted: fake.record.calls.filter((c) => c === 'quit').length >= 2 };
}

async function secondInstanceScenario() {
  requireBundle('./dist/main/index.cjs');
  fake.app.makeReady();
  await new Promise((r) => setTimeout(r, 300));
  return { calls: fake.record.calls, windowCount: fake.record.windows.length, ipcHandlers: fake.record.ipcHandlers.size };
}

async function preloadScenario() {
  requireBundle('./dist/preload/index.cjs');
  const api = fake.record.exposed.get('station') as {
    call: (name: string, input: unknown) => Promise<unknown>;
    on: (name: string, listener: (payload: unknown) => void) => () => void;
  };
  const known = await api.call('queue.list', { limit: 5 });
  const unknown = await api.call('fs.readFile', { path: '/etc/passwd' });
  const received: unknown[] = [];
  const off = api.on('sync', (payload) => received.push(payload));
  fake.ipcRenderer.emitFromMain('station:event:sync', { phase: 'idle' });
  const listenersWhileSubscribed = fake.ipcRenderer.listenerCount('station:event:sync');
  off();
  let unknownEvent: string | null = null;
  try {
    api.on('everything', () => {});
  } catch (error) {
    unknownEvent = (error as Error).message;
  }
  return {
    exposedKeys: [...fake.record.exposed.keys()],
    apiKeys: Object.keys(api).sort(),
    invoked: fake.record.invoked,
    known,
    unknown,
    received,
    listenersWhileSubscribed,
    listenersAfterOff: fake.ipcRenderer.listenerCount('station:event:sync'),
    unknownEvent,
    required: [...new Set(required)],
  };
}

/** Linux without a secret service: safeStorage says basic_text, and nothing is stored without a choice. */
async function basicTextScenario() {
  requireBundle('./dist/main/index.cjs');
  fake.app.makeReady();
  const window = await until(() => fake.record.windows[0], 'the window');
  await until(() => window.loadedUrl ?? undefined, 'loadURL');
  const trusted = fake.invokeEvent(window.webContents, window.webContents.mainFrame);
  const call = (name: string, input: unknown) => fake.record.ipcHandlers.get(`station:call:${name}`)!(trusted, input);
  const report = {
    first: await call('connections.save', { id: 'spirii-sandbox', key: KNOWN_KEY }),
    keysFileAfterFirst: fs.existsSync(path.join(dataDir!, 'connection-keys.json')),
    weak: await call('connections.save', { id: 'spirii-sandbox', key: KNOWN_KEY, choice: 'store-weak' }),
    session: await call('connections.save', { id: 'spirii-production', key: KNOWN_KEY + 'x', choice: 'session-only' }),
    list: await call('connections.list', {}),
  };
  const quitDone = new Promise<void>((resolve) => fake.app.once('quit-done', resolve));
  fake.app.quit();
  await Promise.race([quitDone, new Promise((r) => setTimeout(r, 10_000))]);
  return report;
}

const scenarios: { [name: string]: () => Promise<unknown> } = { main: mainScenario, 'basic-text': basicTextScenario, 'second-instance': secondInstanceScenario, preload: preloadScenario };
const report = await scenarios[scenarioName!]!();
process.stdout.write('\n' + JSON.stringify(report) + '\n');
process.exit(0);
