/**
 * From a CSV file to an import plan: which column is which field, each row's values (the file's,
 * or the session's defaults where it leaves them out), every problem with its row and column, and
 * the cards that repeat within the file. Pure: the queue and Spirii checks come after
 * (import-checks.ts); headers are read by import-headers.ts, cells by import-cells.ts.
 */
import type { TokenDraft } from '../queue';
import { CONTROL_CHARACTERS_MESSAGE, TEXT_FIELD_MAX, hasControlCharacters, type TokenSettings } from '../token';
import { readCsv, type CsvFormat } from './csv-read';
import { FileRefused } from './text';
import { unneutralizeCell } from './csv-safe';
import { detectUidFormat, parseUidAs, type UidFormat } from './uid-formats';
import type { UidProblem } from '../uid';
import { fieldOfHeader, isExportOnly, type ImportField } from './import-headers';
import { describeCell, parseBoolean, parseDateTime } from './import-cells';

// The plan's headers and cells, for whoever imported them from here (the CLI, the tests).
export { IMPORT_FIELDS, fieldOfHeader, guessField, headerSetKey, isKnownHeader, type ImportField } from './import-headers';
export { parseBoolean, parseDateTime } from './import-cells';

/** The file has no UID column the import recognises: the desk maps the columns first. */
export class NeedsMapping extends Error {
  constructor(readonly columns: ColumnMapping[]) {
    super('No UID column: say which column is which.');
  }
}

/** What fills a cell the file leaves out: the session's defaults, or the CLI's --customer. */
export type ImportDefaults = Omit<TokenDraft, 'uid' | 'label' | 'source' | 'customerId'> & { customerId: number | null };

export type RowStatus = 'ready' | 'invalid' | 'duplicate';
export type DuplicateKind = 'file' | 'queue' | 'spirii';

export interface ImportValues extends TokenSettings {
  uid: string;
  label: string | null;
  customerId: number | null;
}

/**
 * A problem as data, for a window that words it in its own language; `message` stays the English
 * (the CLI, the log). Values from the file are carried as they are.
 */
export type ProblemDetail =
  | { key: 'unknown-columns'; params: { columns: string } }
  | { key: 'cell-count'; params: { cells: number; header: number } }
  | { key: 'uid'; params: { problem: UidProblem } }
  | { key: 'too-long'; params: { field: string; length: number; max: number } }
  | { key: 'control-characters'; params: { field: string } }
  | { key: 'not-boolean'; params: { field: string; value: string } }
  | { key: 'not-date'; params: { field: string; value: string } }
  | { key: 'not-customer'; params: { value: string } }
  | { key: 'no-customer'; params: Record<string, never> }
  | { key: 'expires-before'; params: { validFrom: string; expiresAt: string } }
  | { key: 'expired'; params: { expiresAt: string } }
  | { key: 'unknown-customer'; params: { customerId: number } }
  | { key: 'repeats'; params: { uid: string; row: number } }
  | { key: 'conflict'; params: { uid: string; row: number } }
  | { key: 'conflict-later'; params: { uid: string } }
  | { key: 'in-queue'; params: { uid: string; state: string; customerId: number; label: string | null } }
  | { key: 'in-spirii'; params: { uid: string; tokenId: number; customerId: number; label: string | null } }
  /** The label is on another card in the queue (`uid`, its row's state, customer and Spirii id): refused as a tap is. */
  | { key: 'label-used'; params: { label: string; uid: string; state: string; customerId: number; spiriiId: number | null } }
  /** The file gives this label to another card too (`uid`, in `row`): neither row is queued. */
  | { key: 'label-repeated'; params: { label: string; uid: string; row: number } };

export interface PlanRow {
  row: number;
  status: RowStatus;
  duplicate: DuplicateKind | null;
  /** Why the row is not queued (the first problem, or the duplicate), for the preview's table. */
  message: string | null;
  detail?: ProblemDetail;
  values: ImportValues;
  /** The cells as the file gave them, for the file of rows that were not queued. */
  cells: string[];
  /** The queue's rejected token for the same card, which this row replaces when queued. */
  replaces?: number;
}

export interface Problem {
  /** The spreadsheet row (the header is row 1); null for the file as a whole. */
  row: number | null;
  /** The column's header as the file names it. */
  column: string | null;
  severity: 'error' | 'warning' | 'duplicate';
  message: string;
  detail?: ProblemDetail;
}

export interface ColumnMapping {
  index: number;
  header: string;
  field: ImportField | null;
}

export interface ImportPlan {
  format: CsvFormat & { uidFormat: UidFormat; uidFormatDetected: boolean };
  columns: ColumnMapping[];
  rows: PlanRow[];
  /** File-level notes and every row's problems, in row order. */
  problems: Problem[];
}

export interface PlanOptions {
  defaults: ImportDefaults;
  /** The desk's choice of field per header (the mapping step); a header not in it is read by its name. */
  mapping?: Readonly<Record<string, ImportField | null>>;
  /** A mapping remembered for this set of headers, used when `mapping` is not given. */
  mappingFor?: (headers: string[]) => Readonly<Record<string, ImportField | null>> | undefined;
  /** What "already expired" is measured against (Spirii refuses an expiry before its validFrom, which defaults to now). */
  now?: Date;
  /** Without a UID column, throw NeedsMapping (the window asks) instead of refusing the file (the CLI). */
  askMapping?: boolean;
  /** 'auto' (default): decimal when the column can only be decimal, else hex. */
  uidFormat?: UidFormat | 'auto';
}


/** Rows repeating a card: an identical repeat is dropped; repeats that disagree are all left out. */
function markFileDuplicates(rows: PlanRow[], problems: Problem[], uidColumn: string): void {
  const first = new Map<string, PlanRow>();
  const conflicted = new Set<PlanRow>();
  for (const row of rows) {
    if (row.status !== 'ready') continue;
    const earlier = first.get(row.values.uid);
    if (!earlier) {
      first.set(row.values.uid, row);
      continue;
    }
    const same = JSON.stringify(earlier.values) === JSON.stringify(row.values);
    row.status = 'duplicate';
    row.duplicate = 'file';
    row.message = same
      ? `Card ${row.values.uid} repeats row ${earlier.row}; it is queued once`
      : `Card ${row.values.uid} is also in row ${earlier.row} with different data; neither row is queued`;
    row.detail = { key: same ? 'repeats' : 'conflict', params: { uid: row.values.uid, row: earlier.row } };
    problems.push({ row: row.row, column: uidColumn, severity: 'duplicate', message: row.message, detail: row.detail });
    if (!same) conflicted.add(earlier);
  }
  for (const row of conflicted) {
    if (row.status !== 'ready') continue;
    row.status = 'duplicate';
    row.duplicate = 'file';
    row.message = `Card ${row.values.uid} appears again later in the file with different data; neither row is queued`;
    row.detail = { key: 'conflict-later', params: { uid: row.values.uid } };
    problems.push({ row: row.row, column: uidColumn, severity: 'duplicate', message: row.message, detail: row.detail });
  }
}

export function planImport(bytes: Uint8Array, options: PlanOptions): ImportPlan {
  let columns: ColumnMapping[] = [];
  const raw: { row: number; cells: string[] }[] = [];
  let mapping = options.mapping;
  const format = readCsv(bytes, (record) => {
    if (columns.length === 0) {
      const names = record.cells.map((header) => header.replace(/^\uFEFF/, '').trim());
      mapping ??= options.mappingFor?.(names);
      columns = names.map((name, index) => {
        const mapped = mapping && Object.hasOwn(mapping, name) ? mapping[name]! : fieldOfHeader(name);
        return { index, header: name, field: mapped };
      });
    }
    else raw.push(record);
  });

  const problems: Problem[] = [];
  const byField = new Map<ImportField, ColumnMapping>();
  for (const column of columns) {
    if (!column.field) continue;
    const other = byField.get(column.field);
    if (other) {
      throw new FileRefused(`Columns "${other.header}" and "${column.header}" both give the ${column.field}: keep one of them.`, { key: 'same-field', params: { first: other.header, second: column.header, field: column.field } });
    }
    byField.set(column.field, column);
  }
  const uidColumn = byField.get('uid');
  if (!uidColumn && options.askMapping) throw new NeedsMapping(columns);
  if (!uidColumn) {
    const headers = columns
      .map((c) => c.header)
      .join(', ')
      .slice(0, 200);
    throw new FileRefused(`No UID column. The first row must name the columns, one of them uid (or card, rfid); this file's first row is: ${headers}`, { key: 'no-uid-column', params: { headers } });
  }
  const unused = columns.filter((c) => !c.field && c.header !== '' && !isExportOnly(c.header) && !(mapping && Object.hasOwn(mapping, c.header)));
  if (unused.length > 0) {
    const names = unused.map((c) => c.header).join(', ');
    problems.push({ row: null, column: null, severity: 'warning', message: `Not imported (unknown columns): ${names}`, detail: { key: 'unknown-columns', params: { columns: names } } });
  }

  const cell = (cells: string[], field: ImportField): string => {
    const column = byField.get(field);
    return column ? (cells[column.index] ?? '').trim() : '';
  };
  const detected = options.uidFormat === undefined || options.uidFormat === 'auto';
  const uidFormat = detected ? detectUidFormat(raw.slice(0, 5000).map((r) => r.cells[uidColumn.index] ?? '')) : (options.uidFormat as UidFormat);
  const d = options.defaults;

  const rows: PlanRow[] = [];
  for (const { row, cells } of raw) {
    if (cells.every((c) => c.trim() === '')) continue; // ";;;;" rows Excel leaves at the end
    const rowProblems: Problem[] = [];
    const problem = (field: ImportField, message: string, detail?: ProblemDetail) =>
      rowProblems.push({ row, column: byField.get(field)?.header ?? field, severity: 'error', message, ...(detail ? { detail } : {}) });
    if (cells.length !== columns.length) {
      rowProblems.push({
        row,
        column: null,
        severity: 'warning',
        message: `Row has ${cells.length} cells but the header has ${columns.length}`,
        detail: { key: 'cell-count', params: { cells: cells.length, header: columns.length } },
      });
    }

    const uidText = cell(cells, 'uid');
    const uid = parseUidAs(uidText, uidFormat);
    if (!uid.ok) problem('uid', uid.error, uid.problem && { key: 'uid', params: { problem: uid.problem } });

    const text = (field: 'label' | 'billingReference' | 'comment', fallback: string | null): string | null => {
      const value = unneutralizeCell(cell(cells, field));
      if (value === '') return fallback;
      if (value.length > TEXT_FIELD_MAX) problem(field, `${field} is ${value.length} characters; at most ${TEXT_FIELD_MAX}`, { key: 'too-long', params: { field, length: value.length, max: TEXT_FIELD_MAX } });
      if (hasControlCharacters(value)) problem(field, `${field} ${CONTROL_CHARACTERS_MESSAGE}`, { key: 'control-characters', params: { field } });
      return value;
    };
    const bool = (field: 'isActive' | 'roamingEnabled' | 'priorityChargingEnabled', fallback: boolean): boolean => {
      const value = cell(cells, field);
      if (value === '') return fallback;
      const parsed = parseBoolean(value);
      if (parsed === undefined) problem(field, `${field} must be true or false (or yes/no, 1/0), not ${describeCell(value)}`, { key: 'not-boolean', params: { field, value: describeCell(value) } });
      return parsed ?? fallback;
    };
    const date = (field: 'validFrom' | 'expiresAt', fallback: string | null): string | null => {
      const value = cell(cells, field);
      if (value === '') return fallback;
      const parsed = parseDateTime(value);
      if (parsed === undefined) problem(field, `${field} must be a date such as 2026-12-31 or 2026-12-31T23:59:59Z, not ${describeCell(value)}`, { key: 'not-date', params: { field, value: describeCell(value) } });
      return parsed ?? null;
    };

    let customerId = d.customerId;
    const customerText = cell(cells, 'customerId');
    if (customerText !== '') {
      const n = /^\d+$/.test(customerText) ? Number(customerText) : NaN;
      if (Number.isSafeInteger(n) && n >= 1) customerId = n;
      else problem('customerId', `customerId must be a whole number from 1, not ${describeCell(customerText)}`, { key: 'not-customer', params: { value: describeCell(customerText) } });
    } else if (customerId === null) {
      problem('customerId', 'No customer: give the row a customer, or choose one for the whole file', { key: 'no-customer', params: {} });
    }

    const values: ImportValues = {
      uid: uid.ok ? uid.uid : uidText,
      label: text('label', null),
      customerId,
      validFrom: date('validFrom', d.validFrom),
      expiresAt: date('expiresAt', d.expiresAt),
      isActive: bool('isActive', d.isActive),
      roamingEnabled: bool('roamingEnabled', d.roamingEnabled),
      priorityChargingEnabled: bool('priorityChargingEnabled', d.priorityChargingEnabled),
      billingReference: text('billingReference', d.billingReference),
      comment: text('comment', d.comment),
    };
    if (values.validFrom && values.expiresAt && Date.parse(values.expiresAt) <= Date.parse(values.validFrom)) {
      problem('expiresAt', `expiresAt (${values.expiresAt}) must be after validFrom (${values.validFrom})`, { key: 'expires-before', params: { validFrom: values.validFrom, expiresAt: values.expiresAt } });
    }
    const nowMs = (options.now ?? new Date()).getTime();
    if (values.expiresAt && Date.parse(values.expiresAt) <= nowMs && !rowProblems.some((p) => p.detail?.key === 'expires-before')) {
      problem('expiresAt', `expiresAt (${values.expiresAt}) is already past: Spirii refuses a card that has expired`, { key: 'expired', params: { expiresAt: values.expiresAt } });
    }
    const firstError = rowProblems.find((p) => p.severity === 'error');
    rows.push({
      row,
      status: firstError ? 'invalid' : 'ready',
      duplicate: null,
      message: firstError?.message ?? null,
      ...(firstError?.detail ? { detail: firstError.detail } : {}),
      values,
      cells,
    });
    problems.push(...rowProblems);
  }
  if (rows.length === 0) throw new FileRefused('The file has a header row but no cards.', { key: 'no-cards', params: {} });

  markFileDuplicates(rows, problems, uidColumn.header);
  problems.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
  return { format: { ...format, uidFormat, uidFormatDetected: detected }, columns, rows, problems };
}

/** The token to queue for a ready row. */
export function draftOf(values: ImportValues, source: string): TokenDraft {
  return { ...values, customerId: values.customerId!, source };
}

/** "Row 4, column uid: ..." as the window and the CLI both say it. */
export function describeProblem(problem: Problem): string {
  const where = [problem.row !== null ? `Row ${problem.row}` : null, problem.column ? `column ${problem.column}` : null].filter(Boolean).join(', ');
  return where ? `${where}: ${problem.message}` : problem.message;
}
