/**
 * Importing a card list: plan the file (import-plan.ts), leave out the cards already in the queue
 * and (when Spirii can be reached) already in Spirii, show all of it, and only on confirmation
 * queue the ready rows, all of them in one SQLite transaction or none.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Db } from '../db/sqlite';
import type { QueuedToken, TokenQueue } from '../queue';
import type { Settings } from '../settings';
import type { SpiriiClient } from '../api/client';
import { NetworkError } from '../api/errors';
import { ENCODING_NAMES, type TextEncodingName } from './text';
import { DELIMITER_NAMES, type Delimiter } from './dialect';
import { UID_FORMAT_NAMES, type UidFormat } from './uid-formats';
import {
  describeProblem,
  draftOf,
  planImport,
  type ColumnMapping,
  type ImportDefaults,
  type ImportPlan,
  type ImportValues,
  type PlanRow,
  type Problem,
  type ProblemDetail,
  type RowStatus,
  type DuplicateKind,
} from './import-plan';
import { Cancelled, tokenPages, PAGE_SIZE } from './spirii-pages';
import type { FilesStep } from './shapes';
import type { CustomerDirectory } from '../customers';
import { headerSetKey, isKnownHeader, type ImportField } from './import-plan';
import { unneutralizeCell } from './csv-safe';
import { openTableWriter, type Column } from './writers';
import { groupProblems, summarize, type ImportSummary, type ProblemGroup } from './import-summary';

/** Rows and problems a preview carries to the window; the CLI's --json and the core keep them all. */
export const PREVIEW_ROWS = 200;
export const PREVIEW_PROBLEMS = 500;
/** More requests than this to check a file against Spirii, and the check is left to the sync. */
export const MAX_SPIRII_REQUESTS = 300;
const LOOKUP_CONCURRENCY = 4;
const HISTORY_KEY = 'import.history';
const MAPPINGS_KEY = 'import.mappings';
const MAPPINGS_LIMIT = 100;

export type ColumnChoice = Readonly<Record<string, ImportField | null>>;

/** The customer check of a preview: every row's customer, from the cache and then from Spirii. */
export interface CustomerCheck {
  state: 'checked' | 'offline' | 'skipped';
  /** Requests made to Spirii for it (0: all were cached). */
  requests: number;
  message: string | null;
}

const HISTORY_LIMIT = 200;

export interface SpiriiCheck {
  state: 'checked' | 'offline' | 'skipped' | 'failed';
  message: string | null;
  /** Skipped for its size: the requests the check would have taken. */
  requests?: number;
  /** Offline or failed: the error as it came (a network's or Spirii's own text). */
  error?: string;
}


export interface PreviewRow extends ImportValues {
  row: number;
  status: RowStatus;
  duplicate: DuplicateKind | null;
  message: string | null;
  detail?: ProblemDetail;
  /** The customer's name, when the desk knows it. */
  customerName: string | null;
  /** Replaces the queue's rejected token of this id. */
  replaces: number | null;
}

export interface PreviousImport {
  at: string;
  fileName: string;
  queued: number;
}

export interface ImportPreview {
  id: string;
  fileName: string;
  size: number;
  sha256: string;
  format: {
    encoding: string;
    delimiter: string;
    /** The same two as data (encoding, delimiter character), for a window in another language. */
    encodingId: TextEncodingName;
    delimiterChar: Delimiter;
    lineEnding: string;
    sepLine: boolean;
    uidFormat: UidFormat;
    uidFormatDetected: boolean;
    /** In words, e.g. "UTF-8 with BOM, semicolon-separated, CRLF line ends, UIDs in hex". */
    description: string;
  };
  columns: ColumnMapping[];
  summary: ImportSummary;
  spirii: SpiriiCheck;
  /** The same file (by content) was imported before. */
  previous: PreviousImport | null;
  rows: PreviewRow[];
  problems: Problem[];
  problemsTotal: number;
  /** Every problem, grouped: errors first, then warnings, then rows not queued because the card is already queued or in Spirii. */
  groups: ProblemGroup[];
  customers: CustomerCheck;
  /** Rows that would go into the rows-not-queued file. */
  notQueued: number;
  /** The customer a row without one gets (the session's or --customer). */
  defaultCustomerId: number | null;
}

export interface ImportResult {
  queued: number;
  notQueued: number;
  fileName: string;
}

export interface Prepared {
  plan: ImportPlan;
  fileName: string;
  size: number;
  sha256: string;
  spirii: SpiriiCheck;
  previous: PreviousImport | null;
  defaults: ImportDefaults;
  customers: CustomerCheck;
  customerNames: Map<number, string>;
}

export interface ImportOptions {
  defaults: ImportDefaults;
  uidFormat?: UidFormat | 'auto';
  /** Which column is which (the mapping step); without it, the one remembered for the file's headers. */
  mapping?: ColumnChoice;
  /** Without a UID column, ask for a mapping (NeedsMapping) instead of refusing the file. */
  askMapping?: boolean;
  /** Check the ready cards against Spirii (default true). */
  checkSpirii?: boolean;
  signal?: AbortSignal;
  onProgress?: (phase: FilesStep, done: number, total: number) => void;
}

/** The queue changed between preview and confirmation; nothing was imported. */
export class ImportConflict extends Error {}

export class Importer {
  constructor(
    private readonly db: Db,
    private readonly settings: Settings,
    private readonly client: SpiriiClient,
    private readonly queue: TokenQueue,
    private readonly customers?: CustomerDirectory,
    /** Records the queued tokens in the audit trail, one entry each, as a tap's token is. */
    private readonly recordEnrolled?: (tokens: readonly QueuedToken[]) => void,
  ) {}

  async prepare(bytes: Uint8Array, fileName: string, options: ImportOptions): Promise<Prepared> {
    options.onProgress?.('reading', 0, bytes.length);
    const plan = planImport(bytes, {
      defaults: options.defaults,
      uidFormat: options.uidFormat,
      mapping: options.mapping,
      mappingFor: (headers) => this.rememberedMapping(headers),
      askMapping: options.askMapping,
    });
    if (options.mapping) this.rememberMapping(plan.columns.map((c) => c.header), options.mapping);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    options.onProgress?.('checking the queue', 0, plan.rows.length);
    this.markQueued(plan);
    options.onProgress?.('checking Spirii', 0, plan.rows.length);
    const { check: customers, names: customerNames } = await this.checkCustomers(plan, options);
    const spirii: SpiriiCheck =
      options.checkSpirii === false ? { state: 'skipped', message: 'Not checked against Spirii (asked not to).' } : await this.checkSpirii(plan, options);
    plan.problems.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
    const previous = this.history().find((h) => h.sha256 === sha256) ?? null;
    return {
      plan,
      fileName: path.basename(fileName),
      size: bytes.length,
      sha256,
      spirii,
      previous: previous && { at: previous.at, fileName: previous.fileName, queued: previous.queued },
      defaults: options.defaults,
      customers,
      customerNames,
    };
  }

  /** The headers a file gives that the import does not know, and no remembered mapping covers. */
  unknownHeaders(plan: ImportPlan): string[] {
    if (this.rememberedMapping(plan.columns.map((c) => c.header))) return [];
    return plan.columns.filter((c) => !c.field && !isKnownHeader(c.header)).map((c) => c.header);
  }

  preview(prepared: Prepared, id: string, limits = { rows: PREVIEW_ROWS, problems: PREVIEW_PROBLEMS }): ImportPreview {
    const { plan } = prepared;
    const f = plan.format;
    return {
      id,
      fileName: prepared.fileName,
      size: prepared.size,
      sha256: prepared.sha256,
      format: {
        encoding: ENCODING_NAMES[f.encoding],
        delimiter: DELIMITER_NAMES[f.delimiter],
        encodingId: f.encoding,
        delimiterChar: f.delimiter,
        lineEnding: f.lineEnding,
        sepLine: f.sepLine,
        uidFormat: f.uidFormat,
        uidFormatDetected: f.uidFormatDetected,
        description: [
          ENCODING_NAMES[f.encoding],
          `${DELIMITER_NAMES[f.delimiter]}-separated${f.sepLine ? ` (from its "sep=" line)` : ''}`,
          `${f.lineEnding} line ends`,
          `UIDs in ${UID_FORMAT_NAMES[f.uidFormat]}${f.uidFormatDetected ? ' (detected)' : ''}`,
        ].join(', '),
      },
      columns: plan.columns,
      summary: summarize(plan),
      spirii: prepared.spirii,
      previous: prepared.previous,
      rows: plan.rows.slice(0, limits.rows).map((row) => toPreviewRow(row, prepared.customerNames)),
      problems: plan.problems.slice(0, limits.problems),
      problemsTotal: plan.problems.length,
      groups: groupProblems(plan.problems),
      customers: prepared.customers,
      notQueued: plan.rows.filter(isNotQueued).length,
      defaultCustomerId: prepared.defaults.customerId,
    };
  }

  /** Queue every ready row in one transaction; if any was queued meanwhile, queue none. */
  commit(prepared: Prepared): ImportResult {
    const ready = prepared.plan.rows.filter((r) => r.status === 'ready');
    const source = `import:${prepared.fileName}`.slice(0, 200);
    const now = new Date().toISOString();
    const inserted = this.db.transaction(() => {
      const inserted: QueuedToken[] = [];
      // A card queued meanwhile is found by its insert; a label given to another card meanwhile only by asking.
      const taken: string[] = [...this.queue.admissions(ready.map((r) => ({ uid: r.values.uid, label: r.values.label })))]
        .filter(([, admission]) => admission.kind === 'label-used')
        .map(([uid]) => uid);
      for (const row of ready) {
        const draft = draftOf(row.values, source);
        const token = row.replaces !== undefined ? this.queue.replaceRejected(row.replaces, draft) : this.queue.insertQuietly(draft);
        if (token) inserted.push(token);
        else taken.push(row.values.uid);
      }
      if (taken.length > 0) {
        throw new ImportConflict(
          `${taken.length} of the cards were queued since the preview (${taken.slice(0, 3).join(', ')}${taken.length > 3 ? ', ...' : ''}). Nothing was imported: preview the file again.`,
        );
      }
      this.remember({ sha256: prepared.sha256, fileName: prepared.fileName, at: now, queued: inserted.length });
      return inserted;
    })();
    // The window shows the newest rows; counts come from the sync status. Sending 100,000 rows would not help it.
    this.queue.announce(inserted.slice(-200).reverse());
    this.recordEnrolled?.(inserted);
    return { queued: inserted.length, notQueued: prepared.plan.rows.length - inserted.length, fileName: prepared.fileName };
  }

  private history(): (PreviousImport & { sha256: string })[] {
    return this.settings.get<(PreviousImport & { sha256: string })[]>(HISTORY_KEY, []);
  }

  private remember(entry: PreviousImport & { sha256: string }): void {
    this.settings.set(HISTORY_KEY, [entry, ...this.history()].slice(0, HISTORY_LIMIT));
  }

  /** Hold back the rows whose card the queue will not take again, and mark those that replace a rejected token. */
  private markQueued(plan: ImportPlan): void {
    const ready = plan.rows.filter((r) => r.status === 'ready');
    const uidColumn = plan.columns.find((c) => c.field === 'uid')!.header;
    const labelColumn = plan.columns.find((c) => c.field === 'label')?.header ?? 'label';
    // The queue's one rule for a UID and its label, the same as a tap's.
    const admissions = this.queue.admissions(ready.map((r) => ({ uid: r.values.uid, label: r.values.label })));
    for (const row of ready) {
      const admission = admissions.get(row.values.uid);
      if (!admission) continue;
      if (admission.kind === 'replaces') {
        row.replaces = admission.id;
        continue;
      }
      const { existing } = admission;
      if (admission.kind === 'label-used') {
        // Not a duplicate of the card: the desk gives it another label and imports it again.
        const detail: ProblemDetail = { key: 'label-used', params: { label: admission.label, uid: existing.uid, state: existing.state, customerId: existing.customerId, spiriiId: existing.spiriiId } };
        row.status = 'invalid';
        row.message = admission.message;
        row.detail = detail;
        plan.problems.push({ row: row.row, column: labelColumn, severity: 'error', message: admission.message, detail });
        continue;
      }
      markDuplicate(row, 'queue', admission.message, plan.problems, uidColumn, { key: 'in-queue', params: { uid: row.values.uid, state: existing.state, customerId: existing.customerId, label: existing.label } });
    }
    // One label on two cards of the file: which card has it cannot be told, so neither is queued
    // (as with a card the file gives twice with different data), and the queue never holds two.
    const byLabel = new Map<string, PlanRow[]>();
    for (const row of ready) {
      if (row.status !== 'ready' || row.values.label === null) continue;
      const rows = byLabel.get(row.values.label);
      if (rows) rows.push(row);
      else byLabel.set(row.values.label, [row]);
    }
    for (const [label, rows] of byLabel) {
      const first = rows[0]!;
      const second = rows.find((r) => r.values.uid !== first.values.uid);
      if (!second) continue;
      for (const row of rows) {
        const other = row.values.uid === first.values.uid ? second : first;
        const detail: ProblemDetail = { key: 'label-repeated', params: { label, uid: other.values.uid, row: other.row } };
        row.status = 'invalid';
        row.message = `Label ${label} is also on card ${other.values.uid} in row ${other.row}; neither row is queued`;
        row.detail = detail;
        plan.problems.push({ row: row.row, column: labelColumn, severity: 'error', message: row.message, detail });
      }
    }
  }

  /**
   * Write the rows that were not queued, with the file's own columns and a reason, as a CSV the
   * desk fixes and imports again. Rows not queued only because they are already queued (or repeat
   * a queued row exactly) are left out: there is nothing to fix in them.
   */
  async writeNotQueued(prepared: Prepared, target: string): Promise<{ rows: number; bytes: number }> {
    const rows = prepared.plan.rows.filter(isNotQueued);
    const columns: Column<PlanRow>[] = prepared.plan.columns.map((c) => ({ name: c.header, kind: 'text', get: (row) => unneutralizeCell(row.cells[c.index] ?? '') }));
    columns.push({ name: 'reason', kind: 'text', get: (row) => row.message });
    const delimiter = prepared.plan.format.delimiter === ',' ? ',' : ';';
    const writer = openTableWriter(target, 'csv', columns, { delimiter, bom: true });
    try {
      await writer.write(rows);
      return { rows: rows.length, bytes: await writer.finish() };
    } catch (error) {
      await writer.abort();
      throw error;
    }
  }

  private rememberedMapping(headers: readonly string[]): ColumnChoice | undefined {
    return this.settings.get<Record<string, ColumnChoice>>(MAPPINGS_KEY, {})[headerSetKey(headers)];
  }

  private rememberMapping(headers: readonly string[], mapping: ColumnChoice): void {
    const key = headerSetKey(headers);
    const all = this.settings.get<Record<string, ColumnChoice>>(MAPPINGS_KEY, {});
    delete all[key];
    const kept = Object.entries(all).slice(-(MAPPINGS_LIMIT - 1));
    this.settings.set(MAPPINGS_KEY, Object.fromEntries([...kept, [key, mapping]]));
  }

  /** Every row's customer must be one Spirii has: the cache first, then Spirii for the rest, in batches. */
  private async checkCustomers(plan: ImportPlan, options: ImportOptions): Promise<{ check: CustomerCheck; names: Map<number, string> }> {
    const ids = new Set<number>();
    for (const row of plan.rows) if (row.values.customerId !== null) ids.add(row.values.customerId);
    if (!this.customers || options.checkSpirii === false) return { check: { state: 'skipped', requests: 0, message: null }, names: new Map() };
    const result = await this.customers.resolve(ids, { signal: options.signal });
    const names = new Map([...result.known].map(([id, c]) => [id, c.name]));
    const customerColumn = plan.columns.find((c) => c.field === 'customerId')?.header ?? 'customerId';
    if (result.unknown.size > 0) {
      for (const row of plan.rows) {
        const id = row.values.customerId;
        if (id === null || !result.unknown.has(id) || row.status === 'invalid') continue;
        const message = `Spirii has no customer ${id}: check the customer number`;
        const detail: ProblemDetail = { key: 'unknown-customer', params: { customerId: id } };
        if (row.status === 'ready') {
          row.status = 'invalid';
          row.duplicate = null;
          row.message = message;
          row.detail = detail;
          delete row.replaces;
        }
        plan.problems.push({ row: row.row, column: customerColumn, severity: 'error', message, detail });
      }
    }
    const check: CustomerCheck =
      result.state === 'offline'
        ? {
            state: 'offline',
            requests: result.requests,
            message: `Spirii could not be reached, so customers the desk has not seen before were not checked; Spirii refuses an unknown one when the queue is sent. (${result.error ?? ''})`,
          }
        : { state: 'checked', requests: result.requests, message: null };
    return { check, names };
  }

  private async checkSpirii(plan: ImportPlan, options: ImportOptions): Promise<SpiriiCheck> {
    const ready = plan.rows.filter((r) => r.status === 'ready');
    if (ready.length === 0) return { state: 'checked', message: null };
    const uidColumn = plan.columns.find((c) => c.field === 'uid')!.header;
    const byUid = new Map(ready.map((r) => [r.values.uid, r]));
    try {
      const first = await this.client.listTokens({ type: 'rfid', limit: 1 });
      const pages = Math.ceil(first.count / PAGE_SIZE);
      const requests = Math.min(pages, byUid.size);
      if (requests > MAX_SPIRII_REQUESTS) {
        return {
          state: 'skipped',
          message: `Not checked against Spirii: it would take ${requests} requests. Cards already in Spirii are refused when the queue is sent.`,
          requests,
        };
      }
      const found: { uid: string; id: number; customerId: number; label: string | null | undefined }[] = [];
      if (pages <= byUid.size) {
        let done = 0;
        for await (const page of tokenPages(this.client, { type: 'rfid' }, { signal: options.signal })) {
          for (const t of page.tokens) {
            const uid = t.identifier.uid?.toUpperCase();
            if (uid && byUid.has(uid)) found.push({ uid, id: t.id, customerId: t.customerId, label: t.identifier.label });
          }
          done += page.tokens.length;
          options.onProgress?.('checking Spirii', done, page.count);
        }
      } else {
        const uids = [...byUid.keys()];
        let next = 0;
        const worker = async () => {
          while (next < uids.length) {
            if (options.signal?.aborted) throw new Cancelled();
            const uid = uids[next++]!;
            const t = await this.client.findTokenByUid(uid);
            if (t) found.push({ uid, id: t.id, customerId: t.customerId, label: t.identifier.label });
            options.onProgress?.('checking Spirii', next, uids.length);
          }
        };
        await Promise.all(Array.from({ length: LOOKUP_CONCURRENCY }, worker));
      }
      for (const f of found) {
        const row = byUid.get(f.uid)!;
        if (row.status !== 'ready') continue;
        markDuplicate(row, 'spirii', `Card ${f.uid} is already in Spirii (token ${f.id}, customer ${f.customerId}${f.label ? `, label ${f.label}` : ''})`, plan.problems, uidColumn, { key: 'in-spirii', params: { uid: f.uid, tokenId: f.id, customerId: f.customerId, label: f.label ?? null } });
      }
      return { state: 'checked', message: null };
    } catch (error) {
      if (error instanceof Cancelled) throw error;
      if (error instanceof NetworkError) {
        return {
          state: 'offline',
          message: `Spirii could not be reached, so cards already in Spirii are not shown; they are refused when the queue is sent. (${error.message})`,
          error: error.message,
        };
      }
      return { state: 'failed', message: `Spirii could not be checked: ${(error as Error).message}`, error: (error as Error).message };
    }
  }
}

/** A row not queued because its card is already queued or in Spirii: it becomes a duplicate, with its reason. */
function markDuplicate(row: PlanRow, kind: DuplicateKind, message: string, problems: Problem[], column: string, detail: ProblemDetail): void {
  row.status = 'duplicate';
  row.duplicate = kind;
  row.message = message;
  row.detail = detail;
  problems.push({ row: row.row, column, severity: 'duplicate', message, detail });
}

/** A row the desk has something to do about: not queued, and not merely already queued. */
function isNotQueued(row: PlanRow): boolean {
  if (row.status === 'ready') return false;
  return !(row.detail?.key === 'in-queue' || row.detail?.key === 'repeats');
}

function toPreviewRow(row: PlanRow, names: ReadonlyMap<number, string>): PreviewRow {
  return {
    row: row.row,
    status: row.status,
    duplicate: row.duplicate,
    message: row.message,
    ...(row.detail ? { detail: row.detail } : {}),
    ...row.values,
    customerName: row.values.customerId !== null ? (names.get(row.values.customerId) ?? null) : null,
    replaces: row.replaces ?? null,
  };
}

export { describeProblem };
export { describeSummary, groupProblems, type ImportSummary, type ProblemGroup } from './import-summary';
