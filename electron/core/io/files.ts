/**
 * Import, export and reconciliation as the window uses them: files chosen through the FileDialogs
 * port (never a path from the renderer), long work reported as `files` progress events under a job
 * id the caller picks, and cancellable with that id.
 */
import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Settings } from '../settings';
import type { SpiriiClient } from '../api/client';
import type { TokenQueue } from '../queue';
import { tokenSettingsOf, type EnrollmentDefaults } from '../enrollment';
import type { FileDialogs, FileFilter } from './dialogs';
import { checkFileSize } from './csv-read';
import { FileRefused, type RefusalDetail } from './text';
import { Importer, describeSummary, type ColumnChoice, type ImportPreview, type ImportResult, type Prepared } from './import';
import { guessField, NeedsMapping, type ColumnMapping, type ImportDefaults } from './import-plan';
import type { CustomerDirectory } from '../customers';
import type { FilesStep } from './shapes';
import type { UidFormat } from './uid-formats';
import { Cancelled, runExport, type ExportRequest, type ExportResult } from './export';
import { openTableWriter, FORMAT_EXTENSIONS, type CsvOptions, type ExportFormat } from './writers';
import { reconcile, describeReport, DIFFERENCE_COLUMNS, type Difference, type ReconcileReport } from './reconcile';

export type JobKind = 'import' | 'export' | 'reconcile';

export interface FilesProgress {
  job: string;
  kind: JobKind;
  phase: 'running' | 'done' | 'failed' | 'cancelled';
  /** What is happening ("reading Spirii", "writing"). */
  step: FilesStep;
  /** While an export waits for Spirii (a rate limit, a retry): why and how long, in English. */
  note?: string;
  done: number;
  total: number | null;
  fileName: string | null;
  message: string | null;
}

export type ImportOpenResult =
  | { status: 'cancelled' }
  | { status: 'refused'; fileName: string; message: string; detail?: RefusalDetail }
  | { status: 'ready'; preview: ImportPreview; summaryText: string }
  /** Headers the import does not know: the desk says which column is which, then previews again with that id. */
  | { status: 'mapping'; id: string; fileName: string; columns: ColumnMapping[]; guesses: ColumnMapping[] };

type ImportChoices = { job?: string; customerId?: number; uidFormat?: UidFormat | 'auto'; mapping?: ColumnChoice };

export type SaveResult = { status: 'cancelled' } | { status: 'done'; fileName: string; rows: number; bytes: number; message: string };

export interface ReconcileView extends Omit<ReconcileReport, 'differences'> {
  differences: Difference[];
  differencesTotal: number;
  summaryText: string;
}

const CSV_FILTERS: FileFilter[] = [
  { name: 'CSV files', extensions: ['csv', 'txt', 'tsv'] },
  { name: 'All files', extensions: ['*'] },
];
const SAVE_FILTERS: Record<ExportFormat, FileFilter[]> = {
  csv: [{ name: 'CSV', extensions: ['csv'] }],
  xlsx: [{ name: 'Excel workbook', extensions: ['xlsx'] }],
  json: [{ name: 'JSON', extensions: ['json'] }],
};
const MAX_PREPARED = 3;
export const RECONCILE_PREVIEW = 500;

export interface FilesDeps {
  settings: Settings;
  client: SpiriiClient;
  dialogs: FileDialogs;
  defaults: () => EnrollmentDefaults;
  /** The queue an import adds to (it announces the new rows itself). */
  queue: TokenQueue;
  /** The import path (plan, preview, commit), built by the composition root and shared with the CLI. */
  importer: Importer;
  /** Customers' names for exports (cache, then Spirii in batches). */
  customers?: CustomerDirectory;
  /** Called after an import queued tokens: time to sync. */
  onQueued: () => void;
  emit: (progress: FilesProgress) => void;
}

/** A preview the window has open: its file, and what was read of it. */
interface OpenPreview {
  file: string;
  /** Null while the file waits for its column mapping. */
  prepared: Prepared | null;
}

export function importDefaults(d: EnrollmentDefaults, customerId?: number | null): ImportDefaults {
  return { customerId: customerId ?? d.customerId, ...tokenSettingsOf(d) };
}

/** Read a file for import, refusing one above the size cap before reading it. */
export async function readImportFile(file: string): Promise<Uint8Array> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new FileRefused(`${path.basename(file)} is not a file.`, { key: 'not-a-file', params: { file: path.basename(file) } });
    size = info.size;
  } catch (error) {
    if (error instanceof FileRefused) throw error;
    const name = path.basename(file);
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new FileRefused(`Cannot read ${name}: no such file`, { key: 'no-such-file', params: { file: name } });
    throw new FileRefused(`Cannot read ${name}: ${(error as Error).message}`, { key: 'cannot-read', params: { file: name, error: (error as Error).message } });
  }
  checkFileSize(size);
  return readFile(file);
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export class FilesService {
  private readonly importer: Importer;
  private readonly previews = new Map<string, OpenPreview>();
  private readonly jobs = new Map<string, AbortController>();
  private lastReport: ReconcileReport | null = null;

  constructor(private readonly deps: FilesDeps) {
    this.importer = deps.importer;
  }

  /** Ask for a CSV file and preview it. */
  async openImport(options: ImportChoices): Promise<ImportOpenResult> {
    const file = await this.deps.dialogs.pickOpenFile({ title: 'Import cards from a CSV file', filters: CSV_FILTERS });
    if (file === null) return { status: 'cancelled' };
    return this.prepareImport(file, options);
  }

  /** Preview the same file again with other choices (UID format, customer). */
  async previewAgain(id: string, options: ImportChoices): Promise<ImportOpenResult> {
    const preview = this.previews.get(id);
    if (!preview) throw new Error('That preview is no longer open: choose the file again.');
    this.previews.delete(id);
    // A file re-read with other choices keeps the mapping it was read with.
    const mapping = options.mapping ?? (preview.prepared ? mappingOf(preview.prepared.plan.columns) : undefined);
    return this.prepareImport(preview.file, { ...options, ...(mapping ? { mapping } : {}) });
  }

  confirmImport(id: string): ImportResult & { message: string } {
    const preview = this.previews.get(id);
    if (!preview?.prepared) throw new Error('That preview is no longer open: choose the file again.');
    const result = this.importer.commit(preview.prepared);
    this.previews.delete(id);
    if (result.queued > 0) this.deps.onQueued();
    return { ...result, message: `Queued ${result.queued} cards from ${result.fileName}; ${result.notQueued} rows not queued.` };
  }

  /** Ask where to save, then write the rows that were not queued, with a reason each, to fix and import again. */
  async saveNotQueued(id: string): Promise<SaveResult> {
    const preview = this.previews.get(id);
    if (!preview?.prepared) throw new Error('That preview is no longer open: choose the file again.');
    const prepared = preview.prepared;
    const stem = prepared.fileName.replace(/\.[^.]*$/, '');
    const target = await this.deps.dialogs.pickSaveFile({ title: 'Save the rows that were not queued', defaultName: `${stem}-not-queued.csv`, filters: SAVE_FILTERS.csv });
    if (target === null) return { status: 'cancelled' };
    const { rows, bytes } = await this.importer.writeNotQueued(prepared, target);
    const fileName = path.basename(target);
    return { status: 'done', fileName, rows, bytes, message: `Saved ${rows} rows that were not queued to ${fileName}.` };
  }

  discardImport(id: string): void {
    this.previews.delete(id);
  }

  /** Ask where to save, then export; resolves when the file is complete. */
  async exportTokens(request: ExportRequest & { job?: string }): Promise<SaveResult> {
    const defaultName = `tokens-${request.source}${await this.filterPart(request)}-${today()}.${FORMAT_EXTENSIONS[request.format]}`;
    const target = await this.deps.dialogs.pickSaveFile({ title: 'Export tokens', defaultName, filters: SAVE_FILTERS[request.format] });
    if (target === null) return { status: 'cancelled' };
    const fileName = path.basename(target);
    const result = await this.run(request.job, 'export', fileName, async (signal, progress) => {
      const r: ExportResult = await runExport({ queue: this.deps.queue, client: this.deps.client, customers: this.deps.customers }, request, target, {
        signal,
        onProgress: (p) => progress('writing', p.done, p.total, p.note),
      });
      return { result: r, message: `Exported ${r.rows} tokens to ${fileName}.` };
    }).catch(cancelledAsNull);
    if (result === null) return { status: 'cancelled' };
    return { status: 'done', fileName, rows: result.result.rows, bytes: result.result.bytes, message: result.message ?? '' };
  }

  /** An export to a path the caller chose itself (the CLI's --out), with the caller's progress and cancel signal. */
  exportToPath(request: ExportRequest, target: string, options: Parameters<typeof runExport>[3]): Promise<ExportResult> {
    return runExport({ queue: this.deps.queue, client: this.deps.client, customers: this.deps.customers }, request, target, options);
  }

  /** The whole reconciliation report, for a caller that prints it (the CLI). */
  compare(options: { customerId?: number }): Promise<ReconcileReport> {
    return reconcile({ queue: this.deps.queue, client: this.deps.client }, options);
  }

  async reconcile(options: { job?: string; customerId?: number }): Promise<ReconcileView> {
    const { result } = await this.run(options.job, 'reconcile', null, async (signal, progress) => {
      const report = await reconcile({ queue: this.deps.queue, client: this.deps.client }, { customerId: options.customerId, signal, onProgress: progress });
      return { result: report, message: describeReport(report) };
    });
    this.lastReport = result;
    return { ...result, differences: result.differences.slice(0, RECONCILE_PREVIEW), differencesTotal: result.differences.length, summaryText: describeReport(result) };
  }

  async exportReconciliation(options: { job?: string; format: ExportFormat; csv?: CsvOptions }): Promise<SaveResult> {
    const report = this.lastReport;
    if (!report) throw new Error('Compare with Spirii first, then export the differences.');
    const target = await this.deps.dialogs.pickSaveFile({
      title: 'Export the differences',
      defaultName: `reconciliation-${today()}.${FORMAT_EXTENSIONS[options.format]}`,
      filters: SAVE_FILTERS[options.format],
    });
    if (target === null) return { status: 'cancelled' };
    const fileName = path.basename(target);
    const outcome = await this.run(options.job, 'export', fileName, async () => {
      const bytes = await writeDifferences(report.differences, target, options.format, options.csv);
      return { result: bytes, message: `Exported ${report.differences.length} differences to ${fileName}.` };
    }).catch(cancelledAsNull);
    if (outcome === null) return { status: 'cancelled' };
    return { status: 'done', fileName, rows: report.differences.length, bytes: outcome.result, message: outcome.message ?? '' };
  }

  /** "-1003-fjordhavn-kommune-active-search-dk-1": what the file holds, for its name. */
  private async filterPart(request: ExportRequest): Promise<string> {
    const f = request.source === 'spirii' ? request.spiriiFilters : request.localFilters;
    if (!f) return '';
    const parts: string[] = [];
    if (f.customerId !== undefined) {
      parts.push(String(f.customerId));
      const name = this.deps.customers ? (await this.deps.customers.resolve([f.customerId]).catch(() => null))?.known.get(f.customerId)?.name : undefined;
      if (name) parts.push(name);
    }
    if ('isActive' in f && f.isActive !== undefined) parts.push(f.isActive ? 'active' : 'inactive');
    if ('states' in f && f.states?.length) parts.push(...f.states);
    if (f.search) parts.push(f.search);
    const slug = parts
      .join('-')
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/ø/gi, 'o')
      .replace(/æ/gi, 'ae')
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .toLowerCase()
      .slice(0, 60);
    return slug ? `-${slug}` : '';
  }

  /** Cancel a running job; false when there is none by that id. */
  cancel(job: string): boolean {
    const controller = this.jobs.get(job);
    controller?.abort();
    return controller !== undefined;
  }

  private async prepareImport(file: string, options: ImportChoices): Promise<ImportOpenResult> {
    const fileName = path.basename(file);
    const askMapping = (columns: ColumnMapping[]): ImportOpenResult => {
      const id = randomBytes(8).toString('hex');
      this.keepOpen(id, { file, prepared: null });
      return { status: 'mapping', id, fileName, columns, guesses: columns.map((c) => ({ ...c, field: c.field ?? guessField(c.header) })) };
    };
    try {
      const { result: prepared } = await this.run(options.job, 'import', fileName, async (signal, progress) => {
        const bytes = await readImportFile(file);
        const prepared = await this.importer.prepare(bytes, fileName, {
          defaults: importDefaults(this.deps.defaults(), options.customerId),
          uidFormat: options.uidFormat,
          ...(options.mapping ? { mapping: options.mapping } : {}),
          askMapping: true,
          signal,
          onProgress: progress,
        });
        return { result: prepared, message: null };
      });
      // Columns the import does not know and the desk has not mapped for these headers: ask first.
      if (!options.mapping && this.importer.unknownHeaders(prepared.plan).length > 0) return askMapping(prepared.plan.columns);
      const id = randomBytes(8).toString('hex');
      this.keepOpen(id, { file, prepared });
      const preview = this.importer.preview(prepared, id);
      return { status: 'ready', preview, summaryText: describeSummary(preview.summary) };
    } catch (error) {
      if (error instanceof NeedsMapping) return askMapping(error.columns);
      if (error instanceof FileRefused) return { status: 'refused', fileName, message: error.message, ...(error.detail ? { detail: error.detail } : {}) };
      if (error instanceof Cancelled) return { status: 'cancelled' };
      throw error;
    }
  }

  private keepOpen(id: string, preview: OpenPreview): void {
    this.previews.set(id, preview);
    while (this.previews.size > MAX_PREPARED) this.previews.delete(this.previews.keys().next().value!);
  }

  private async run<T>(
    jobId: string | undefined,
    kind: JobKind,
    fileName: string | null,
    work: (signal: AbortSignal, progress: (step: FilesStep, done: number, total: number | null, note?: string) => void) => Promise<{ result: T; message: string | null }>,
  ): Promise<{ result: T; message: string | null }> {
    const job = jobId ?? randomBytes(6).toString('hex');
    if (this.jobs.has(job)) throw new Error(`A job with id ${job} is already running`);
    const controller = new AbortController();
    this.jobs.set(job, controller);
    let last = 0;
    const emit = (phase: FilesProgress['phase'], step: FilesStep, done: number, total: number | null, message: string | null, note?: string) =>
      this.deps.emit({ job, kind, phase, step, done, total, fileName, message, ...(note ? { note } : {}) });
    emit('running', 'starting', 0, null, null);
    try {
      const outcome = await work(controller.signal, (step, done, total, note) => {
        // At most ~20 events a second: progress for a person, not a flood over IPC.
        const now = Date.now();
        if (now - last < 50 && total !== null && done < total) return;
        last = now;
        emit('running', step, done, total, null, note);
      });
      emit('done', 'done', 1, 1, outcome.message);
      return outcome;
    } catch (error) {
      if (error instanceof Cancelled || controller.signal.aborted) {
        emit('cancelled', 'cancelled', 0, null, 'Cancelled: nothing was written.');
        throw new Cancelled();
      }
      emit('failed', 'failed', 0, null, error instanceof Error ? error.message : String(error));
      throw error;
    } finally {
      this.jobs.delete(job);
    }
  }
}

function mappingOf(columns: readonly ColumnMapping[]): ColumnChoice {
  return Object.fromEntries(columns.filter((c) => c.header !== '').map((c) => [c.header, c.field]));
}

function cancelledAsNull(error: unknown): null {
  if (error instanceof Cancelled) return null;
  throw error;
}

export async function writeDifferences(differences: readonly Difference[], target: string, format: ExportFormat, csv?: CsvOptions): Promise<number> {
  const writer = openTableWriter(target, format, DIFFERENCE_COLUMNS, csv);
  try {
    for (let i = 0; i < differences.length; i += 1000) await writer.write(differences.slice(i, i + 1000));
    return await writer.finish();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
