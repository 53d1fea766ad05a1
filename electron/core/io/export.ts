/**
 * Exports: the tokens in Spirii (every page, with the tokens screen's filters of GET /v2/tokens)
 * or the local queue and its history, to CSV, XLSX or JSON, page by page to disk with progress,
 * and cancellable between pages.
 */
import type { SpiriiClient } from '../api/client';
import type { QueuedToken, TokenQueue } from '../queue';
import type { SpiriiToken, TokenSettings } from '../token';
import { localFiltersShape, spiriiFiltersShape, type ExportHeaders, type LocalFilters, type SpiriiFilters } from './shapes';
import { Cancelled, tokenPages } from './spirii-pages';
import { openTableWriter, type Column, type CsvOptions, type ExportFormat, type TableWriter } from './writers';

export { spiriiFiltersShape, localFiltersShape, type SpiriiFilters, type LocalFilters };

export type ExportSource = 'spirii' | 'local';

/** A local token as the export reads it: the queue's row, in the queue's words. */
export type LocalRow = QueuedToken;

/** Names for a page's customers: the cache first, the rest from Spirii in a batch. */
export interface CustomerNames {
  resolve(ids: Iterable<number>, options?: { signal?: AbortSignal }): Promise<{ known: ReadonlyMap<number, { name: string }> }>;
}

/** The token's settings (TOKEN_SETTING_FIELDS), the same columns in every export (Spirii's, the queue's, the session's). */
export function settingsColumns<Row extends TokenSettings>(): Column<Row>[] {
  return [
    { name: 'validFrom', label: 'Valid from', kind: 'date', get: (t) => t.validFrom },
    { name: 'expiresAt', label: 'Expires', kind: 'date', get: (t) => t.expiresAt },
    { name: 'isActive', label: 'Active', kind: 'boolean', get: (t) => t.isActive, width: 9 },
    { name: 'roamingEnabled', label: 'Roaming', kind: 'boolean', get: (t) => t.roamingEnabled },
    { name: 'priorityChargingEnabled', label: 'Priority charging', kind: 'boolean', get: (t) => t.priorityChargingEnabled, width: 22 },
    { name: 'billingReference', label: 'Billing reference', kind: 'text', get: (t) => t.billingReference, width: 18 },
    { name: 'comment', label: 'Comment', kind: 'text', get: (t) => t.comment, width: 30 },
  ];
}

/**
 * `name` is the API's field name (an export with API headers can be imported again), `label` the
 * header for people; customerName (the customer's name beside its number) is skipped by the import.
 */
export const spiriiColumns = (names: ReadonlyMap<number, string>): Column<SpiriiToken>[] => [
  { name: 'id', label: 'Token id', kind: 'number', get: (t) => t.id, width: 10 },
  { name: 'uid', label: 'UID', kind: 'text', get: (t) => t.identifier.uid ?? null, width: 22 },
  { name: 'label', label: 'Label', kind: 'text', get: (t) => t.identifier.label ?? null, width: 18 },
  { name: 'customerId', label: 'Customer number', kind: 'number', get: (t) => t.customerId, width: 16 },
  { name: 'customerName', label: 'Customer name', kind: 'text', get: (t) => names.get(t.customerId) ?? null, width: 24 },
  { name: 'type', label: 'Type', kind: 'text', get: (t) => t.identifier.type, width: 8 },
  ...settingsColumns<SpiriiToken>(),
  { name: 'createdAt', label: 'Created', kind: 'date', get: (t) => t.createdAt },
  { name: 'updatedAt', label: 'Updated', kind: 'date', get: (t) => t.updatedAt },
];

export const localColumns = (names: ReadonlyMap<number, string>): Column<LocalRow>[] => [
  { name: 'id', label: 'Queue id', kind: 'number', get: (r) => r.id, width: 8 },
  { name: 'state', label: 'State', kind: 'text', get: (r) => r.state, width: 10 },
  { name: 'uid', label: 'UID', kind: 'text', get: (r) => r.uid, width: 22 },
  { name: 'label', label: 'Label', kind: 'text', get: (r) => r.label, width: 18 },
  { name: 'customerId', label: 'Customer number', kind: 'number', get: (r) => r.customerId, width: 16 },
  { name: 'customerName', label: 'Customer name', kind: 'text', get: (r) => names.get(r.customerId) ?? null, width: 24 },
  ...settingsColumns<LocalRow>(),
  { name: 'spiriiId', label: 'Spirii id', kind: 'number', get: (r) => r.spiriiId, width: 10 },
  { name: 'lastError', label: 'Last error', kind: 'text', get: (r) => r.lastError, width: 30 },
  { name: 'source', label: 'Source', kind: 'text', get: (r) => r.source, width: 16 },
  { name: 'createdAt', label: 'Created', kind: 'date', get: (r) => r.createdAt },
  { name: 'updatedAt', label: 'Updated', kind: 'date', get: (r) => r.updatedAt },
  { name: 'syncedAt', label: 'Synced', kind: 'date', get: (r) => r.syncedAt },
];

/** The local rows an export reads: the queue's own pages. */
export type LocalPages = Pick<TokenQueue, 'pages'>;

export interface ExportRequest {
  source: ExportSource;
  format: ExportFormat;
  spiriiFilters?: SpiriiFilters;
  localFilters?: LocalFilters;
  csv?: CsvOptions;
  /** CSV and XLSX headers: for people, or the API's names (the default here, for re-import). */
  headers?: ExportHeaders;
}

/** The columns with the headers asked for: labels for people in CSV and XLSX; JSON keeps the API's names. */
export function withHeaders<Row>(columns: Column<Row>[], format: ExportFormat, headers: ExportHeaders | undefined): Column<Row>[] {
  if (headers !== 'human' || format === 'json') return columns;
  return columns.map((column) => ({ ...column, name: column.label ?? column.name }));
}

export interface ExportProgress {
  done: number;
  total: number | null;
  /** Set while waiting for the rate limit or retrying. */
  note?: string;
}

export interface ExportResult {
  rows: number;
  bytes: number;
  ms: number;
}

export async function runExport(
  deps: { queue: LocalPages; client: SpiriiClient; customers?: CustomerNames },
  request: ExportRequest,
  target: string,
  options: { signal?: AbortSignal; onProgress?: (progress: ExportProgress) => void } = {},
): Promise<ExportResult> {
  const started = performance.now();
  let done = 0;
  const report = (total: number | null, note?: string) => options.onProgress?.({ done, total, note });
  const check = () => {
    if (options.signal?.aborted) throw new Cancelled();
  };
  const names = new Map<number, string>();
  const learn = async (ids: Iterable<number>) => {
    if (!deps.customers) return;
    const unseen = [...new Set(ids)].filter((id) => !names.has(id));
    if (unseen.length === 0) return;
    for (const [id, c] of (await deps.customers.resolve(unseen, { signal: options.signal })).known) names.set(id, c.name);
  };
  /** Fill the file page by page, then finish it; on any failure (a cancel too) the partial file is removed. */
  const write = async <Row>(writer: TableWriter<Row>, fill: (writer: TableWriter<Row>) => Promise<void>): Promise<ExportResult> => {
    try {
      await fill(writer);
      check();
      const bytes = await writer.finish();
      return { rows: done, bytes, ms: performance.now() - started };
    } catch (error) {
      await writer.abort();
      throw error;
    }
  };
  if (request.source === 'spirii') {
    // The names map fills page by page, before each page is written.
    return write(openTableWriter(target, request.format, withHeaders(spiriiColumns(names), request.format, request.headers), request.csv), async (writer) => {
      report(null);
      let total: number | null = null;
      const pages = tokenPages(deps.client, request.spiriiFilters ?? {}, {
        signal: options.signal,
        onWait: (ms, reason) => report(total, `${reason}: waiting ${Math.ceil(ms / 1000)} s`),
      });
      for await (const page of pages) {
        check();
        total = page.count;
        await learn(page.tokens.map((t) => t.customerId));
        await writer.write(page.tokens);
        done += page.tokens.length;
        report(total);
      }
    });
  }
  return write(openTableWriter(target, request.format, withHeaders(localColumns(names), request.format, request.headers), request.csv), async (writer) => {
    for await (const page of deps.queue.pages(request.localFilters ?? {})) {
      check();
      await learn(page.rows.map((r) => r.customerId));
      await writer.write(page.rows);
      done += page.rows.length;
      report(page.count);
    }
  });
}

export { Cancelled };
