/**
 * The contract on Electron IPC: one ipcMain.handle per call, every input validated by the shared
 * dispatcher, and only the app's own window (its main frame, on the app's origin) may call.
 */
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { CALL_NAMES, callChannel, eventChannel, type EventName, type EventPayload } from '../contract/contract';
import type { Handlers } from '../contract/transport';
import { createDispatch } from '../contract/dispatch';

export const APP_ORIGIN = 'app://station';

/**
 * Whether a URL is the app's own page. Compared by scheme and host: WHATWG URL (Node's, in the main
 * process) gives the origin "null" for a scheme it does not know as special, such as app:.
 */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'app:' && parsed.host === 'station';
  } catch {
    return false;
  }
}

/** Calls from any frame but the main frame of our window, or from another origin, are refused. */
export function isTrustedSender(event: IpcMainInvokeEvent, window: () => WebContents | null): boolean {
  const contents = window();
  const frame = event.senderFrame;
  if (!contents || event.sender !== contents || !frame || frame !== contents.mainFrame) return false;
  return isAppUrl(frame.url);
}

export function registerIpc(handlers: Handlers, window: () => WebContents | null, log: (message: string) => void): () => void {
  const dispatch = createDispatch(handlers, (name, error) => log(`call ${name} failed: ${error instanceof Error ? error.stack : String(error)}`));
  for (const name of CALL_NAMES) {
    ipcMain.handle(callChannel(name), (event, input: unknown) => {
      if (!isTrustedSender(event, window)) {
        log(`refused ${name} from ${event.senderFrame?.url ?? 'an unknown frame'}`);
        return { ok: false, error: { code: 'transport', message: 'Refused: not the app window' } };
      }
      return dispatch(name, input);
    });
  }
  return () => CALL_NAMES.forEach((name) => ipcMain.removeHandler(callChannel(name)));
}

/** Push an event to the window, if it is still there. */
export function sendEvent<K extends EventName>(contents: WebContents | null, name: K, payload: EventPayload<K>): void {
  if (contents && !contents.isDestroyed()) contents.send(eventChannel(name), payload);
}
