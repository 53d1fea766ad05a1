/**
 * The contract on Electron IPC: one ipcMain.handle per call, every input validated by the shared
 * dispatcher, and only the app's own window (its main frame, on the app's origin) may call.
 */
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { CALL_NAMES, callChannel, eventChannel, type EventName, type EventPayload, type Handlers } from '../contract/contract';
import { createDispatch } from '../contract/dispatch';

export const APP_ORIGIN = 'app://station';

/** Calls from any frame but the main frame of our window, or from another origin, are refused. */
export function isTrustedSender(event: IpcMainInvokeEvent, window: () => WebContents | null): boolean {
  const contents = window();
  const frame = event.senderFrame;
  if (!contents || event.sender !== contents || !frame || frame !== contents.mainFrame) return false;
  try {
    return new URL(frame.url).origin === APP_ORIGIN;
  } catch {
    return false;
  }
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
