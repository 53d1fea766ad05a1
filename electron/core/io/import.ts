/**
 * Importing a card list: plan the file (import-plan.ts), hold back the cards already in the queue
 * and (when Spirii can be reached) already in Spirii, show all of it, and only on confirmation
 * queue the ready rows, all of them in one SQLite transaction or none.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Db } from '../db/sqlite';
import type { QueuedToken, QueueState, TokenQueue } from '../queue';
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

/** Rows and problems a preview carries to the window; the CLI's --json and the core keep them all. */
export const PREVIEW_ROWS = 200;
export const PREVIEW_PROBLEMS = 500;
/** More requests than this to check a file against Spirii, and the check is left to the sync. */
export const MAX_SPIRII_REQUESTS = 300;
const LOOKUP_CONCURRENCY = 4;
const HISTORY_KEY = 'import.history';
const HISTORY_LIMIT = 200;

export interface SpiriiCheck {
  state: 'checked' | 'offline' | 'skipped' | 'failed';
  message: string | null;
  /** Skipped for its size: the requests the check would have taken. */
  requests?: number;
  /** Offline or failed: the error as it came (a network's or Spirii's own text). */
  error?: string;
}

export interface ImportSummary {
  rows: number;
  ready: number;
  invalid: number;
  duplicateInFile: number;
  duplicateInQueue: number;
  duplicateInSpirii: number;
  warnings: number;
}

export interface PreviewRow extends ImportValues {
  row: number;
  status: RowStatus;
  duplicate: DuplicateKind | null;
  message: string | null;
  detail?: ProblemDetail;
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
}

export interface ImportOptions {
  defaults: ImportDefaults;
  uidFormat?: UidFormat | 'auto';
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
  ) {}

  async prepare(bytes: Uint8Array, fileName: string, options: ImportOptions): Promise<Prepared> {
    options.onProgress?.('reading', 0, bytes.length);
    const plan = planImport(bytes, { defaults: options.defaults, uidFormat: options.uidFormat });
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    options.onProgress?.('checking the queue', 0, plan.rows.length);
    this.markQueued(plan);
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
    };
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
      rows: plan.rows.slice(0, limits.rows).map(toPreviewRow),
      problems: plan.problems.slice(0, limits.problems),
      problemsTotal: plan.problems.length,
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
      const taken: string[] = [];
      for (const row of ready) {
        const token = this.queue.insertQuietly(draftOf(row.values, source));
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
    return { queued: inserted.length, notQueued: prepared.plan.rows.length - inserted.length, fileName: prepared.fileName };
  }

  private history(): (PreviousImport & { sha256: string })[] {
    return this.settings.get<(PreviousImport & { sha256: string })[]>(HISTORY_KEY, []);
  }

  private remember(entry: PreviousImport & { sha256: string }): void {
    this.settings.set(HISTORY_KEY, [entry, ...this.history()].slice(0, HISTORY_LIMIT));
  }

  private markQueued(plan: ImportPlan): void {
    const ready = plan.rows.filter((r) => r.status === 'ready');
    const uidColumn = plan.columns.find((c) => c.field === 'uid')!.header;
    for (let i = 0; i < ready.length; i += 500) {
      const chunk = ready.slice(i, i + 500);
      const found = this.db
        .prepare(`SELECT uid, state, customer_id AS customerId, label FROM tokens WHERE uid IN (${chunk.map(() => '?').join(',')})`)
        .all(...chunk.map((r) => r.values.uid)) as { uid: string; state: QueueState; customerId: number; label: string | null }[];
      const byUid = new Map(found.map((f) => [f.uid, f]));
      for (const row of chunk) {
        const existing = byUid.get(row.values.uid);
        if (!existing) continue;
        hold(
          row,
          'queue',
          `Card ${row.values.uid} is already in the queue (${existing.state.replace('_', ' ')}, customer ${existing.customerId}${existing.label ? `, label ${existing.label}` : ''})`,
          plan.problems,
          uidColumn,
          { key: 'in-queue', uid: row.values.uid, state: existing.state, customerId: existing.customerId, label: existing.label },
        );
      }
    }
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
        hold(row, 'spirii', `Card ${f.uid} is already in Spirii (token ${f.id}, customer ${f.customerId}${f.label ? `, label ${f.label}` : ''})`, plan.problems, uidColumn, {
          key: 'in-spirii',
          uid: f.uid,
          tokenId: f.id,
          customerId: f.customerId,
          label: f.label ?? null,
        });
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

function hold(row: PlanRow, kind: DuplicateKind, message: string, problems: Problem[], column: string, detail: ProblemDetail): void {
  row.status = 'duplicate';
  row.duplicate = kind;
  row.message = message;
  row.detail = detail;
  problems.push({ row: row.row, column, severity: 'duplicate', message, detail });
}

function summarize(plan: ImportPlan): ImportSummary {
  const s: ImportSummary = { rows: plan.rows.length, ready: 0, invalid: 0, duplicateInFile: 0, duplicateInQueue: 0, duplicateInSpirii: 0, warnings: 0 };
  for (const row of plan.rows) {
    if (row.status === 'ready') s.ready++;
    else if (row.status === 'invalid') s.invalid++;
    else if (row.duplicate === 'file') s.duplicateInFile++;
    else if (row.duplicate === 'queue') s.duplicateInQueue++;
    else if (row.duplicate === 'spirii') s.duplicateInSpirii++;
  }
  s.warnings = plan.problems.filter((p) => p.severity === 'warning').length;
  return s;
}

function toPreviewRow(row: PlanRow): PreviewRow {
  return { row: row.row, status: row.status, duplicate: row.duplicate, message: row.message, ...(row.detail ? { detail: row.detail } : {}), ...row.values };
}

/** One line for the desk: what the import will do. The window and the CLI say the same. */
export function describeSummary(s: ImportSummary): string {
  const held = [
    s.invalid ? `${s.invalid} with problems` : null,
    s.duplicateInFile ? `${s.duplicateInFile} repeated in the file` : null,
    s.duplicateInQueue ? `${s.duplicateInQueue} already in the queue` : null,
    s.duplicateInSpirii ? `${s.duplicateInSpirii} already in Spirii` : null,
  ].filter(Boolean);
  return `${s.rows} rows: ${s.ready} to queue${held.length ? `; not queued: ${held.join(', ')}` : ''}.`;
}

export { describeProblem };
