/**
 * `token-station import`, `export` and `reconcile`: the same core and the same messages as the
 * Import/Export screen, with paths given as arguments instead of chosen in a dialog.
 */
import type { ParseArgsConfig } from 'node:util';
import path from 'node:path';
import { Station, SANDBOX_NOTICE } from '../core/station';
import { configFromEnv } from '../core/config';
import { readImportFile, importDefaults, writeDifferences } from '../core/io/files';
import { describeSummary, ImportConflict, type ImportPreview } from '../core/io/import';
import { FileRefused } from '../core/io/text';
import { Cancelled, type ExportRequest } from '../core/io/export';
import { EXPORT_FORMATS, EXPORT_HEADERS, UID_FORMATS, localFiltersShape, spiriiFiltersShape, type ExportFormat } from '../core/io/shapes';
import { QUEUE_STATES } from '../core/queue';
import { describeReport } from '../core/io/reconcile';
import { oneOf, parse, positiveInt, UsageError } from './args';
import { jsonLine, line, quoted, table, type Io } from './output';
import { checkOutputTarget, OutputFileRefused } from '../core/io/targets';

type Options = NonNullable<ParseArgsConfig['options']>;

function parseWithFile<O extends Options>(args: string[], options: O) {
  return parse(args, options, { positionals: true });
}

/** The flag a filter field comes from. */
const FILTER_FLAGS: Record<string, string> = { customerId: 'customer', isActive: 'active', roamingEnabled: 'roaming', states: 'state' };

/** A refused export filter in words, naming its flag: never the validator's own text. */
function filterProblem(issue: { path: PropertyKey[]; code: string; message: string; maximum?: unknown; minimum?: unknown }): string {
  const field = String(issue.path[0] ?? 'filter');
  const flag = `--${FILTER_FLAGS[field] ?? field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  if (issue.code === 'too_big' && typeof issue.maximum === 'number') return `${flag} must be at most ${issue.maximum} characters`;
  if (issue.code === 'too_small' && typeof issue.minimum === 'number') return `${flag} must be at least ${issue.minimum}`;
  if (/^(Invalid|Too|Expected)\b/.test(issue.message)) return `${flag} is not valid`;
  return `${flag}: ${issue.message}`;
}

function bool(flag: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new UsageError(`--${flag} must be true or false, got ${quoted(value)}`);
}

async function openStation(io: Io, json: boolean | undefined): Promise<Station> {
  const config = configFromEnv(io.env);
  const station = await Station.create({ dataDir: config.dataDir, api: config.api, readers: { simulated: false }, sync: { autoStart: false }, userAgent: 'TokenStation-CLI' });
  if (station.mode === 'sandbox' && !json) line(io.stderr, `${SANDBOX_NOTICE} (set TOKEN_STATION_API_KEY to use Spirii)`);
  return station;
}

/** Progress on stderr at most once a second, for a person watching a long run. */
function progressPrinter(io: Io, enabled: boolean): (text: string) => void {
  let last = Date.now();
  return (text) => {
    if (!enabled || Date.now() - last < 1000) return;
    last = Date.now();
    line(io.stderr, text);
  };
}

function printPreview(io: Io, preview: ImportPreview, problems: string[]): void {
  line(io.stdout, `${preview.fileName}: ${preview.format.description}.`);
  if (preview.previous) line(io.stdout, `This file was imported before, on ${preview.previous.at} (${preview.previous.queued} cards queued then).`);
  for (const problem of problems) line(io.stdout, problem);
  if (preview.spirii.message) line(io.stdout, preview.spirii.message);
  line(io.stdout, describeSummary(preview.summary));
}

export const importCommand = async (args: string[], io: Io): Promise<number> => {
  const { values, positionals } = parseWithFile(args, {
    customer: { type: 'string' },
    'uid-format': { type: 'string' },
    'dry-run': { type: 'boolean' },
    'save-rejected': { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'give the CSV file to import' : `give one file, got ${positionals.length}`);
  const file = positionals[0]!;
  const customerId = positiveInt('customer', values.customer);
  const uidFormat = oneOf('uid-format', values['uid-format'], [...UID_FORMATS, 'auto'] as const);
  let bytes: Uint8Array;
  try {
    bytes = await readImportFile(file);
  } catch (error) {
    if (error instanceof FileRefused) throw new UsageError(error.message);
    throw error;
  }
  const station = await openStation(io, values.json);
  try {
    const progress = progressPrinter(io, !values.json);
    let prepared;
    try {
      prepared = await station.importer.prepare(bytes, file, {
        defaults: importDefaults(station.enrollmentDefaults.value, customerId),
        uidFormat,
        onProgress: (step, done, total) => progress(`${step}: ${done} of ${total}`),
      });
    } catch (error) {
      if (error instanceof FileRefused) throw new UsageError(error.message);
      throw error;
    }
    const preview = station.importer.preview(prepared, 'cli', { rows: Infinity, problems: Infinity });
    // One line per kind of problem, real problems first; --json keeps every one.
    const problems = preview.groups.map((g) => g.message);
    let queued: number | null = null;
    let failure: string | null = null;
    if (!values['dry-run']) {
      try {
        queued = station.importer.commit(prepared).queued;
      } catch (error) {
        if (!(error instanceof ImportConflict)) throw error;
        failure = error.message;
      }
    }
    let saved: { file: string; rows: number } | null = null;
    if (values['save-rejected']) {
      const target = path.resolve(values['save-rejected']);
      saved = { file: target, rows: (await station.importer.writeNotQueued(prepared, target)).rows };
    }
    if (values.json) {
      jsonLine(io.stdout, { ...preview, savedRejected: saved, id: undefined, summaryText: describeSummary(preview.summary), dryRun: values['dry-run'] ?? false, queued, error: failure });
    } else {
      printPreview(io, preview, problems);
      if (saved) line(io.stdout, `Saved ${saved.rows} rows that were not queued to ${path.basename(saved.file)} (column "reason" says why).`);
      if (failure) line(io.stderr, failure);
      else if (queued !== null) line(io.stdout, `Queued ${queued} cards from ${preview.fileName}; ${preview.summary.rows - queued} rows not queued. Run "token-station sync" to send them.`);
      else line(io.stdout, 'Dry run: nothing was queued.');
    }
    return failure || preview.summary.invalid > 0 ? 1 : 0;
  } finally {
    await station.close();
  }
};

/**
 * The --out file, resolved; refused in one line (exit 2) when it is a folder, a file in the data
 * folder, or an existing file without --force. Call it once the station is open: opening the
 * database is what marks its folder as the data folder.
 */
export function outFile(out: string, force: boolean | undefined): string {
  try {
    return checkOutputTarget(out, { force });
  } catch (error) {
    if (error instanceof OutputFileRefused) throw new UsageError(error.message);
    throw error;
  }
}

export const exportCommand = async (args: string[], io: Io): Promise<number> => {
  const { values, positionals } = parseWithFile(args, {
    source: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    force: { type: 'boolean' },
    delimiter: { type: 'string' },
    bom: { type: 'boolean' },
    headers: { type: 'string' },
    customer: { type: 'string' },
    search: { type: 'string' },
    type: { type: 'string' },
    active: { type: 'string' },
    roaming: { type: 'string' },
    priority: { type: 'string' },
    'valid-from': { type: 'string' },
    'expires-from': { type: 'string' },
    'sort-by': { type: 'string' },
    'sort-direction': { type: 'string' },
    state: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${quoted(positionals[0]!)} (give the file with --out)`);
  const source = oneOf('source', values.source, ['spirii', 'local'] as const);
  if (!source) throw new UsageError('--source is required (spirii or local)');
  const out = values.out;
  if (!out) throw new UsageError('--out is required');
  const format = oneOf('format', values.format, EXPORT_FORMATS) ?? (path.extname(out).slice(1).toLowerCase() as ExportFormat);
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format is required (csv, xlsx or json) when --out has no such extension`);
  const delimiter = oneOf('delimiter', values.delimiter, [',', ';'] as const);
  // Headers for people unless asked for the API's (a file to import again).
  const headers = oneOf('headers', values.headers, EXPORT_HEADERS) ?? 'human';
  const request: ExportRequest = { source, format, csv: { delimiter, bom: values.bom }, headers };
  const customerId = positiveInt('customer', values.customer);
  if (source === 'spirii') {
    if (values.state) throw new UsageError('--state filters the local queue; use it with --source local');
    const filters = spiriiFiltersShape.safeParse({
      search: values.search,
      type: values.type,
      customerId,
      isActive: bool('active', values.active),
      roamingEnabled: bool('roaming', values.roaming),
      priority: bool('priority', values.priority),
      validFrom: values['valid-from'],
      expiresFrom: values['expires-from'],
      sortBy: values['sort-by'],
      sortDirection: values['sort-direction'],
    });
    if (!filters.success) throw new UsageError(filterProblem(filters.error.issues[0]!));
    request.spiriiFilters = filters.data;
  } else {
    const states = values.state?.flatMap((s) => s.split(',')).map((s) => oneOf('state', s.trim(), QUEUE_STATES)!);
    const filters = localFiltersShape.safeParse({ states, customerId, search: values.search });
    if (!filters.success) throw new UsageError(filterProblem(filters.error.issues[0]!));
    request.localFilters = filters.data;
  }
  const station = await openStation(io, values.json);
  const controller = new AbortController();
  void io.interrupted.then(() => controller.abort());
  try {
    const target = outFile(out, values.force);
    const progress = progressPrinter(io, !values.json);
    const result = await station.files.exportToPath(request, target, {
      signal: controller.signal,
      onProgress: (p) => progress(p.note ?? `${p.done}${p.total !== null ? ` of ${p.total}` : ''} tokens written`),
    });
    // Every export is in the audit trail, from the terminal as from the window.
    station.audit.record('export', { call: 'cli export', source, format, filters: request.spiriiFilters ?? request.localFilters ?? {}, rows: result.rows }, path.resolve(out));
    const message = `Exported ${result.rows} tokens to ${path.basename(out)}.`;
    if (values.json) jsonLine(io.stdout, { file: path.resolve(out), rows: result.rows, bytes: result.bytes, ms: Math.round(result.ms), message });
    else line(io.stdout, message);
    return 0;
  } catch (error) {
    if (error instanceof Cancelled) {
      line(io.stderr, 'Cancelled: nothing was written.');
      return 1;
    }
    throw error;
  } finally {
    await station.close();
  }
};

export const reconcileCommand = async (args: string[], io: Io): Promise<number> => {
  const { values, positionals } = parseWithFile(args, { customer: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' }, format: { type: 'string' }, json: { type: 'boolean' } });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${quoted(positionals[0]!)}`);
  const customerId = positiveInt('customer', values.customer);
  const format = values.out ? (oneOf('format', values.format, EXPORT_FORMATS) ?? (path.extname(values.out).slice(1).toLowerCase() as ExportFormat)) : undefined;
  if (values.out && !(EXPORT_FORMATS as readonly string[]).includes(format!)) throw new UsageError('--format is required (csv, xlsx or json)');
  const station = await openStation(io, values.json);
  try {
    const target = values.out ? outFile(values.out, values.force) : undefined;
    const report = await station.files.compare({ customerId });
    if (target) {
      await writeDifferences(report.differences, target, format!);
      station.audit.record('export', { call: 'cli reconcile', format, customerId: customerId ?? null, rows: report.differences.length }, target);
    }
    if (values.json) jsonLine(io.stdout, { ...report, summaryText: describeReport(report) });
    else {
      line(io.stdout, describeReport(report));
      if (report.differences.length > 0 && !values.out) {
        line(io.stdout, table([['DIFFERENCE', 'UID', 'DETAIL'], ...report.differences.map((d) => [d.kind, d.uid, d.message])]));
      }
      if (values.out) line(io.stdout, `Exported ${report.differences.length} differences to ${path.basename(values.out)}.`);
    }
    return report.differences.length === 0 ? 0 : 1;
  } finally {
    await station.close();
  }
};
