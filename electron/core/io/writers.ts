/**
 * The three export formats behind one interface. Columns are typed, so numbers and dates stay
 * numbers and dates in every format; text is guarded against CSV injection in CSV (csv-safe.ts)
 * and written as text cells (never formulas) in XLSX. Every file is written to a temporary name
 * beside the target and renamed only when complete: a cancelled or failed export leaves nothing
 * half-written under the name the person chose.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { neutralizeCell } from './csv-safe';
import { dateMs, isoText } from './iso';
import { XlsxWriter, type XlsxCell } from './xlsx-writer';
import { checkOutputTarget, noteExportFolder, partFileFor } from './targets';

import type { ExportFormat } from './shapes';

export { EXPORT_FORMATS, type ExportFormat } from './shapes';

export type ColumnKind = 'text' | 'number' | 'date' | 'boolean';
export type CellValue = string | number | boolean | null;

export interface Column<Row> {
  /** The header: the API's field name (an import reads it back). */
  name: string;
  /** The header for people ("Customer number"), written instead of `name` when asked for. */
  label?: string;
  kind: ColumnKind;
  get: (row: Row) => CellValue | undefined;
  /** XLSX column width in characters. */
  width?: number;
}

export interface CsvOptions {
  delimiter?: ',' | ';';
  /** A UTF-8 byte-order mark, so Excel reads the file as UTF-8. */
  bom?: boolean;
}

export interface TableWriter<Row> {
  write(rows: readonly Row[]): Promise<void>;
  /** Complete the file under its final name; returns the bytes written. */
  finish(): Promise<number>;
  /** Remove the partial file. */
  abort(): Promise<void>;
}

class FileSink {
  readonly temp: string;
  private readonly stream: WriteStream;
  private failure: Error | null = null;
  bytes = 0;

  constructor(readonly target: string) {
    // The save dialog (or --force) has agreed to replace a file elsewhere; never one in the data folder.
    checkOutputTarget(target, { force: true });
    noteExportFolder(path.dirname(target));
    this.temp = partFileFor(target, randomBytes(4).toString('hex'));
    // A page of rows is a few hundred kB: with a 4 MB buffer the export goes on to the next page
    // while the disk takes this one, and waits only when the disk falls 4 MB behind.
    this.stream = createWriteStream(this.temp, { flags: 'wx', highWaterMark: 4 * 1024 * 1024 });
    this.stream.on('error', (error) => (this.failure = error));
  }

  async write(chunk: string | Uint8Array): Promise<void> {
    if (this.failure) throw this.failure;
    this.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    if (!this.stream.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        const onError = (error: Error) => reject(error);
        this.stream.once('drain', () => {
          this.stream.off('error', onError);
          resolve();
        });
        this.stream.once('error', onError);
      });
    }
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.stream.end((error?: Error | null) => (error ? reject(error) : resolve()));
    });
    if (this.failure) throw this.failure;
    try {
      checkOutputTarget(this.target, { force: true });
    } catch (error) {
      await rm(this.temp, { force: true });
      throw error;
    }
    await rename(this.temp, this.target);
  }

  async abort(): Promise<void> {
    if (!this.stream.closed) {
      await new Promise<void>((resolve) => {
        this.stream.once('close', () => resolve());
        this.stream.destroy();
      });
    }
    await rm(this.temp, { force: true });
  }
}

function isoOrNull(value: CellValue | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  return isoText(String(value));
}

function csvCell(kind: ColumnKind, value: CellValue | undefined): string | number | null {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'number':
      return typeof value === 'number' ? value : neutralizeCell(String(value));
    case 'boolean':
      return value ? 'true' : 'false';
    case 'date':
      return isoOrNull(value);
    default:
      return neutralizeCell(String(value));
  }
}

function xlsxCell(kind: ColumnKind, value: CellValue | undefined): XlsxCell {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'number':
      return typeof value === 'number' ? value : String(value);
    case 'boolean':
      return value === true || value === 'true';
    case 'date': {
      const ms = dateMs(String(value));
      return Number.isFinite(ms) ? new Date(ms) : String(value);
    }
    default:
      return String(value);
  }
}

/**
 * One CSV field, as csv-stringify wrote it with `quoted_string: true` (test/io/export-format.test.ts
 * compares the two): empty for no value, numbers bare, every string quoted with its quotes doubled.
 * Written by hand because csv-stringify's per-record machinery cost more than the rest of a CSV export.
 */
function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  return '"' + (value.includes('"') ? value.replaceAll('"', '""') : value) + '"';
}

/** Rows as CSV records, each ended by CRLF. */
export function csvRecords(rows: readonly (readonly (string | number | null)[])[], delimiter: string): string {
  let text = '';
  for (const row of rows) {
    let line = '';
    for (let i = 0; i < row.length; i++) line += (i === 0 ? '' : delimiter) + csvField(row[i]!);
    text += line + '\r\n';
  }
  return text;
}

function jsonValue(kind: ColumnKind, value: CellValue | undefined): CellValue {
  if (value === undefined) return null;
  return kind === 'date' ? isoOrNull(value) : value;
}

export function openTableWriter<Row>(target: string, format: ExportFormat, columns: readonly Column<Row>[], csv: CsvOptions = {}): TableWriter<Row> {
  const sink = new FileSink(target);
  const abort = () => sink.abort();
  if (format === 'csv') {
    const delimiter = csv.delimiter ?? ',';
    const header = () => (csv.bom ? '\uFEFF' : '') + csvRecords([columns.map((c) => c.name)], delimiter);
    let started = false;
    return {
      write: async (rows) => {
        let text = '';
        if (!started) {
          started = true;
          text = header();
        }
        if (rows.length > 0) text += csvRecords(rows.map((row) => columns.map((c) => csvCell(c.kind, c.get(row)))), delimiter);
        if (text) await sink.write(text);
      },
      finish: async () => {
        if (!started) await sink.write(header());
        await sink.close();
        return sink.bytes;
      },
      abort,
    };
  }
  if (format === 'json') {
    let first = true;
    return {
      write: async (rows) => {
        if (rows.length === 0) return;
        let text = first ? '[\n' : ',\n';
        text += rows.map((row) => JSON.stringify(Object.fromEntries(columns.map((c) => [c.name, jsonValue(c.kind, c.get(row))])))).join(',\n');
        first = false;
        await sink.write(text);
      },
      finish: async () => {
        await sink.write(first ? '[]\n' : '\n]\n');
        await sink.close();
        return sink.bytes;
      },
      abort,
    };
  }
  const xlsx = new XlsxWriter(
    (chunk) => sink.write(chunk),
    columns.map((c) => c.name),
    { widths: columns.map((c) => c.width ?? (c.kind === 'date' ? 20 : 14)) },
  );
  return {
    write: (rows) => xlsx.writeRows(rows.map((row) => columns.map((c) => xlsxCell(c.kind, c.get(row))))),
    finish: async () => {
      await xlsx.finish();
      await sink.close();
      return sink.bytes;
    },
    abort,
  };
}

export const FORMAT_EXTENSIONS: Record<ExportFormat, string> = { csv: 'csv', xlsx: 'xlsx', json: 'json' };
