/**
 * The Electron main process: the composition root, and deliberately thin. Everything it does to
 * the core goes through the contract; everything else it does is window and OS plumbing.
 */
import { app, BrowserWindow, clipboard, dialog } from 'electron';
import path from 'node:path';
import { Station } from '../core/station';
import { createHandlers, forwardEvents } from '../contract/handlers';
import { configFromEnv } from '../core/config';
import { nativeAddonPath } from '../core/native';
import { registerIpc, sendEvent } from './ipc';
import { createMainWindow, denyAllPermissions, lockDown, registerAppScheme, serveRenderer } from './window';
import type { FileDialogs } from '../core/io/dialogs';
import { electronVault } from './vault';
import { createMainLog, type MainLog } from './log';

// dist/main/index.cjs -> the project (or the packaged app's) root.
const root = path.resolve(__dirname, '..', '..');
/** The hold period a fresh install of the desk app starts with (README: Sync). */
const DESK_HOLD_MINUTES = 2;
let window: BrowserWindow | null = null;
let station: Station | null = null;
let mainLog: MainLog | null = null;

function log(message: string): void {
  if (mainLog) mainLog.logger.warn(message);
  else console.error(`[token-station] ${message}`);
}

/** Import/export files are chosen here, in the OS's dialogs: the window never names a path itself. */
const fileDialogs: FileDialogs = {
  pickOpenFile: async ({ title, filters }) => {
    const options = { title, filters, properties: ['openFile' as const] };
    const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
    return result.canceled ? null : (result.filePaths[0] ?? null);
  },
  pickSaveFile: async ({ title, defaultName, filters }) => {
    const options = { title, filters, defaultPath: path.join(app.getPath('documents'), defaultName) };
    const result = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
    return result.canceled ? null : (result.filePath ?? null);
  },
};

function showWindow(): void {
  if (!window) return;
  if (window.isMinimized()) window.restore();
  window.focus();
}

async function start(): Promise<void> {
  mainLog = createMainLog(app.getPath('logs'), { console: !app.isPackaged });
  const logger = mainLog.logger;
  logger.info(`Token Station ${app.getVersion()} starting`, { electron: process.versions.electron, platform: process.platform });
  process.on('unhandledRejection', (reason) => logger.error('Unhandled rejection', { reason: reason instanceof Error ? reason : String(reason) }));
  denyAllPermissions();
  serveRenderer(path.join(root, 'dist', 'renderer'));
  const config = configFromEnv({ ...process.env, TOKEN_STATION_DATA_DIR: process.env.TOKEN_STATION_DATA_DIR || app.getPath('userData') });
  // No crashReporter is started: no minidump (which could hold a key from memory) is written or sent.
  station = await Station.create({
    dataDir: config.dataDir,
    api: config.api,
    vault: electronVault(),
    logger,
    // Reader errors (with their PC/SC codes) into the same redacted log.
    log: (line) => logger.warn(line),
    readers: { pcsc: true, hid: true, simulated: true },
    native: { sqlite: nativeAddonPath('sqlite', root), pcsc: nativeAddonPath('pcsc', root) },
    userAgent: `TokenStation/${app.getVersion()}`,
    dialogs: fileDialogs,
    // A desk's mistakes are found in the first minute (wrong customer, wrong card): two minutes on
    // this computer make Ctrl+Z useful before Spirii, which can never change a label or reuse a UID.
    syncDefaults: { holdMinutes: DESK_HOLD_MINUTES },
  });
  const current = station;
  const host = {
    version: app.getVersion(),
    dataDir: config.dataDir,
    runtime: { electron: process.versions.electron ?? '?', chrome: process.versions.chrome ?? '?', node: process.versions.node },
    logFolder: app.getPath('logs'),
    recentErrors: () => mainLog?.recent.list() ?? [],
    copyText: (text: string) => clipboard.writeText(text),
    // The handover list as the window shows it, printed with its print stylesheet (A4, no headers).
    printToPdf: async () => {
      if (!window) throw new Error('There is no window to print.');
      return window.webContents.printToPDF({ pageSize: 'A4', printBackground: true, margins: { top: 0.6, bottom: 0.6, left: 0.6, right: 0.6 } });
    },
  };
  registerIpc(createHandlers(current, host), () => window?.webContents ?? null, log);
  forwardEvents(current, (name, payload) => sendEvent(window?.webContents ?? null, name, payload));
  window = createMainWindow(path.join(root, 'dist', 'preload', 'index.cjs'));
  window.on('closed', () => (window = null));
  // Identify mode belongs to the page that asked for it (the Cards screen): a reload or a crashed
  // renderer must never leave the desk deaf to enrollment taps.
  window.webContents.on('did-start-loading', () => current.taps.setMode('enroll'));
  window.webContents.on('render-process-gone', () => current.taps.setMode('enroll'));
}

if (!app.requestSingleInstanceLock()) {
  // Another Token Station owns the database and the readers: hand over to it.
  app.quit();
} else {
  registerAppScheme();
  app.enableSandbox();
  app.on('second-instance', showWindow);
  app.on('web-contents-created', (_event, contents) => lockDown(contents, log));
  app.on('window-all-closed', () => app.quit());
  let closing = false;
  app.on('will-quit', (event) => {
    if (!station || closing) return;
    // Let the queue's database close cleanly before the process ends.
    event.preventDefault();
    closing = true;
    void station.close().finally(() => {
      station = null;
      app.quit();
    });
  });
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      log(`start failed: ${error instanceof Error ? error.stack : String(error)}`);
      dialog.showErrorBox('Token Station could not start', error instanceof Error ? error.message : String(error));
      app.exit(1);
    });
}
