/**
 * The preload: exposes the contract's calls and event subscriptions as `window.station`, and
 * nothing else (never ipcRenderer itself). Sandboxed: bundled to one CommonJS file.
 */
import { contextBridge, ipcRenderer } from 'electron';
// Only the names: the schemas stay in the main process, which validates every call (dispatch.ts).
import { CALL_NAMES, EVENT_NAMES, callChannel, eventChannel } from '../contract/names';
import type { StationTransport } from '../contract/transport';

const calls = new Set<string>(CALL_NAMES);
const events = new Set<string>(EVENT_NAMES);

const api: StationTransport = {
  call: (name, input) => {
    if (!calls.has(name)) return Promise.resolve({ ok: false, error: { code: 'unknown-call', message: `No such call: ${String(name)}` } });
    return ipcRenderer.invoke(callChannel(name), input);
  },
  on: (name, listener) => {
    if (!events.has(name)) throw new Error(`No such event: ${String(name)}`);
    const channel = eventChannel(name);
    const handler = (_event: Electron.IpcRendererEvent, payload: unknown) => listener(payload as never);
    ipcRenderer.on(channel, handler);
    return () => {
      ipcRenderer.removeListener(channel, handler);
    };
  },
};

contextBridge.exposeInMainWorld('station', api);
