/**
 * A fake `electron` module for loading the built main and preload bundles in plain Node: the
 * Electron binary cannot be downloaded on the machines this project is tested on. Every member
 * is typed with the real Electron type it stands for (`E.App['quit']`, ...), so a change in how
 * the shell calls Electron that the real API would not accept fails to compile here. It records
 * what the shell asked for, so tests can check it.
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type * as E from 'electron';
import { FakeKeychain } from '../support/keychain';

type Handler = Parameters<E.IpcMain['handle']>[1];
type PermissionRequestHandler = Parameters<E.Session['setPermissionRequestHandler']>[0];
type PermissionCheckHandler = Parameters<E.Session['setPermissionCheckHandler']>[0];
type DevicePermissionHandler = Parameters<E.Session['setDevicePermissionHandler']>[0];
type ProtocolHandler = Parameters<E.Protocol['handle']>[1];
type WindowOpenHandler = Parameters<E.WebContents['setWindowOpenHandler']>[0];

export interface Record {
  calls: string[];
  windows: FakeBrowserWindow[];
  ipcHandlers: Map<string, Handler>;
  protocolHandlers: Map<string, ProtocolHandler>;
  privilegedSchemes: E.CustomScheme[];
  permissionRequest: PermissionRequestHandler | null;
  permissionCheck: PermissionCheckHandler | null;
  devicePermission: DevicePermissionHandler | null;
  exposed: Map<string, unknown>;
  invoked: { channel: string; args: unknown[] }[];
  errorBoxes: string[];
  exitCode: number | null;
  openedExternally: string[];
  clipboard: string[];
  /** What the shell asked webContents.printToPDF for, and the save dialogs it showed. */
  printedToPdf: E.PrintToPDFOptions[];
  saveDialogs: E.SaveDialogOptions[];
}

export const record: Record = {
  calls: [],
  windows: [],
  ipcHandlers: new Map(),
  protocolHandlers: new Map(),
  privilegedSchemes: [],
  permissionRequest: null,
  permissionCheck: null,
  devicePermission: null,
  exposed: new Map(),
  invoked: [],
  errorBoxes: [],
  exitCode: null,
  openedExternally: [],
  clipboard: [],
  printedToPdf: [],
  saveDialogs: [],
};

/** A small but well-formed PDF: what the fake printToPDF answers (the real one renders the page). */
export const FAKE_PDF = Buffer.from('%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n');

/** Scenario switches for the test. */
export const scenario = { singleInstanceLock: true, userData: '', logs: '', keychain: new FakeKeychain(), saveAs: null as string | null };

class FakeFrame {
  constructor(
    public url: string,
    public readonly isMain: boolean,
  ) {}
}

export class FakeWebContents extends EventEmitter {
  readonly mainFrame = new FakeFrame('', true);
  windowOpenHandler: WindowOpenHandler | null = null;
  readonly sent: { channel: string; args: unknown[] }[] = [];
  destroyed = false;

  readonly send: E.WebContents['send'] = (channel, ...args) => {
    this.sent.push({ channel, args });
  };
  readonly isDestroyed: E.WebContents['isDestroyed'] = () => this.destroyed;
  readonly setWindowOpenHandler: E.WebContents['setWindowOpenHandler'] = (handler) => {
    this.windowOpenHandler = handler;
  };
  readonly printToPDF: E.WebContents['printToPDF'] = async (options) => {
    record.printedToPdf.push(options);
    return FAKE_PDF;
  };
}

export class FakeBrowserWindow extends EventEmitter {
  readonly webContents = new FakeWebContents();
  loadedUrl: string | null = null;
  shown = false;

  constructor(readonly options: E.BrowserWindowConstructorOptions) {
    super();
    record.windows.push(this);
    record.calls.push('new BrowserWindow');
    app.emit('web-contents-created', {}, this.webContents);
  }

  readonly loadURL: E.BrowserWindow['loadURL'] = async (url) => {
    this.loadedUrl = url;
    this.webContents.mainFrame.url = url;
  };
  readonly show: E.BrowserWindow['show'] = () => {
    this.shown = true;
  };
  readonly isMinimized: E.BrowserWindow['isMinimized'] = () => false;
  readonly restore: E.BrowserWindow['restore'] = () => {};
  readonly focus: E.BrowserWindow['focus'] = () => {
    record.calls.push('focus');
  };
}

let resolveReady: () => void = () => {};
const ready = new Promise<void>((resolve) => (resolveReady = resolve));

class FakeApp extends EventEmitter {
  readonly isPackaged = false;
  readonly requestSingleInstanceLock: E.App['requestSingleInstanceLock'] = () => {
    record.calls.push('requestSingleInstanceLock');
    return scenario.singleInstanceLock;
  };
  readonly enableSandbox: E.App['enableSandbox'] = () => {
    record.calls.push('enableSandbox');
  };
  readonly whenReady: E.App['whenReady'] = () => ready;
  readonly getPath: E.App['getPath'] = (name) => {
    if (name === 'logs') return scenario.logs;
    if (name === 'documents') return scenario.userData;
    if (name !== 'userData') throw new Error(`fake getPath(${name})`);
    return scenario.userData;
  };
  readonly getVersion: E.App['getVersion'] = () => '0.0.0-test';
  readonly quit: E.App['quit'] = () => {
    record.calls.push('quit');
    const event = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    this.emit('will-quit', event);
    if (!event.defaultPrevented) this.emit('quit-done');
  };
  readonly exit: E.App['exit'] = (code) => {
    record.exitCode = code ?? 0;
    record.calls.push(`exit(${code})`);
  };
  /** Test driver: make the app ready, as Electron does after start-up. */
  makeReady(): void {
    resolveReady();
  }
}

export const app = new FakeApp();

const fakeProtocol = {
  registerSchemesAsPrivileged: ((schemes) => {
    record.privilegedSchemes.push(...schemes);
  }) satisfies E.Protocol['registerSchemesAsPrivileged'],
  handle: ((scheme, handler) => {
    record.protocolHandlers.set(scheme, handler);
  }) satisfies E.Protocol['handle'],
};

export const protocol = fakeProtocol;

export const session = {
  defaultSession: {
    protocol: fakeProtocol,
    setPermissionRequestHandler: ((handler) => {
      record.permissionRequest = handler;
    }) satisfies E.Session['setPermissionRequestHandler'],
    setPermissionCheckHandler: ((handler) => {
      record.permissionCheck = handler;
    }) satisfies E.Session['setPermissionCheckHandler'],
    setDevicePermissionHandler: ((handler) => {
      record.devicePermission = handler;
    }) satisfies E.Session['setDevicePermissionHandler'],
  },
};

/** net.fetch for file: URLs, as the app:// handler uses it. */
export const net = {
  fetch: (async (input) => {
    const url = typeof input === 'string' ? input : input.url;
    try {
      const body = fs.readFileSync(fileURLToPath(url));
      const type = url.endsWith('.html') ? 'text/html' : url.endsWith('.js') ? 'text/javascript' : url.endsWith('.css') ? 'text/css' : 'application/octet-stream';
      return new Response(body, { status: 200, headers: { 'content-type': type } });
    } catch {
      return new Response('not found', { status: 404 });
    }
  }) satisfies E.Net['fetch'],
};

export const ipcMain = {
  handle: ((channel, handler) => {
    if (record.ipcHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    record.ipcHandlers.set(channel, handler);
  }) satisfies E.IpcMain['handle'],
  removeHandler: ((channel) => {
    record.ipcHandlers.delete(channel);
  }) satisfies E.IpcMain['removeHandler'],
};

export const dialog = {
  showErrorBox: ((title, content) => {
    record.errorBoxes.push(`${title}: ${content}`);
  }) satisfies E.Dialog['showErrorBox'],
  // Electron's overloads: (window, options) or (options).
  showSaveDialog: (async (...args: [E.BaseWindow, E.SaveDialogOptions] | [E.SaveDialogOptions]) => {
    const options = args.length === 2 ? args[1] : args[0];
    record.saveDialogs.push(options);
    return scenario.saveAs === null ? { canceled: true } : { canceled: false, filePath: scenario.saveAs };
  }) as E.Dialog['showSaveDialog'],
};

export const BrowserWindow = FakeBrowserWindow;

/** safeStorage over the fake keychain (test/support/keychain.ts): real encryption, switchable backend. */
export const safeStorage = {
  isEncryptionAvailable: (() => scenario.keychain.isEncryptionAvailable()) satisfies E.SafeStorage['isEncryptionAvailable'],
  getSelectedStorageBackend: (() => {
    const backend = scenario.keychain.backend;
    return backend === 'unavailable' ? 'unknown' : backend;
  }) satisfies E.SafeStorage['getSelectedStorageBackend'],
  encryptString: ((plain) => scenario.keychain.encryptString(plain)) satisfies E.SafeStorage['encryptString'],
  decryptString: ((data) => scenario.keychain.decryptString(data)) satisfies E.SafeStorage['decryptString'],
};

export const shell = {
  openExternal: (async (url) => {
    record.openedExternally.push(url);
  }) satisfies E.Shell['openExternal'],
};

export const clipboard = {
  writeText: (async (text) => {
    record.clipboard.push(text);
  }) satisfies E.Clipboard['writeText'],
};

// Renderer-side members, for loading the preload bundle.
const rendererListeners = new EventEmitter();
export const contextBridge = {
  exposeInMainWorld: ((key, api) => {
    record.exposed.set(key, api);
  }) satisfies E.ContextBridge['exposeInMainWorld'],
};
// on/removeListener return the IpcRenderer itself, as the real ones do.
const fakeIpcRenderer = (): E.IpcRenderer => ipcRenderer as unknown as E.IpcRenderer;
export const ipcRenderer = {
  invoke: (async (channel, ...args) => {
    record.invoked.push({ channel, args });
    return { ok: true, value: { echoed: channel } };
  }) satisfies E.IpcRenderer['invoke'],
  on: ((channel, listener) => {
    rendererListeners.on(channel, listener);
    return fakeIpcRenderer();
  }) satisfies E.IpcRenderer['on'],
  removeListener: ((channel, listener) => {
    rendererListeners.removeListener(channel, listener);
    return fakeIpcRenderer();
  }) satisfies E.IpcRenderer['removeListener'],
  /** Test driver: the main process pushing an event. */
  emitFromMain(channel: string, payload: unknown) {
    rendererListeners.emit(channel, {}, payload);
  },
  listenerCount(channel: string) {
    return rendererListeners.listenerCount(channel);
  },
};

/** The event object an ipcMain.handle handler receives, as the real one is shaped for these checks. */
export function invokeEvent(contents: FakeWebContents, frame: { url: string } | null): E.IpcMainInvokeEvent {
  return { sender: contents, senderFrame: frame } as unknown as E.IpcMainInvokeEvent;
}
