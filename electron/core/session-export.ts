/**
 * The Session screen's export: the session's tokens written by the core (never a download made in
 * the window), to a file chosen in the file dialogs port, and recorded in the audit trail as an
 * export like every other one.
 */
import path from 'node:path';
import type { AuditLog } from './audit';
import { settingsColumns, type CustomerNames } from './io/export';
import type { FileDialogs } from './io/dialogs';
import type { SaveResult } from './io/files';
import { openTableWriter, type Column } from './io/writers';
import type { QueuedToken } from './queue';
import type { SessionView } from './session';

export const SESSION_EXPORT_FORMATS = ['csv', 'json'] as const;
export type SessionExportFormat = (typeof SESSION_EXPORT_FORMATS)[number];

/**
 * The API's field names first (uid, label, customerId), so a session file can be imported again;
 * customerName (the customer's name beside its number) is skipped by the import.
 */
export const sessionColumns = (names: ReadonlyMap<number, string>): Column<QueuedToken>[] => [
  { name: 'uid', kind: 'text', get: (t) => t.uid },
  { name: 'label', kind: 'text', get: (t) => t.label },
  { name: 'customerId', kind: 'number', get: (t) => t.customerId },
  { name: 'customerName', kind: 'text', get: (t) => names.get(t.customerId) ?? null },
  { name: 'state', kind: 'text', get: (t) => t.state },
  { name: 'spiriiId', kind: 'number', get: (t) => t.spiriiId },
  { name: 'createdAt', kind: 'date', get: (t) => t.createdAt },
  { name: 'syncedAt', kind: 'date', get: (t) => t.syncedAt },
  ...settingsColumns<QueuedToken>(),
  { name: 'lastError', kind: 'text', get: (t) => t.lastError },
];

const FILTERS: Record<SessionExportFormat, { name: string; extensions: string[] }[]> = {
  csv: [{ name: 'CSV', extensions: ['csv'] }],
  json: [{ name: 'JSON', extensions: ['json'] }],
};

export async function exportSession(
  deps: { dialogs: FileDialogs; audit: AuditLog; customers?: CustomerNames },
  view: SessionView,
  format: SessionExportFormat,
): Promise<SaveResult> {
  const stamp = view.startedAt.slice(0, 16).replace(/[:T]/g, '-');
  const target = await deps.dialogs.pickSaveFile({ title: 'Export this session', defaultName: `token-station-session-${stamp}.${format}`, filters: FILTERS[format] });
  if (target === null) return { status: 'cancelled' };
  const fileName = path.basename(target);
  // Oldest first, as the cards were tapped; a discarded token has left the session (as on screen).
  const rows = view.tokens.filter((t) => t.state !== 'discarded').reverse();
  // The session's few customers, named in one batch (the cache first, then Spirii).
  const names = new Map<number, string>();
  if (deps.customers) {
    try {
      for (const [id, c] of (await deps.customers.resolve(new Set(rows.map((t) => t.customerId)))).known) names.set(id, c.name);
    } catch {
      // Spirii not reached and not cached: the numbers alone still say whose cards they are.
    }
  }
  const writer = openTableWriter(target, format, sessionColumns(names));
  let bytes: number;
  try {
    await writer.write(rows);
    bytes = await writer.finish();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  deps.audit.record('export', { what: 'session', format, rows: rows.length, sessionStartedAt: view.startedAt }, fileName);
  return { status: 'done', fileName, rows: rows.length, bytes, message: `Exported ${rows.length} tokens to ${fileName}.` };
}
