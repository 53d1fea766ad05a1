/** The contract's calls and events, served by a Station. */
import { EVENT_NAMES, type EventName, type EventPayload, type Handlers } from '../contract/contract';
import type { AppInfo } from '../contract/types';
import { SANDBOX_NOTICE, type Station } from './station';
import { convertUid } from './uid';

export function createHandlers(station: Station, app: { version: string; dataDir: string }): Handlers {
  const info: AppInfo = {
    version: app.version,
    mode: station.mode,
    apiUrl: station.apiUrl,
    sandboxNotice: station.mode === 'sandbox' ? SANDBOX_NOTICE : null,
    dataDir: app.dataDir,
  };
  return {
    'app.info': () => info,
    'customers.search': ({ search }) => station.customers.search(search),
    'enrollment.get': () => station.enrollment.view,
    'enrollment.update': (patch) => {
      station.enrollment.update(patch);
      return station.enrollment.view;
    },
    // Readers and UIDs (#3).
    'readers.status': () => station.readerStatus(),
    'readers.simulateTap': ({ uid }) => station.simulateTap(uid),
    'readers.settings': () => station.readerDesk.config,
    'readers.configure': (patch) => {
      const settings = station.readerDesk.update(patch);
      station.events.emit('readers', station.readerStatus());
      return settings;
    },
    'readers.wedgeTap': ({ value, format }) => station.readerDesk.typed(value, format),
    'uid.convert': ({ value, from }) => convertUid(value, from),
    // --- Sync (#4)
    'queue.list': ({ limit, offset, states, search }) => station.queue.list({ limit: limit ?? 500, offset, states, search }),
    'queue.edit': ({ id, patch }) => {
      const token = station.queue.edit(id, patch);
      station.sync.poke();
      return token;
    },
    'queue.discard': ({ id }) => station.queue.discard(id),
    'queue.retry': ({ ids }) => {
      const tokens = station.queue.retry(ids);
      station.sync.retryNow();
      return tokens;
    },
    'queue.release': ({ ids }) => {
      const tokens = station.queue.release(ids);
      station.sync.poke();
      return tokens;
    },
    'sync.status': () => station.sync.status,
    'sync.now': () => {
      station.sync.retryNow();
      return station.sync.status;
    },
    'sync.settings': () => station.syncSettings.current,
    'sync.updateSettings': (patch) => station.syncSettings.update(patch),
    // --- end of sync (#4)

    // Files (#6)
    'import.open': (choices) => station.files.openImport(choices),
    'import.preview': ({ id, ...choices }) => station.files.previewAgain(id, choices),
    'import.confirm': ({ id }) => station.files.confirmImport(id),
    'import.discard': ({ id }) => {
      station.files.discardImport(id);
      return null;
    },
    'export.tokens': (request) => station.files.exportTokens(request),
    'reconcile.run': (options) => station.files.reconcile(options),
    'reconcile.export': (options) => station.files.exportReconciliation(options),
    'files.cancel': ({ job }) => ({ cancelled: station.files.cancel(job) }),
    // ---- UI (#5) ----
    'tokens.list': (query) => station.client.listTokens(query),
    'tokens.get': ({ id }) => station.client.getToken(id),
    'tokens.patch': ({ id, patch }) => station.client.patchToken(id, patch),
    'preferences.get': () => station.preferences.get(),
    'preferences.update': (patch) => station.preferences.update(patch),
    'session.get': () => station.session.view(),
    'session.restart': () => station.session.restart(),
    'session.label': ({ label }) => station.giveLabel(label),
    'session.skipLabel': () => {
      station.enrollment.skipLabel();
      return station.enrollment.view;
    },
  };
}

/** Forward every station event to a transport's `send`; returns the function that stops it. */
export function forwardEvents(station: Station, send: <K extends EventName>(name: K, payload: EventPayload<K>) => void): () => void {
  const offs = EVENT_NAMES.map((name) => station.events.on(name, (payload) => send(name, payload as never)));
  return () => offs.forEach((off) => off());
}
