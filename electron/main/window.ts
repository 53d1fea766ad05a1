/**
 * The one window and the rules every web contents lives by (Electron's security checklist,
 * https://www.electronjs.org/docs/latest/tutorial/security): context isolation, sandbox, no Node,
 * no navigation, no new windows, no permissions, content only from app://.
 */
import { app, BrowserWindow, net, protocol, session, type Session, type WebContents } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { contentSecurityPolicy } from '../contract/csp';
import { APP_ORIGIN, isAppUrl } from './ipc';
import { openExternalSafely } from './external';

export const APP_SCHEME = 'app';
const CSP = contentSecurityPolicy();

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

/** Serve the built renderer from app://station/, with the CSP header, and nothing outside its folder. */
export function serveRenderer(rendererDir: string, target: Session = session.defaultSession): void {
  const root = path.resolve(rendererDir);
  target.protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const file = path.resolve(root, '.' + decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname));
    if (!isAppUrl(request.url) || (file !== root && !file.startsWith(root + path.sep))) {
      return new Response('Not found', { status: 404 });
    }
    const response = await net.fetch(pathToFileURL(file).href);
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', CSP);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(response.body, { status: response.status, headers });
  });
}

/** No permission (camera, notifications, HID, serial, ...) is ever granted to web content. */
export function denyAllPermissions(target: Session = session.defaultSession): void {
  target.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  target.setPermissionCheckHandler(() => false);
  target.setDevicePermissionHandler(() => false);
}

/**
 * Applied to every web contents the app ever creates. No navigation at all (a file or URL dropped
 * on the window is a navigation, so it is refused too), no new windows; an allow-listed https link
 * opens in the OS browser instead.
 */
export function lockDown(contents: WebContents, log: (message: string) => void = () => {}): void {
  const refused = (what: string) => (url: string) => log(`refused ${what}: ${String(url).slice(0, 200)}`);
  contents.setWindowOpenHandler(({ url }) => {
    openExternalSafely(url, refused('new window'));
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event) => {
    event.preventDefault();
    if (!isAppUrl(event.url)) openExternalSafely(event.url, refused('navigation'));
  });
  contents.on('will-frame-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

export function createMainWindow(preloadPath: string): BrowserWindow {
  const window = new BrowserWindow({
    width: 1200,
    height: 800,
    minWidth: 800,
    minHeight: 560,
    title: 'Token Station',
    show: false,
    backgroundColor: '#f6f7f9',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      spellcheck: false,
      // The tap tones are the desk's feedback while the clerk looks at the card box: the first
      // tap after start must be heard, before anyone has clicked or typed in the window.
      autoplayPolicy: 'no-user-gesture-required',
      devTools: !app.isPackaged,
    },
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(`${APP_ORIGIN}/index.html`);
  return window;
}
