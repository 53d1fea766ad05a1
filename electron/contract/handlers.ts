/**
 * The contract's calls and events, served by a Station: the handler table every transport (Electron
 * IPC, the tests' bridge) puts behind createDispatch. It lives beside the contract, not in the core,
 * so the core knows nothing of the window.
 */
import { EVENT_NAMES, type EventName, type EventPayload } from './contract';
import type { Handlers } from './transport';
import type { AppInfo, ChangeBatchView, ChangeConflictView } from './types';
import { CHANGE_FIELDS, type BatchProgress, type ChangeBatch, type ChangeFields, type QueuedChange } from '../core/changes/types';
import type { SpiriiToken } from '../core/token';
import { auditCalls } from './audit-calls';
import { BatchPace } from './batch-pace';
import { SANDBOX_NOTICE, type Station } from '../core/station';
import { checkApiUrl, ConnectionError, type ProfileId } from '../core/connections';
import { checkConnection } from '../core/connection-check';
import { exportAudit } from '../core/audit';
import { collectDiagnostics } from '../core/diagnostics';
import { registerSecret, type LogEntry } from '../core/logger';
import { convertUid } from '../core/uid';
import { ReplacementRefusedError } from '../core/replace';
import { exportSession } from '../core/session-export';
import { selectTokens } from '../core/token-selection';
import { handoverBatches, handoverList, saveHandoverPdf, withCustomerNames, type HandoverScope, type PdfPrinter } from '../core/handover';

/** What the host (the Electron shell, the CLI, the tests' bridge) adds to the station. */
export interface HostInfo {
  version: string;
  dataDir: string;
  /** Versions of the runtime (Electron, Chrome, Node) for diagnostics. */
  runtime?: Record<string, string>;
  logFolder?: string | null;
  recentErrors?: () => readonly LogEntry[];
  /** Put text on the OS clipboard; absent where there is none. */
  copyText?: (text: string) => void | Promise<void>;
  /** Print the page the window shows to PDF (Electron's printToPDF); absent where there is no window. */
  printToPdf?: PdfPrinter;
}

/** A batch and its progress as the window shows it: one state word, counts, the time left. */
export function batchView(batch: ChangeBatch, progress: BatchProgress, etaMs: number | null = progress.waiting > 0 ? progress.estimateMs : null): ChangeBatchView {
  const state: ChangeBatchView['state'] =
    progress.waiting > 0 ? (progress.paused ? 'paused' : 'sending') : progress.conflicts > 0 ? (batch.cancelledAt ? 'cancelled' : 'waiting-for-you') : batch.cancelledAt ? 'cancelled' : 'done';
  return {
    id: batch.id,
    fields: batch.fields,
    createdAt: batch.createdAt,
    state,
    total: progress.total,
    sent: progress.done,
    failed: progress.failed,
    conflicts: progress.conflicts,
    cancelled: progress.cancelled,
    etaMs,
    writesPerMinute: progress.writesPerMinute,
  };
}

/** The contract's flat handover scope, checked: a batch names its source, a customer its id. */
function handoverScopeOf(input: { kind: 'session' | 'batch' | 'customer'; source?: string; customerId?: number }): HandoverScope {
  if (input.kind === 'batch') {
    if (!input.source?.startsWith('import:')) throw new Error('A batch is an import: give its source (import:<file>).');
    return { kind: 'batch', source: input.source };
  }
  if (input.kind === 'customer') {
    if (input.customerId === undefined) throw new Error('Choose the customer first.');
    return { kind: 'customer', customerId: input.customerId };
  }
  return { kind: 'session' };
}

/**
 * The parts of a Station the window's calls use. Not the database, the API client, the raw
 * settings table, the importer or the sandbox: a handler that needs more asks for it here.
 */
export type WindowStation = Pick<
  Station,
  | 'mode'
  | 'apiUrl'
  | 'apiConnection'
  | 'simulatedTapsAllowed'
  | 'connections'
  | 'reconfigure'
  | 'unsentCount'
  | 'giveLabelChecked'
  | 'audit'
  | 'logger'
  | 'customers'
  | 'enrollment'
  | 'enrollmentDefaults'
  | 'readerDesk'
  | 'readerSettings'
  | 'simulateTap'
  | 'queue'
  | 'sync'
  | 'syncSettings'
  | 'files'
  | 'spiriiTokens'
  | 'preferences'
  | 'session'
  | 'dialogs'
  // The card's life at the desk: identify (the tap router and the simulated reader's identify tap), the handover list.
  | 'taps'
  | 'simulateIdentify'
  | 'seen'
  // Replacing a lost card.
  | 'replacements'
  | 'simulateReplacementTap'
  // Changes to tokens in Spirii, queued like creations (the bulk actions and the card replacement use them).
  | 'changes'
>;

export function createHandlers(station: WindowStation, app: HostInfo): Handlers {
  // Built per call: the connection can change while the app runs.
  const info = (): AppInfo => ({
    version: app.version,
    mode: station.mode,
    apiUrl: station.apiUrl,
    sandboxNotice: station.mode === 'sandbox' ? SANDBOX_NOTICE : null,
    dataDir: app.dataDir,
    simulatedTaps: station.simulatedTapsAllowed,
  });
  const diagnostics = () =>
    collectDiagnostics({ sync: station.sync, connections: station.connections, readers: station.readerDesk, audit: station.audit }, {
      app: { name: 'Token Station', version: app.version, runtime: app.runtime ?? { node: process.versions.node } },
      dataDir: app.dataDir,
      logFolder: app.logFolder ?? null,
      recentErrors: app.recentErrors?.() ?? [],
    });
  const connections = station.connections;
  /** The station follows the active profile; a refused switch leaves everything as it was. */
  const select = async (id: ProfileId) => {
    if (connections.fixed) throw new ConnectionError('TOKEN_STATION_API_KEY is set in the environment: it decides the connection until it is removed.');
    await station.reconfigure(connections.resolve(id));
    const from = connections.active;
    connections.setActive(id);
    station.audit.record('connection', { change: 'selected', from, to: id, url: connections.url(id) ?? 'built-in sandbox' }, id);
    return connections.view();
  };
  /** After a key change on the profile in use, the station picks the new key up at once. */
  const followKey = async (id: ProfileId) => {
    if (!connections.fixed && id === connections.active) await station.reconfigure(connections.resolve(id));
  };
  const changes = station.changes;
  const pace = new BatchPace();
  const withProgress = (batch: ChangeBatch): ChangeBatchView => {
    const progress = changes.progress(batch.id);
    return batchView(batch, progress, pace.etaMs(progress));
  };
  const viewOf = (batchId: number): ChangeBatchView => {
    const batch = changes.batches(1000).find((b) => b.id === batchId);
    if (!batch) throw new Error(`There is no batch of changes ${batchId}.`);
    return withProgress(batch);
  };
  const handlers: Handlers = {
    'app.info': () => info(),
    'customers.search': ({ search }) => station.customers.search(search),
    'customers.names': async ({ ids }) => [...(await station.customers.resolve(ids)).known.values()].map((c) => ({ id: c.id, name: c.name })),
    'enrollment.get': () => station.enrollment.view,
    'enrollment.update': (patch) => {
      station.enrollmentDefaults.update(patch);
      return station.enrollment.view;
    },
    // Readers and UIDs.
    'readers.status': () => station.readerDesk.status(),
    'readers.simulateTap': ({ uid }) => station.simulateTap(uid),
    'readers.settings': () => station.readerSettings.value,
    // The station tells the window of the readers' new state (a settings change is an event).
    'readers.configure': (patch) => station.readerSettings.update(patch),
    'readers.wedgeTap': ({ value, format }) => station.readerDesk.typed(value, format),
    'uid.convert': ({ value, from }) => convertUid(value, from),
    // The queue's rows and the desk's actions on them, the sync status and its settings.
    'queue.list': ({ limit, offset, states, search, customerId }) => station.queue.list({ limit: limit ?? 500, offset, states, search, customerId }),
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

    // Connection profiles and their keys, the audit trail, diagnostics.
    'connections.list': () => connections.view(),
    'connections.setUrl': async ({ url }) => {
      if (connections.active === 'custom' && station.unsentCount() > 0) {
        throw new ConnectionError('Tokens are waiting to be sent to the custom URL: sync or discard them before changing it.');
      }
      connections.setCustomUrl(url);
      station.audit.record('connection', { change: 'custom URL', url: connections.url('custom') }, 'custom');
      await followKey('custom');
      return connections.view();
    },
    'connections.save': async ({ id, key, choice }) => {
      const result = connections.saveKey(id, key, choice);
      if (result.status === 'saved') {
        station.audit.record('connection', { change: 'key saved', storage: result.profile.key.state === 'stored' ? result.profile.key.protection : result.profile.key.state }, id);
        await followKey(id);
      }
      return result;
    },
    'connections.forget': async ({ id }) => {
      connections.forgetKey(id);
      station.audit.record('connection', { change: 'key forgotten' }, id);
      await followKey(id);
      return connections.view();
    },
    'connections.select': ({ id }) => select(id),
    'connections.test': async ({ id, key, url }) => {
      if (id === 'builtin-sandbox') {
        if (station.mode !== 'sandbox') throw new ConnectionError('The built-in sandbox starts when it is the connection in use.');
        return checkConnection(station.apiConnection);
      }
      const baseUrl = url && id === 'custom' ? checkApiUrl(url) : connections.url(id);
      if (!baseUrl) throw new ConnectionError('Enter the URL first.');
      let apiKey = key?.trim();
      registerSecret(apiKey);
      if (!apiKey) {
        const stored = connections.readKey(id);
        if (!stored.ok) throw new ConnectionError(stored.problem);
        apiKey = stored.key;
      }
      return checkConnection({ baseUrl, apiKey }, { userAgent: `TokenStation/${app.version}` });
    },
    'audit.list': ({ limit, beforeId, actions }) => station.audit.list({ limit: limit ?? 500, beforeId, actions }),
    'audit.export': ({ format, actions }) => {
      const entries = station.audit.list({ limit: 100_000, actions });
      const content = exportAudit(entries, format);
      const filename = `token-station-activity-${new Date().toISOString().slice(0, 10)}.${format}`;
      station.audit.record('export', { what: 'activity', format, rows: entries.length }, filename);
      return { filename, content, count: entries.length };
    },
    'diagnostics.get': () => ({ text: diagnostics() }),
    'diagnostics.copy': async () => {
      const text = diagnostics();
      if (!app.copyText) return { text, copied: false };
      await app.copyText(text);
      return { text, copied: true };
    },
    'sync.settings': () => station.syncSettings.value,
    'sync.updateSettings': (patch) => station.syncSettings.update(patch),

    // Import, export and reconciliation.
    'import.open': (choices) => station.files.openImport(choices),
    'import.preview': ({ id, ...choices }) => station.files.previewAgain(id, choices),
    'import.confirm': ({ id }) => station.files.confirmImport(id),
    'import.saveRejected': ({ id }) => station.files.saveNotQueued(id),
    'import.discard': ({ id }) => {
      station.files.discardImport(id);
      return null;
    },
    'export.tokens': (request) => station.files.exportTokens(request),
    'reconcile.run': (options) => station.files.reconcile(options),
    'reconcile.export': (options) => station.files.exportReconciliation(options),
    'files.cancel': ({ job }) => ({ cancelled: station.files.cancel(job) }),
    // Tokens in Spirii, the operator's preferences, the enrollment session.
    'tokens.list': (query) => station.spiriiTokens.listTokens(query),
    'tokens.get': ({ id }) => station.spiriiTokens.getToken(id),
    'tokens.patch': ({ id, patch }) => station.spiriiTokens.patchToken(id, patch),
    'tokens.select': ({ query, offset, limit }) => selectTokens(station.spiriiTokens, query, { offset, limit }),
    // Changes to tokens in Spirii: a bulk change from the Tokens screen is one batch.
    'changes.queue': ({ targets, fields }) => {
      const queued = changes.queueChanges(
        fields,
        targets.map((t) => ({ spiriiId: t.id, basedOn: t.basedOn, uid: t.uid?.toUpperCase() ?? null, label: t.label ?? null })),
        'window',
      );
      if (!queued.batch) throw new Error('No token to change.');
      return withProgress(queued.batch);
    },
    'changes.batches': () => changes.batches().map(withProgress),
    'changes.pause': ({ batchId }) => {
      changes.pause(batchId);
      return viewOf(batchId);
    },
    'changes.resume': ({ batchId }) => {
      changes.resume(batchId);
      return viewOf(batchId);
    },
    'changes.cancel': ({ batchId }) => {
      changes.cancel(batchId);
      return viewOf(batchId);
    },
    'changes.conflicts': () => changes.list({ states: ['conflict'], limit: 1000 }).map(conflictView),
    'changes.choose': ({ id, choice }) => {
      changes.choose(id, choice);
      return changes.list({ states: ['conflict'], limit: 1000 }).map(conflictView);
    },
    'preferences.get': () => station.preferences.value,
    'preferences.update': (patch) => station.preferences.update(patch),
    'session.get': () => station.session.view(),
    'session.restart': () => station.session.restart(),
    'session.export': ({ format }) => exportSession({ dialogs: station.dialogs, audit: station.audit, customers: station.customers }, station.session.view(), format),
    'session.label': ({ label }) => station.giveLabelChecked(label),
    'session.undo': ({ id }) => station.enrollment.undo(id),
    'session.skipLabel': () => {
      station.enrollment.skipLabel();
      return station.enrollment.view;
    },
    // The card's life at the desk: identify, hand over.
    'card.identify': ({ query }) => station.taps.identify(query),
    'card.mode': ({ mode }) => ({ mode: station.taps.setMode(mode) }),
    'card.simulateTap': ({ uid }) => station.simulateIdentify(uid),
    // The same path as any tap's outcome: announced by the enrollment, the sync worker poked.
    'card.enroll': ({ uid }) => station.enrollment.tap(uid, 'identify'),
    'card.simulateReplacementTap': ({ uid }) => station.simulateReplacementTap(uid),
    'replace.start': async ({ old, newUid, label, source }) => {
      try {
        return { ok: true as const, job: await station.replacements.replace(old, newUid, label || null, source ?? 'window') };
      } catch (error) {
        if (!(error instanceof ReplacementRefusedError)) throw error;
        return { ok: false as const, reason: error.reason, message: error.message, outcome: error.outcome };
      }
    },
    'replace.list': () => station.replacements.list(),
    'replace.deactivateAnyway': ({ id }) => station.replacements.deactivateAnyway(id),
    'handover.list': (scope) => withCustomerNames(handoverList(station, handoverScopeOf(scope)), station.customers),
    'handover.batches': () => handoverBatches(station.queue),
    'export.handover': (scope) => saveHandoverPdf({ dialogs: station.dialogs, print: app.printToPdf }, handoverList(station, handoverScopeOf(scope))),
  };
  // Edits, discards and exports are recorded in the audit trail, once each has succeeded.
  return auditCalls(handlers, station.audit, station.logger);
}

/** Forward every station event to a transport's `send`; returns the function that stops it. */
export function forwardEvents(station: Pick<Station, 'events'>, send: <K extends EventName>(name: K, payload: EventPayload<K>) => void): () => void {
  const offs = EVENT_NAMES.map((name) => station.events.on(name, (payload) => send(name, payload as never)));
  return () => offs.forEach((off) => off());
}

/** The values a token has for the fields a change touches (what the window shows beside the change). */
function fieldsOf(token: SpiriiToken, wanted: ChangeFields): ChangeFields {
  const values: Record<string, unknown> = {};
  for (const key of CHANGE_FIELDS) if (wanted[key] !== undefined) values[key] = token[key] ?? null;
  return values as ChangeFields;
}

function conflictView(change: QueuedChange): ChangeConflictView {
  return {
    id: change.id,
    batchId: change.batchId,
    spiriiId: change.spiriiId,
    uid: change.uid,
    label: change.label,
    customerId: change.remote?.customerId ?? change.base?.customerId ?? null,
    mine: change.fields,
    spirii: change.remote ? fieldsOf(change.remote, change.fields) : {},
    base: change.base ? fieldsOf(change.base, change.fields) : null,
    readAt: change.basedOn,
    spiriiUpdatedAt: change.remote?.updatedAt ?? null,
  };
}
