/** The Import/Export screen's state: the open import preview, the export's choices and progress, the last comparison. */
import { describeError, station, StationError } from '../lib/station';
import type { CallInput, CallOutput, ExportInput, FilesProgress, ImportOpenResult, ImportPreview, ReconcileView } from '../lib/types';

export type UidChoice = 'auto' | 'hex' | 'reversed' | 'decimal' | '8h10d';
export type Tri = 'any' | 'true' | 'false';

let seq = 0;
const newJob = (kind: string) => `${kind}-${Date.now().toString(36)}-${++seq}`;

function tri(value: Tri): boolean | undefined {
  return value === 'any' ? undefined : value === 'true';
}

function positive(text: string): number | undefined {
  const n = Number(text.trim());
  return text.trim() !== '' && Number.isSafeInteger(n) && n >= 1 ? n : undefined;
}

class FilesState {
  // Import
  preview = $state.raw<ImportPreview | null>(null);
  refusal = $state.raw<Extract<ImportOpenResult, { status: 'refused' }> | null>(null);
  /** The last confirmed import (the screen words it in its language). */
  importResult = $state.raw<CallOutput<'import.confirm'> | null>(null);
  importError = $state<string | null>(null);
  importBusy = $state(false);
  uidFormat = $state<UidChoice>('auto');
  customer = $state('');
  importProgress = $state.raw<FilesProgress | null>(null);
  /** A file whose columns the desk is mapping (headers the import does not know). */
  mapping = $state.raw<Extract<ImportOpenResult, { status: 'mapping' }> | null>(null);
  /** The field chosen for each column of `mapping`, by column index ('' skips it). */
  mappingChoice = $state<string[]>([]);
  /** The last save of the rows that were not queued. */
  rejectedSaved = $state.raw<CallOutput<'import.saveRejected'> | null>(null);

  // Export
  source = $state<'spirii' | 'local'>('spirii');
  format = $state<'csv' | 'xlsx' | 'json'>('xlsx');
  delimiter = $state<',' | ';'>(';');
  bom = $state(true);
  /** CSV and XLSX headers: for people, or the API's names for a file to import again. */
  headers = $state<'human' | 'api'>('human');
  filterCustomer = $state('');
  filterSearch = $state('');
  filterActive = $state<Tri>('any');
  localStates = $state<string[]>([]);
  exportJob = $state<string | null>(null);
  exportProgress = $state.raw<FilesProgress | null>(null);
  /** The last export's answer (file name and rows when done). */
  exportResult = $state.raw<CallOutput<'export.tokens'> | null>(null);
  exportError = $state<string | null>(null);

  // Reconciliation
  reconcileCustomer = $state('');
  report = $state.raw<ReconcileView | null>(null);
  reconcileJob = $state<string | null>(null);
  reconcileProgress = $state.raw<FilesProgress | null>(null);
  reconcileError = $state<string | null>(null);
  diffFormat = $state<'csv' | 'xlsx' | 'json'>('xlsx');
  /** The last export of the differences, when done. */
  diffResult = $state.raw<{ rows: number; fileName: string } | null>(null);

  private importJob: string | null = null;

  start(): () => void {
    return station.on('files', (progress) => {
      if (progress.job === this.exportJob) this.exportProgress = progress;
      else if (progress.job === this.importJob) this.importProgress = progress;
      else if (progress.job === this.reconcileJob) this.reconcileProgress = progress;
    });
  }

  get customerError(): boolean {
    return this.customer.trim() !== '' && positive(this.customer) === undefined;
  }

  /** Ask the core to open its file dialog and preview the chosen file. */
  async chooseFile(): Promise<void> {
    await this.runImport(() => station.call('import.open', this.importChoices()));
  }

  /** Preview the file being mapped with the fields chosen for its columns (remembered for these headers). */
  async applyMapping(): Promise<void> {
    const m = this.mapping;
    if (!m) return;
    const mapping = Object.fromEntries(m.columns.filter((c) => c.header !== '').map((c, i) => [c.header, this.mappingChoice[i] || null])) as NonNullable<CallInput<'import.preview'>['mapping']>;
    await this.runImport(() => station.call('import.preview', { id: m.id, ...this.importChoices(), mapping }));
  }

  /** Ask where to save the rows that were not queued (with a reason each), to fix and import again. */
  async saveRejected(): Promise<void> {
    const id = this.preview?.id;
    if (!id) return;
    try {
      const result = await station.call('import.saveRejected', { id });
      this.rejectedSaved = result.status === 'done' ? result : null;
    } catch (error) {
      this.importError = describeError(error);
    }
  }

  /** Read the same file again with the changed UID format or customer. */
  async refresh(): Promise<void> {
    const id = this.preview?.id;
    if (!id) return;
    await this.runImport(() => station.call('import.preview', { id, ...this.importChoices() }));
  }

  async confirm(): Promise<void> {
    const id = this.preview?.id;
    if (!id) return;
    this.importBusy = true;
    try {
      this.importResult = await station.call('import.confirm', { id });
      this.preview = null;
    } catch (error) {
      this.importError = describeError(error);
    } finally {
      this.importBusy = false;
    }
  }

  async discard(): Promise<void> {
    const id = this.preview?.id ?? this.mapping?.id;
    this.preview = null;
    this.mapping = null;
    if (id) await station.call('import.discard', { id }).catch(() => {});
  }

  /** The Import/Export screen's export: its own source, format and filters. */
  async exportTokens(): Promise<void> {
    const customerId = positive(this.filterCustomer);
    const search = this.filterSearch.trim() || undefined;
    await this.exportWith({
      source: this.source,
      ...(this.source === 'spirii'
        ? { spiriiFilters: { customerId, search, isActive: tri(this.filterActive) } }
        : { localFilters: { customerId, search, states: this.localStates.length ? (this.localStates as never) : undefined } }),
    });
  }

  /**
   * Export with the chosen format (and CSV options) and the given source and filters (the Tokens
   * screen passes its own); one export at a time, with progress from `files` events and a cancel.
   */
  async exportWith(request: Pick<ExportInput, 'source' | 'spiriiFilters' | 'localFilters'>): Promise<void> {
    if (this.exportJob !== null) return;
    const job = newJob('export');
    const input: ExportInput = {
      job,
      format: this.format,
      ...(this.format === 'csv' ? { csv: { delimiter: this.delimiter, bom: this.bom } } : {}),
      ...(this.format === 'json' ? {} : { headers: this.headers }),
      ...request,
    };
    this.exportJob = job;
    this.exportProgress = null;
    this.exportResult = null;
    this.exportError = null;
    try {
      this.exportResult = await station.call('export.tokens', input);
    } catch (error) {
      this.exportError = describeError(error);
    } finally {
      this.exportJob = null;
    }
  }

  async cancel(job: string | null): Promise<void> {
    if (job) await station.call('files.cancel', { job }).catch(() => {});
  }

  async reconcile(): Promise<void> {
    const job = newJob('reconcile');
    this.reconcileJob = job;
    this.reconcileProgress = null;
    this.reconcileError = null;
    this.diffResult = null;
    try {
      this.report = await station.call('reconcile.run', { job, customerId: positive(this.reconcileCustomer) });
    } catch (error) {
      this.reconcileError = error instanceof StationError && error.message === 'Cancelled' ? null : describeError(error);
    } finally {
      this.reconcileJob = null;
    }
  }

  async exportDifferences(): Promise<void> {
    try {
      const result = await station.call('reconcile.export', { format: this.diffFormat });
      this.diffResult = result.status === 'done' ? result : null;
    } catch (error) {
      this.reconcileError = describeError(error);
    }
  }

  private importChoices() {
    const job = newJob('import');
    this.importJob = job;
    return { job, uidFormat: this.uidFormat, customerId: positive(this.customer) };
  }

  private async runImport(open: () => Promise<ImportOpenResult>): Promise<void> {
    this.importBusy = true;
    this.importResult = null;
    this.importError = null;
    this.importProgress = null;
    try {
      const result = await open();
      if (result.status === 'cancelled') return;
      this.rejectedSaved = null;
      if (result.status === 'refused') {
        this.refusal = result;
        this.preview = null;
        this.mapping = null;
        return;
      }
      this.refusal = null;
      if (result.status === 'mapping') {
        this.preview = null;
        this.mapping = result;
        this.mappingChoice = result.guesses.map((c) => c.field ?? '');
        return;
      }
      this.mapping = null;
      this.preview = result.preview;
    } catch (error) {
      this.importError = describeError(error);
    } finally {
      this.importBusy = false;
      this.importJob = null;
    }
  }
}

export const files = new FilesState();
