/**
 * The whole renderer-test rig in one call: a fresh data folder, a real core Station, the WebSocket
 * bridge serving the built renderer, Debian's Chromium and one page watched for problems (console
 * errors, page errors, CSP violations). `close()` takes it all down again, in reverse order.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContextOptions, Page, PageScreenshotOptions } from 'playwright-core';
import { Station, type StationOptions } from '../../electron/core/station';
import type { FileDialogs } from '../../electron/core/io/dialogs';
import type { HostInfo } from '../../electron/contract/handlers';
import type { SpiriiToken } from '../../electron/core/token';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../electron/sandbox/server';
import { startBridge, type Bridge, type BridgeOptions } from './bridge';
import { launchChromium, watchForProblems } from './browser';
import { startCountingProxy, type CountingProxy } from './counting-proxy';
import { seedSandbox } from './seed';
import { tempDir } from './temp';

export const SCREENSHOTS = path.resolve('test-results/screenshots');

export interface AppOptions {
  /** The Station's options but its data folder (readers default to the simulated one, no PC/SC). */
  station?: Omit<StationOptions, 'dataDir'>;
  /** The Station's data folder inside the temp folder (default: the temp folder itself). */
  dataSubdir?: string;
  /** What the host tells the renderer, beyond its version and data folder (the temp folder). */
  host?: Partial<HostInfo>;
  /** The page's viewport, colour scheme, locale... */
  page?: BrowserContextOptions;
  /** More Chromium switches (e.g. the autoplay policy the Electron shell sets). */
  chromiumArgs?: string[];
  /** Runs on the empty data folder before the Station opens it (e.g. to seed the sandbox). */
  beforeStation?: (dataDir: string) => unknown;
  /** Runs on the open Station before the bridge starts (e.g. to set defaults). */
  beforeBridge?: (station: Station) => unknown;
  /** How the bridge answers (e.g. a call's answer held back). */
  bridge?: BridgeOptions;
}

export interface App {
  /** The temp folder (removed by close) and the Station's data folder in it. */
  readonly dir: string;
  readonly dataDir: string;
  readonly station: Station;
  readonly bridge: Bridge;
  readonly browser: Browser;
  readonly page: Page;
  readonly watcher: Awaited<ReturnType<typeof watchForProblems>>;
  /** Saves test-results/screenshots/<name>.png, animations stopped. */
  screenshot(name: string, options?: PageScreenshotOptions): Promise<Buffer>;
  close(): Promise<void>;
}

/** The desk's small window and 200% zoom of it (half the CSS pixels at twice the density). */
const DESK_WINDOWS = [
  ['800x560', { width: 800, height: 560 }, 1],
  ['zoom200', { width: 400, height: 280 }, 2],
] as const;

/**
 * Runs `look` in each of the desk's window sizes (800x560 and 200% zoom), in English and in
 * Danish: each on a fresh page of the app's browser, closed after it; the window's language is
 * the OS's again at the end.
 */
export async function inEachDeskWindow(app: App, look: (page: Page, locale: 'en' | 'da', size: (typeof DESK_WINDOWS)[number][0]) => Promise<void>): Promise<void> {
  for (const locale of ['en', 'da'] as const) {
    app.station.preferences.update({ locale: locale === 'da' ? 'da' : null });
    for (const [size, viewport, scale] of DESK_WINDOWS) {
      const page = await app.browser.newPage({ viewport, deviceScaleFactor: scale });
      try {
        await look(page, locale, size);
      } finally {
        await page.close();
      }
    }
  }
  app.station.preferences.update({ locale: null });
}

/** Closes each part in the order given (the last opened first), passing over those never opened. */
async function closeInOrder(...parts: ({ close(): Promise<unknown> } | undefined)[]): Promise<void> {
  for (const part of parts) await part?.close();
}

export async function openApp(options: AppOptions = {}): Promise<App> {
  const { dir, cleanup } = tempDir();
  const dataDir = options.dataSubdir ? path.join(dir, options.dataSubdir) : dir;
  let station: Station | undefined;
  let bridge: Bridge | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await closeInOrder(browser, bridge, station);
    cleanup();
  };
  try {
    await options.beforeStation?.(dataDir);
    station = await Station.create({ readers: { simulated: true, pcsc: false }, ...options.station, dataDir });
    await options.beforeBridge?.(station);
    bridge = await startBridge(station, { version: '0.1.0-test', dataDir: dir, ...options.host }, options.bridge);
    browser = await launchChromium(options.chromiumArgs);
    const page = await browser.newPage(options.page);
    const watcher = await watchForProblems(page);
    mkdirSync(SCREENSHOTS, { recursive: true });
    return {
      dir,
      dataDir,
      station,
      bridge,
      browser,
      page,
      watcher,
      screenshot: (name, shot) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), animations: 'disabled', ...shot }),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * The desk the file and back-office tests open: file dialogs the test scripts, the simulated
 * reader, no sync until the test asks, and customer 1001 chosen.
 */
export function openOfficeDesk(dialogs: FileDialogs, page: BrowserContextOptions): Promise<App> {
  return openApp({
    dataSubdir: 'data',
    station: { dialogs, readers: { simulated: true }, sync: { autoStart: false } },
    beforeBridge: (station) => station.enrollmentDefaults.update({ customerId: 1001 }),
    page,
  });
}

export interface CountedDesk extends App {
  readonly sandbox: Sandbox;
  /** Between the desk and the sandbox: counts what the desk sent. */
  readonly proxy: CountingProxy;
  /** The tokens the sandbox started with (seedSandbox). */
  readonly seeded: SpiriiToken[];
}

export interface CountedDeskOptions {
  apiKey: string;
  /** How many seeded tokens the sandbox starts with. */
  tokens: number;
  /** The sandbox's rate limit (default its own). */
  rateLimit?: SandboxOptions['rateLimit'];
}

/**
 * The desk the bulk-change and conflict tests open: a sandbox seeded with `tokens` tokens, a
 * counting proxy in front of it, and the desk (simulated reader, no PC/SC) syncing through the
 * proxy, at 1280x820, light, en-GB. `close()` takes down the desk, then the proxy and the sandbox.
 */
export async function openCountedDesk(options: CountedDeskOptions): Promise<CountedDesk> {
  const temp = tempDir();
  let sandbox: Sandbox | undefined;
  let proxy: CountingProxy | undefined;
  let app: App | undefined;
  const close = async () => {
    await closeInOrder(app, proxy, sandbox);
    temp.cleanup();
  };
  try {
    const seeded = seedSandbox(temp.dir, options.tokens);
    sandbox = await startSandbox({ apiKey: options.apiKey, statePath: path.join(temp.dir, 'sandbox-tokens.json'), rateLimit: options.rateLimit });
    proxy = await startCountingProxy(sandbox.url);
    app = await openApp({
      dataSubdir: 'desk',
      station: { api: { baseUrl: proxy.url, apiKey: options.apiKey }, readers: { simulated: true, pcsc: false } },
      page: { viewport: { width: 1280, height: 820 }, colorScheme: 'light', locale: 'en-GB' },
    });
    return { ...app, sandbox, proxy, seeded, close };
  } catch (error) {
    await close();
    throw error;
  }
}
