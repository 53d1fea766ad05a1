/**
 * Exports: the tokens in Spirii (every page, with the tokens screen's filters of GET /v2/tokens)
 * or the local queue and its history, to CSV, XLSX or JSON, page by page to disk with progress,
 * and cancellable between pages.
 */
import type { SpiriiClient } from '../api/client';
import type { QueuedToken, TokenQueue } from '../queue';
import type { SpiriiToken, TokenSettings } from '../token';
import { localFiltersShape, spiriiFiltersShape, type LocalFilters, type SpiriiFilters } from './shapes';
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

/** The token's settings (TOKEN_SETTING_FIELDS), the same columns in both exports. */
function settingsColumns<Row extends TokenSettings>(): Column<Row>[] {
  return [
    { name: 'validFrom', kind: 'date', get: (t) => t.validFrom },
    { name: 'expiresAt', kind: 'date', get: (t) => t.expiresAt },
    { name: 'isActive', kind: 'boolean', get: (t) => t.isActive, width: 9 },
    { name: 'roamingEnabled', kind: 'boolean', get: (t) => t.roamingEnabled },
    { name: 'priorityChargingEnabled', kind: 'boolean', get: (t) => t.priorityChargingEnabled, width: 22 },
    { name: 'billingReference', kind: 'text', get: (t) => t.billingReference, width: 18 },
    { name: 'comment', kind: 'text', get: (t) => t.comment, width: 30 },
  ];
}

/**
 * Header names are the API's field names, so an export can be imported again; customerName (the
 * customer's name beside its number) is skipped by the import.
 */
export const spiriiColumns = (names: ReadonlyMap<number, string>): Column<SpiriiToken>[] => [
  { name: 'id', kind: 'number', get: (t) => t.id, width: 10 },
  { name: 'uid', kind: 'text', get: (t) => t.identifier.uid ?? null, width: 22 },
  { name: 'label', kind: 'text', get: (t) => t.identifier.label ?? null, width: 18 },
  { name: 'customerId', kind: 'number', get: (t) => t.customerId, width: 12 },
  { name: 'customerName', kind: 'text', get: (t) => names.get(t.customerId) ?? null, width: 24 },
  { name: 'type', kind: 'text', get: (t) => t.identifier.type, width: 8 },
  ...settingsColumns<SpiriiToken>(),
  { name: 'createdAt', kind: 'date', get: (t) => t.createdAt },
  { name: 'updatedAt', kind: 'date', get: (t) => t.updatedAt },
];

export const localColumns = (names: ReadonlyMap<number, string>): Column<LocalRow>[] => [
  { name: 'id', kind: 'number', get: (r) => r.id, width: 8 },
  { name: 'state', kind: 'text', get: (r) => r.state, width: 10 },
  { name: 'uid', kind: 'text', get: (r) => r.uid, width: 22 },
  { name: 'label', kind: 'text', get: (r) => r.label, width: 18 },
  { name: 'customerId', kind: 'number', get: (r) => r.customerId, width: 12 },
  { name: 'customerName', kind: 'text', get: (r) => names.get(r.customerId) ?? null, width: 24 },
  ...settingsColumns<LocalRow>(),
  { name: 'spiriiId', kind: 'number', get: (r) => r.spiriiId, width: 10 },
  { name: 'lastError', kind: 'text', get: (r) => r.lastError, width: 30 },
  { name: 'source', kind: 'text', get: (r) => r.source, width: 16 },
  { name: 'createdAt', kind: 'date', get: (r) => r.createdAt },
  { name: 'updatedAt', kind: 'date', get: (r) => r.updatedAt },
  { name: 'syncedAt', kind: 'date', get: (r) => r.syncedAt },
];

/** The local rows an export reads: the queue's own pages. */
export type LocalPages = Pick<TokenQueue, 'pages'>;

export interface ExportRequest {
  source: ExportSource;
  format: ExportFormat;
  spiriiFilters?: SpiriiFilters;
  localFilters?: LocalFilters;
  csv?: CsvOptions;
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
    return write(openTableWriter(target, request.format, spiriiColumns(names), request.csv), async (writer) => {
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
  return write(openTableWriter(target, request.format, localColumns(names), request.csv), async (writer) => {
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
