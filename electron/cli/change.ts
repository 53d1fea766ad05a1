/**
 * `token-station change` queues changes to tokens in Spirii (one card, or every row of a CSV file),
 * and `token-station changes` lists them and acts on them (pause, resume, cancel a batch; choose
 * for a change in conflict). Like `add`, nothing is sent here: the sync sends what is queued.
 */
import fs from 'node:fs';
import path from 'node:path';
import { configFromEnv } from '../core/config';
import { openDatabase } from '../core/db/sqlite';
import { ChangeActionError, ChangeQueue } from '../core/changes/queue';
import { checkChangeFields, describeFields, InvalidChangeError } from '../core/changes/fields';
import { CHANGE_STATES, CHANGE_STATE_WORDS, type ChangeFields, type QueuedChange, type TokenRef } from '../core/changes/types';
import { parseUid } from '../core/uid';
import { parse, positiveInt, required, actionArg, statesArg, tokenText, uidArg, UsageError } from './args';
import { jsonLine, line, quoted, table, type Io } from './output';

type Command = (args: string[], io: Io) => Promise<number>;

/** The Station (the whole core) is loaded only by what needs it: listing changes needs the database alone. */
const withStation = async () => (await import('./station')).withStation;

/** A search longer than this matches no UID or label (as `queue --search`). */
const SEARCH_MAX = 50;

/** The flag each field comes from, for a refusal that names what the desk typed. */
const FLAG_OF: Record<keyof ChangeFields, string> = {
  isActive: 'active',
  validFrom: 'valid-from',
  expiresAt: 'expires',
  roamingEnabled: 'roaming',
  priorityChargingEnabled: 'priority',
  billingReference: 'billing-reference',
  comment: 'comment',
  customerId: 'customer',
};

const TEXT_MAX = 100;
/** Rows one `change --file` queues at most (a fleet's list; a larger file is the wrong file). */
const FILE_ROWS_MAX = 100_000;

/** A refused field in the words of its flag. */
function usageOf(error: InvalidChangeError): UsageError {
  return new UsageError(error.field ? `--${FLAG_OF[error.field]} ${error.reason.replace('after validFrom', 'after --valid-from')}` : error.reason);
}

function bool(flag: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new UsageError(`--${flag} must be true or false, got ${quoted(value)}`);
}

async function dateArg(flag: string, value: string | undefined, never: boolean): Promise<string | null | undefined> {
  if (value === undefined) return undefined;
  if (never && value.trim().toLowerCase() === 'never') return null;
  // The import's reading of a date, so a file and a flag mean the same: ISO, or day first; without a zone, UTC.
  const { parseDateTime } = await import('../core/io/import-plan');
  const at = parseDateTime(value);
  if (at === undefined) throw new UsageError(`--${flag} must be a date such as 2026-12-31, 31.12.2026 or 2026-12-31T23:59:59Z${never ? ', or never' : ''}, got ${quoted(value)}`);
  return at;
}

/** A file's rows as references: its `uid` or `label` column (any case), with each row's number as a spreadsheet shows it. */
async function fileRefs(file: string): Promise<{ refs: { row: number; ref: TokenRef }[]; problems: string[] }> {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    throw new UsageError(`--file: cannot read ${quoted(file)} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const { readCsv } = await import('../core/io/csv-read');
  const { FileRefused } = await import('../core/io/text');
  const { unneutralizeCell } = await import('../core/io/csv-safe');
  const refs: { row: number; ref: TokenRef }[] = [];
  const problems: string[] = [];
  let column: { index: number; kind: 'uid' | 'label' } | null = null;
  try {
    readCsv(bytes, ({ row, cells }) => {
      if (column === null) {
        const names = cells.map((c) => c.trim().toLowerCase());
        const uid = names.indexOf('uid');
        const label = names.indexOf('label');
        if (uid < 0 && label < 0) throw new UsageError(`--file: the first row must name a uid or label column, got ${quoted(cells.join(', '))}`);
        column = uid >= 0 ? { index: uid, kind: 'uid' } : { index: label, kind: 'label' };
        return;
      }
      const cell = unneutralizeCell((cells[column.index] ?? '').trim());
      if (cell === '') return;
      if (refs.length >= FILE_ROWS_MAX) throw new UsageError(`--file: at most ${FILE_ROWS_MAX} rows; split the file`);
      if (column.kind === 'uid') {
        const parsed = parseUid(cell);
        if (parsed.ok) refs.push({ row, ref: { uid: parsed.uid } });
        else problems.push(`Row ${row}: ${parsed.error}`);
      } else refs.push({ row, ref: { label: cell } });
    });
  } catch (error) {
    if (error instanceof FileRefused) throw new UsageError(`--file: ${error.message}`);
    throw error;
  }
  if (column === null) throw new UsageError('--file: the file is empty');
  return { refs, problems };
}

function changeRow(c: QueuedChange): string[] {
  return [
    String(c.id),
    CHANGE_STATE_WORDS[c.state],
    c.uid ?? '',
    c.label ?? '',
    String(c.spiriiId),
    String(c.batchId),
    describeFields(c.fields),
    c.lastError ?? '',
  ];
}

/**
 * `change (--uid UID | --label L | --file F) [--active true|false] [--expires DATE|never]
 * [--valid-from DATE] [--roaming true|false] [--priority true|false] [--billing-reference T]
 * [--comment T] [--customer ID] [--json]`: one batch, queued; exit 1 when a card or row names no
 * token (the others are queued), 2 for bad input (nothing queued).
 */
export const changeCommand: Command = async (args, io) => {
    const { values } = parse(args, {
      uid: { type: 'string' },
      label: { type: 'string' },
      file: { type: 'string' },
      active: { type: 'string' },
      expires: { type: 'string' },
      'valid-from': { type: 'string' },
      roaming: { type: 'string' },
      priority: { type: 'string' },
      'billing-reference': { type: 'string' },
      comment: { type: 'string' },
      customer: { type: 'string' },
      json: { type: 'boolean' },
    });
    const given = [values.uid, values.label, values.file].filter((v) => v !== undefined).length;
    if (given !== 1) throw new UsageError(given === 0 ? 'name the token(s): --uid UID, --label LABEL or --file FILE' : 'give one of --uid, --label and --file');
    // Every flag is checked before anything is opened: a refused run changes nothing.
    const input: Record<string, unknown> = {};
    const set = (key: keyof ChangeFields, value: unknown) => {
      if (value !== undefined) input[key] = value;
    };
    set('isActive', bool('active', values.active));
    set('roamingEnabled', bool('roaming', values.roaming));
    set('priorityChargingEnabled', bool('priority', values.priority));
    set('expiresAt', await dateArg('expires', values.expires, true));
    set('validFrom', await dateArg('valid-from', values['valid-from'], false));
    set('billingReference', tokenText('billing-reference', values['billing-reference'], TEXT_MAX));
    set('comment', tokenText('comment', values.comment, TEXT_MAX));
    set('customerId', positiveInt('customer', values.customer));
    if (Object.keys(input).length === 0) {
      throw new UsageError('give at least one change: --active, --expires, --valid-from, --roaming, --priority, --billing-reference, --comment or --customer');
    }
    try {
      checkChangeFields(input);
    } catch (error) {
      if (error instanceof InvalidChangeError) throw usageOf(error);
      throw error;
    }
    const label = tokenText('label', values.label, TEXT_MAX);
    if (values.label !== undefined && !label) throw new UsageError('--label must not be empty');
    const fromFile = values.file !== undefined ? await fileRefs(values.file) : null;
    const refs = fromFile?.refs ?? [{ row: 0, ref: values.uid !== undefined ? { uid: uidArg('uid', values.uid) } : { label: label! } }];
    if (fromFile && refs.length === 0 && fromFile.problems.length === 0) throw new UsageError('--file: no rows name a token');
    const source = fromFile ? (`cli:${path.basename(values.file!)}` as const) : ('cli' as const);

    return (await withStation())(io, { json: values.json }, async (station) => {
      let queued;
      try {
        queued = await station.changes.changeTokens(
          input,
          refs.map((r) => r.ref),
          source,
        );
      } catch (error) {
        if (error instanceof InvalidChangeError) throw usageOf(error);
        throw error;
      }
      const rowOf = new Map(refs.map((r) => [r.ref, r.row]));
      const unresolved = queued.unresolved.map((u) => ({ row: rowOf.get(u.ref) || null, ...u.ref, reason: u.reason, message: u.message }));
      const problems = fromFile?.problems ?? [];
      if (values.json) {
        jsonLine(io.stdout, {
          batch: queued.batch?.id ?? null,
          queued: queued.changes.length,
          online: queued.online,
          changes: queued.changes.map((c) => ({ id: c.id, uid: c.uid, label: c.label, spiriiId: c.spiriiId, state: c.state, basedOn: c.basedOn, fields: c.fields })),
          unresolved,
          problems,
        });
      } else {
        for (const problem of problems) line(io.stderr, problem);
        for (const u of unresolved) line(io.stderr, `${u.row ? `Row ${u.row}: ` : ''}${u.message}`);
        if (queued.batch) {
          const fields = describeFields(queued.batch.fields);
          line(
            io.stdout,
            `Queued ${queued.changes.length} change${queued.changes.length === 1 ? '' : 's'} (${fields}) as batch ${queued.batch.id}. They are sent by the sync: run "token-station sync".`,
          );
          if (!queued.online) line(io.stdout, "Spirii could not be asked: the changes are based on what this desk last saw, and checked against Spirii before they are sent.");
        } else line(io.stdout, 'Nothing queued.');
      }
      return queued.changes.length > 0 && unresolved.length === 0 && problems.length === 0 ? 0 : 1;
    });
};

const ACTIONS = ['pause', 'resume', 'cancel', 'progress', 'apply-mine', 'keep-spirii'] as const;

/**
 * `changes [--state S]... [--batch N] [--search TEXT] [--json]` lists the queued changes (from
 * the database alone); `changes pause|resume|cancel|progress --batch N` and
 * `changes apply-mine|keep-spirii --id N` act, audited.
 */
export const changesCommand: Command = async (args, io) => {
    const { action, rest } = actionArg(args, ACTIONS);
    const { values } = parse(rest, {
      json: { type: 'boolean' },
      state: { type: 'string', multiple: true },
      search: { type: 'string' },
      batch: { type: 'string' },
      id: { type: 'string' },
    });
    const states = statesArg(values.state, CHANGE_STATES);
    if (values.search !== undefined && values.search.trim().length > SEARCH_MAX) throw new UsageError(`--search must be at most ${SEARCH_MAX} characters, got ${values.search.trim().length}`);
    const batchId = positiveInt('batch', values.batch);
    const id = positiveInt('id', values.id);
    if (action && (states || values.search)) throw new UsageError('--state and --search only filter the list: "changes" without an action');
    if (action === 'apply-mine' || action === 'keep-spirii') {
      required('id', id);
      if (batchId !== undefined) throw new UsageError(`changes ${action} takes --id, not --batch`);
    } else if (action) {
      required('batch', batchId);
      if (id !== undefined) throw new UsageError(`changes ${action} takes --batch, not --id`);
    } else if (id !== undefined) throw new UsageError('--id goes with an action: changes apply-mine|keep-spirii');

    if (!action) {
      // Listing needs only the database, like `queue`.
      const db = openDatabase(configFromEnv(io.env).dataDir);
      try {
        const changes = new ChangeQueue(db).list({ states, batchId, search: values.search?.trim(), limit: 100_000 });
        if (values.json) jsonLine(io.stdout, changes);
        else if (changes.length === 0) line(io.stdout, values.search || states || batchId ? 'No change matches.' : 'No changes are queued.');
        else line(io.stdout, table([['ID', 'STATE', 'UID', 'LABEL', 'SPIRII ID', 'BATCH', 'CHANGE', 'LAST ERROR'], ...changes.map(changeRow)]));
        return 0;
      } finally {
        db.close();
      }
    }
    return (await withStation())(io, { json: values.json }, async (station) => {
      try {
        if (action === 'apply-mine' || action === 'keep-spirii') {
          const change = station.changes.choose(id!, action);
          if (values.json) jsonLine(io.stdout, change);
          else line(io.stdout, action === 'apply-mine' ? `Change ${change.id} will be sent over Spirii's version: run "token-station sync".` : `Change ${change.id} dropped: Spirii's version is kept.`);
          return 0;
        }
        if (action === 'cancel') {
          const cancelled = station.changes.cancel(batchId!);
          if (values.json) jsonLine(io.stdout, { cancelled: cancelled.length, progress: station.changes.progress(batchId!) });
          else line(io.stdout, `Cancelled ${cancelled.length} change${cancelled.length === 1 ? '' : 's'} of batch ${batchId} not yet sent.`);
          return 0;
        }
        const progress = action === 'pause' ? station.changes.pause(batchId!) : action === 'resume' ? station.changes.resume(batchId!) : station.changes.progress(batchId!);
        if (values.json) jsonLine(io.stdout, progress);
        else {
          const left = progress.estimateMs < 60_000 ? `${Math.ceil(progress.estimateMs / 1000)} s` : `${(progress.estimateMs / 60_000).toFixed(1)} min`;
          line(
            io.stdout,
            `Batch ${batchId}${progress.paused ? ' (paused)' : ''}: ${progress.done} of ${progress.total} done, ${progress.failed} failed, ${progress.conflicts} in conflict, ${progress.cancelled} cancelled, ${progress.waiting} waiting; at least ${left} left at ${progress.writesPerMinute} writes a minute.`,
          );
        }
        return 0;
      } catch (error) {
        if (!(error instanceof ChangeActionError)) throw error;
        line(io.stderr, error.message);
        return 1;
      }
    });
};
