/**
 * Importing a card list: plan the file (import-plan.ts), leave out the cards already in the queue
 * and (when Spirii can be reached) already in Spirii (import-checks.ts), show all of it, and only
 * on confirmation queue the ready rows, all of them in one SQLite transaction or none.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Db } from '../db/sqlite';
import type { QueuedToken, TokenQueue } from '../queue';
import type { Settings } from '../settings';
import type { SpiriiClient } from '../api/client';
import type { CustomerDirectory } from '../customers';
import { ENCODING_NAMES, type TextEncodingName } from './text';
import { DELIMITER_NAMES, type Delimiter } from './dialect';
import { UID_FORMAT_NAMES, type UidFormat } from './uid-formats';
import { draftOf, planImport, type ColumnMapping, type ImportDefaults, type ImportPlan, type ImportValues, type PlanRow, type Problem, type ProblemDetail, type RowStatus, type DuplicateKind } from './import-plan';
import { isKnownHeader } from './import-headers';
import { ImportHistory, type ColumnChoice, type PreviousImport } from './import-history';
import { checkCustomers, checkSpirii, markQueued, type CheckOptions, type CustomerCheck, type SpiriiCheck } from './import-checks';
import { unneutralizeCell } from './csv-safe';
import { openTableWriter, type Column } from './writers';
import { groupProblems, summarize, type ImportSummary, type ProblemGroup } from './import-summary';

/** Rows and problems a preview carries to the window; the CLI's --json and the core keep them all. */
export const PREVIEW_ROWS = 200;
export const PREVIEW_PROBLEMS = 500;

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

export interface ImportOptions extends CheckOptions {
  defaults: ImportDefaults;
  uidFormat?: UidFormat | 'auto';
  /** Which column is which (the mapping step); without it, the one remembered for the file's headers. */
  mapping?: ColumnChoice;
  /** Without a UID column, ask for a mapping (NeedsMapping) instead of refusing the file. */
  askMapping?: boolean;
}

/** The queue changed between preview and confirmation; nothing was imported. */
export class ImportConflict extends Error {}

export class Importer {
  private readonly history: ImportHistory;

  constructor(
    private readonly db: Db,
    settings: Settings,
    private readonly client: SpiriiClient,
    private readonly queue: TokenQueue,
    private readonly customers?: CustomerDirectory,
    /** Records the queued tokens in the audit trail, one entry each, as a tap's token is. */
    private readonly recordEnrolled?: (tokens: readonly QueuedToken[]) => void,
  ) {
    this.history = new ImportHistory(settings);
  }

  async prepare(bytes: Uint8Array, fileName: string, options: ImportOptions): Promise<Prepared> {
    options.onProgress?.('reading', 0, bytes.length);
    const plan = planImport(bytes, {
      defaults: options.defaults,
      uidFormat: options.uidFormat,
      mapping: options.mapping,
      mappingFor: (headers) => this.history.mapping(headers),
      askMapping: options.askMapping,
    });
    if (options.mapping) this.history.rememberMapping(plan.columns.map((c) => c.header), options.mapping);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    options.onProgress?.('checking the queue', 0, plan.rows.length);
    markQueued(plan, this.queue);
    options.onProgress?.('checking Spirii', 0, plan.rows.length);
    const { check: customers, names: customerNames } = await checkCustomers(plan, this.customers, options);
    const spirii: SpiriiCheck =
      options.checkSpirii === false ? { state: 'skipped', message: 'Not checked against Spirii (asked not to).' } : await checkSpirii(plan, this.client, options);
    plan.problems.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
    return {
      plan,
      fileName: path.basename(fileName),
      size: bytes.length,
      sha256,
      spirii,
      previous: this.history.previous(sha256),
      defaults: options.defaults,
      customers,
      customerNames,
    };
  }

  /** The headers a file gives that the import does not know, and no remembered mapping covers. */
  unknownHeaders(plan: ImportPlan): string[] {
    if (this.history.mapping(plan.columns.map((c) => c.header))) return [];
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
      this.history.remember({ sha256: prepared.sha256, fileName: prepared.fileName, at: now, queued: inserted.length });
      return inserted;
    })();
    // The window shows the newest rows; counts come from the sync status. Sending 100,000 rows would not help it.
    this.queue.announce(inserted.slice(-200).reverse());
    this.recordEnrolled?.(inserted);
    return { queued: inserted.length, notQueued: prepared.plan.rows.length - inserted.length, fileName: prepared.fileName };
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

// What the Import/Export service and the CLI import from here, wherever it is made.
export type { ColumnChoice } from './import-history';
export { describeSummary, groupProblems, type ImportSummary, type ProblemGroup } from './import-summary';
