/**
 * What the station writes to its log, and the "copy diagnostics" text a desk sends to IT: app
 * version, OS, readers, connection, queue and sync state, recent warnings and errors. Never a key:
 * the text is built from views that hold only masks, then redacted once more.
 */
import os from 'node:os';
import path from 'node:path';
import { checkDatabaseFile, DATABASE_FILE } from './db/sqlite';
import type { StationEventMap } from './station-events';
import { redact, type LogEntry, type Logger } from './logger';
import type { SyncStatus } from './sync/worker';
import type { ConnectionsView } from './connections';
import type { ReaderStatus } from './readers/types';
import type { TypedEvents } from './events';

/** What the activity log listens to. */
export interface ActivitySource {
  sync: { onStatus(listener: (status: SyncStatus) => void): () => void };
  events: Pick<TypedEvents<StationEventMap>, 'on'>;
  logger: Logger;
}

/** What the diagnostics text reads: views only, none of which holds a key. */
export interface DiagnosticsSource {
  sync: { readonly status: SyncStatus };
  connections: { view(): ConnectionsView };
  readers: { status(): ReaderStatus };
  audit: { count(): number };
}

/** Log the station's notable moments; returns the unsubscribe functions. */
export function logStationActivity(station: ActivitySource): (() => void)[] {
  let lastSyncError: string | null = null;
  let lastPhase: string | null = null;
  return [
    station.sync.onStatus((status) => {
      if (status.lastError && status.lastError !== lastSyncError) station.logger.warn(`Sync: ${status.lastError}`, { phase: status.phase });
      else if (status.phase !== lastPhase && (status.phase === 'idle' || status.phase === 'stopped')) station.logger.info(`Sync ${status.phase}`, { counts: status.counts });
      lastSyncError = status.lastError;
      lastPhase = status.phase;
    }),
    station.events.on('reader', ({ event }) => {
      if (event.type === 'error') station.logger.warn(`Reader error: ${event.message}`, { reader: event.reader?.name ?? null, code: event.code });
      else if (event.type === 'attached' || event.type === 'detached') station.logger.info(`Reader ${event.type}: ${event.reader.name}`);
    }),
    station.events.on('tap', (outcome) => {
      if (outcome.status === 'queued') station.logger.info('Card queued', { uid: outcome.token.uid, id: outcome.token.id });
      else station.logger.info(`Tap not queued: ${outcome.message}`, { uid: outcome.uid, status: outcome.status, reason: 'reason' in outcome ? outcome.reason : undefined });
    }),
  ];
}

export interface DiagnosticsInput {
  app: { name: string; version: string; runtime: Record<string, string> };
  dataDir: string;
  logFolder: string | null;
  recentErrors: readonly LogEntry[];
}

/** The report's first lines, the same whether or not the station could start. */
function heading(input: DiagnosticsInput, osExtra: string): string[] {
  return [
    `${input.app.name} ${input.app.version} diagnostics, ${new Date().toISOString()}`,
    '',
    `OS: ${os.type()} ${os.release()} (${process.platform} ${process.arch}), ${Math.round(os.totalmem() / 2 ** 30)} GB RAM${osExtra}`,
    `Runtime: ${Object.entries(input.app.runtime)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `Data folder: ${input.dataDir}`,
    `Log folder: ${input.logFolder ?? 'none'}`,
  ];
}

/**
 * The diagnostics when the station cannot start (a damaged database): what can be said without
 * it, the database's state and the error, so IT gets a report instead of a failure.
 */
export function collectDiagnosticsWithoutStation(input: DiagnosticsInput, error: unknown): string {
  const database = checkDatabaseFile(path.join(input.dataDir, DATABASE_FILE));
  const lines = [
    ...heading(input, ''),
    '',
    `Database: ${database.text}`,
    `The station could not start: ${error instanceof Error ? error.message : String(error)}`,
    database.ok
      ? 'Nothing else could be read.'
      : 'Keep a copy of the data folder for IT before anything else is changed in it.',
    '',
    `Recent warnings and errors (${input.recentErrors.length}):`,
    ...(input.recentErrors.length ? input.recentErrors.map((e) => `  ${e.at} ${e.level}: ${e.message}`) : ['  none']),
  ];
  return redact(lines.join('\n')) + '\n';
}

/** Plain text, ready to paste into an e-mail to IT. */
export function collectDiagnostics(station: DiagnosticsSource, input: DiagnosticsInput): string {
  const sync = station.sync.status;
  const connections = station.connections.view();
  const readers = station.readers.status();
  const active = connections.profiles.find((p) => p.id === connections.active);
  const lines = [
    ...heading(input, `, locale ${Intl.DateTimeFormat().resolvedOptions().locale}`),
    '',
    `Connection: ${connections.active} -> ${connections.inUse.url} (${connections.inUse.mode}, set by ${connections.inUse.source})`,
    `API key: ${connections.inUse.source === 'environment' ? 'from TOKEN_STATION_API_KEY (not shown)' : connections.inUse.mode === 'sandbox' ? 'none needed (built-in sandbox)' : active ? describeKey(active.key) : 'n/a'}`,
    `Key storage: ${connections.storage.level} (${connections.storage.backend})`,
    ...(connections.problem ? [`Connection problem: ${connections.problem}`] : []),
    '',
    `Readers: ${readers.readers.length ? readers.readers.map((r) => `${r.name} (${r.kind})`).join('; ') : 'none'}`,
    `Last reader error: ${readers.lastError ? `${readers.lastError.at} ${readers.lastError.message}` : 'none'}`,
    '',
    `Sync: ${sync.phase}, online ${String(sync.online)}, last synced ${sync.lastSyncedAt ?? 'never'}`,
    `Queue: ${Object.entries(sync.counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `Last sync error: ${sync.lastError ?? 'none'}`,
    `Audit entries: ${station.audit.count()}`,
    '',
    `Recent warnings and errors (${input.recentErrors.length}):`,
    ...(input.recentErrors.length ? input.recentErrors.map((e) => `  ${e.at} ${e.level}: ${e.message}`) : ['  none']),
  ];
  return redact(lines.join('\n')) + '\n';
}

function describeKey(key: ConnectionsView['profiles'][number]['key']): string {
  switch (key.state) {
    case 'none':
      return 'none entered';
    case 'session':
      return `${key.mask}, this session only`;
    case 'stored':
      return `${key.mask}, stored ${key.savedAt} (${key.protection === 'os' ? 'OS keychain' : 'NOT protected: basic_text'})`;
    case 'unreadable':
      return `stored ${key.savedAt} but cannot be decrypted here: must be entered again`;
  }
}
