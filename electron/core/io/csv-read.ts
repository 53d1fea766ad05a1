/**
 * Reading a CSV file's records with csv-parse, with the guards a desk needs against files that
 * are not what they claim: a size cap checked before reading, at most MAX_COLUMNS columns, at most
 * MAX_RECORD_CHARS characters in a record, at most MAX_ROWS rows, and a clear message for an
 * unbalanced quote. Records are handed on one at a time and not kept, so memory stays bounded by
 * the file's size cap and what the caller keeps.
 */
import { parse } from 'csv-parse/sync';
import { decodeText, FileRefused, type TextEncodingName } from './text';
import { detectDialect, type Dialect } from './dialect';

export const MAX_FILE_BYTES = 40 * 1024 * 1024;
export const MAX_COLUMNS = 200;
export const MAX_RECORD_CHARS = 64 * 1024;
export const MAX_ROWS = 200_000;

export interface CsvFormat extends Dialect {
  encoding: TextEncodingName;
}

/** One record: its cells, and its row as a spreadsheet shows it (the header is row 1). */
export interface CsvRecord {
  row: number;
  cells: string[];
}

export function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function checkFileSize(size: number): void {
  if (size > MAX_FILE_BYTES) {
    throw new FileRefused(
      `The file is ${megabytes(size)}; an import reads files of up to ${megabytes(MAX_FILE_BYTES)} (about 400,000 cards). Split it into smaller files.`,
      { key: 'too-big', params: { size: megabytes(size), max: megabytes(MAX_FILE_BYTES) } },
    );
  }
}

interface ParseError extends Error {
  code?: string;
}

/**
 * Decode and parse; `onRecord` receives each record, the header first. Throws FileRefused with a
 * message for a person when the file cannot be read as a card list.
 */
export function readCsv(bytes: Uint8Array, onRecord: (record: CsvRecord) => void): CsvFormat {
  checkFileSize(bytes.length);
  const { text, encoding } = decodeText(bytes);
  const dialect = detectDialect(text);
  const body = dialect.sepLine ? text.replace(/^sep=.(\r\n|\n|\r)?/i, '') : text;
  // Rows as a spreadsheet counts them: a quoted field's line breaks stay inside one row.
  let embeddedBreaks = 0;
  let lastGoodRow = 0;
  let records = 0;
  try {
    parse(body, {
      delimiter: dialect.delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      max_record_size: MAX_RECORD_CHARS,
      on_record: (cells: string[], context) => {
        const breaks = cells.reduce((n, cell) => n + (cell.match(/\r\n|\n|\r/g)?.length ?? 0), 0);
        const row = context.lines - embeddedBreaks - breaks;
        embeddedBreaks += breaks;
        records++;
        if (records === 1 && cells.length > MAX_COLUMNS) {
          throw new FileRefused(`Row 1 has ${cells.length.toLocaleString('en')} columns; a card list has at most ${MAX_COLUMNS}. Is this the right file?`, { key: 'too-many-columns', params: { row: 1, columns: cells.length, max: MAX_COLUMNS } });
        }
        if (cells.length > MAX_COLUMNS) {
          throw new FileRefused(`Row ${row} has ${cells.length.toLocaleString('en')} columns; a card list has at most ${MAX_COLUMNS}.`, { key: 'too-many-columns', params: { row, columns: cells.length, max: MAX_COLUMNS } });
        }
        if (records > MAX_ROWS + 1) throw new FileRefused(`The file has more than ${MAX_ROWS.toLocaleString('en')} rows; import it in parts.`, { key: 'too-many-rows', params: { max: MAX_ROWS } });
        lastGoodRow = row;
        onRecord({ row, cells });
        return null;
      },
    });
  } catch (error) {
    if (error instanceof FileRefused) throw error;
    const code = (error as ParseError).code;
    const next = lastGoodRow + 1;
    if (code === 'CSV_QUOTE_NOT_CLOSED') {
      throw new FileRefused(`A quoted field starting in row ${next} is never closed (a " without its partner), so the rows after it cannot be read. Fix the quote and try again.`, { key: 'quote-not-closed', params: { row: next } });
    }
    if (code === 'CSV_MAX_RECORD_SIZE') {
      throw new FileRefused(
        `Row ${next} is longer than ${MAX_RECORD_CHARS / 1024} KB, far longer than any card's data (or a quote is never closed). Is this the right file?`,
        { key: 'row-too-long', params: { row: next, kb: MAX_RECORD_CHARS / 1024 } },
      );
    }
    throw new FileRefused(`The file could not be read as CSV near row ${next}: ${(error as Error).message}`, { key: 'not-readable', params: { row: next, error: (error as Error).message } });
  }
  if (records === 0) throw new FileRefused('The file has no rows.', { key: 'no-rows', params: {} });
  return { ...dialect, encoding };
}
