/**
 * `token-station sync` and `token-station queue`: the queue's summary, rows and desk actions from a
 * terminal, with the same words as the window's Queue screen.
 */
import type { Station } from '../core/station';
import { configFromEnv } from '../core/config';
import { openDatabase } from '../core/db/sqlite';
import { QUEUE_STATES, QueueActionError, STATE_WORDS, TokenQueue, type QueueCounts, type QueuedToken } from '../core/queue';
import { Settings } from '../core/settings';
import type { SyncStatus } from '../core/sync/worker';
import { nonNegativeInt, parse, positiveInt, required, actionArg, statesArg, UsageError } from './args';
import { jsonLine, line, table, type Io } from './output';
import { AuditLog } from '../core/audit';

type Command = (args: string[], io: Io) => Promise<number>;
type WithStation = <T>(io: Io, options: { json?: boolean }, run: (station: Station) => Promise<T>) => Promise<T>;

/** "synced 3, pending 0, in doubt 0, rejected 1, held 2": every live state, always in this order. */
export function countsLine(counts: QueueCounts): string {
  return `synced ${counts.synced}, pending ${counts.pending + counts.sending}, in doubt ${counts.in_doubt}, rejected ${counts.rejected}, held ${counts.held}`;
}

function seconds(at: number | null, now: number): string {
  return at === null ? '' : `${Math.max(0, Math.ceil((at - now) / 1000))} s`;
}

/** The sync status in the desk's words: online or not, and what happens next. */
export function statusLine(status: SyncStatus, now = Date.now()): string {
  const online = status.online === true ? 'online' : status.online === false ? 'offline' : 'not connected yet';
  const next = status.nextAttemptAt === null ? '' : `, next attempt in ${seconds(status.nextAttemptAt, now)}`;
  switch (status.phase) {
    case 'paused-auth':
      return `${online}, paused: Spirii refused the API key${next}`;
    case 'rate-limited':
      return `${online}, waiting for the rate limit${next}`;
    case 'offline':
      return `offline: Spirii unreachable${next}`;
    case 'backoff':
      return `${online}, a request failed${next}`;
    case 'elsewhere':
      return `${online}, another Token Station is sending this queue${next}`;
    case 'syncing':
      return `${online}, syncing`;
    case 'stopped':
    case 'idle': {
      const open = status.counts.pending + status.counts.sending + status.counts.in_doubt;
      if (open > 0) return `${online}, not done${next}`;
      if (status.counts.held > 0) return `${online}, up to date; ${status.counts.held} held${next ? ` (first release in ${seconds(status.nextAttemptAt, now)})` : ''}`;
      return `${online}, up to date`;
    }
  }
}

/** The longest `sync --timeout`: a day. Longer is a typing error, and would overflow a timer. */
const SYNC_TIMEOUT_MAX_S = 86_400;
/** The longest hold period the sync settings take: a day. */
const HOLD_MINUTES_MAX = 24 * 60;
/** A search longer than this matches no UID or label (the window's search has the same bound). */
export const SEARCH_MAX = 50;

export function syncCommand(withStation: WithStation): Command {
  return async (args, io) => {
    const { values } = parse(args, { timeout: { type: 'string' }, json: { type: 'boolean' } });
    const timeoutMs = (positiveInt('timeout', values.timeout, SYNC_TIMEOUT_MAX_S) ?? 60) * 1000;
    return withStation(io, { json: values.json }, async (station) => {
      const status = await Promise.race([station.sync.settle(timeoutMs), io.interrupted.then(() => station.sync.status)]);
      // A replacement whose new token is now in Spirii deactivates the old one (token-station replace list).
      const replacing = await Promise.race([station.replacements.settle(station.sync, Math.min(timeoutMs, 30_000)), io.interrupted.then(() => station.replacements.open())]);
      const { counts } = status;
      const changes = station.changes.counts();
      // Held tokens wait on purpose (the hold period), and so do changes of a paused batch: they do not make `sync` fail.
      const left = counts.pending + counts.sending + counts.in_doubt + station.changes.waiting();
      if (values.json) {
        jsonLine(io.stdout, { ...counts, phase: status.phase, online: status.online, nextAttemptAt: status.nextAttemptAt, lastError: status.lastError, changes });
      } else {
        line(io.stdout, countsLine(counts));
        const anyChange = Object.values(changes).some((n) => n > 0);
        if (anyChange) {
          line(io.stdout, `changes: synced ${changes.synced}, pending ${changes.pending + changes.sending}, in doubt ${changes.in_doubt}, conflict ${changes.conflict}, rejected ${changes.rejected}`);
        }
        line(io.stdout, `status: ${statusLine(status)}`);
        if (status.lastError && left > 0) line(io.stderr, status.lastError);
        if (counts.rejected > 0) line(io.stderr, 'Rejected tokens need attention: see "token-station queue --state rejected".');
        if (replacing.length > 0) line(io.stderr, `${replacing.length} card replacement(s) not finished: see "token-station replace list".`);
        if (changes.conflict > 0) line(io.stderr, 'Changes in conflict need a choice: see "token-station changes --state conflict".');
        if (changes.rejected > 0) line(io.stderr, 'Rejected changes need attention: see "token-station changes --state rejected".');
      }
      return left === 0 ? 0 : 1;
    });
  };
}

function queueRow(t: QueuedToken): string[] {
  const error = t.state === 'held' && t.holdUntil ? `held until ${t.holdUntil}` : (t.lastError ?? '');
  return [String(t.id), STATE_WORDS[t.state], t.uid, t.label ?? '', String(t.customerId), t.spiriiId === null ? '' : String(t.spiriiId), error];
}

function ids(values: string[] | undefined): number[] | undefined {
  return values?.map((value) => positiveInt('id', value)!);
}

const ACTIONS = ['retry', 'release', 'discard', 'hold', 'batch'] as const;

/**
 * `queue [--state S]... [--search TEXT] [--json]` lists; `queue retry|release [--id N]...`,
 * `queue discard --id N`, `queue hold --minutes N` and `queue batch --size N` act. Reading and acting need neither the
 * API nor a sandbox: only the database (the next `sync`, or the app, sends).
 */
export const queueCommand: Command = async (args, io) => {
  const { action, rest } = actionArg(args, ACTIONS);
  const { values } = parse(rest, {
    json: { type: 'boolean' },
    state: { type: 'string', multiple: true },
    search: { type: 'string' },
    id: { type: 'string', multiple: true },
    minutes: { type: 'string' },
    size: { type: 'string' },
  });
  const states = statesArg(values.state, QUEUE_STATES);
  if (values.search !== undefined && values.search.trim().length > SEARCH_MAX) throw new UsageError(`--search must be at most ${SEARCH_MAX} characters, got ${values.search.trim().length}`);
  if (!action && (values.id || values.minutes || values.size)) throw new UsageError('--id, --minutes and --size go with an action: queue retry|release|discard|hold|batch');
  if (action && (states || values.search)) throw new UsageError('--state and --search only filter the list: "queue" without an action');
  const chosen = ids(values.id);
  if (action === 'discard' && chosen?.length !== 1) throw new UsageError('queue discard needs exactly one --id');
  // The sync settings (their schema is zod's) are loaded only by the actions that change them, so
  // that listing the queue stays light.
  const sync = action === 'hold' || action === 'batch' ? await import('../core/sync/settings') : null;
  const minutes = action === 'hold' ? nonNegativeInt('minutes', required('minutes', values.minutes), HOLD_MINUTES_MAX)! : undefined;
  const size = action === 'batch' ? positiveInt('size', required('size', values.size), sync!.MAX_BATCH_SIZE)! : undefined;

  const config = configFromEnv(io.env);
  const db = openDatabase(config.dataDir);
  try {
    const queue = new TokenQueue(db);
    const print = (tokens: QueuedToken[], empty: string) => {
      if (values.json) jsonLine(io.stdout, tokens);
      else if (tokens.length === 0) line(io.stdout, empty);
      else line(io.stdout, table([['ID', 'STATE', 'UID', 'LABEL', 'CUSTOMER', 'SPIRII ID', 'LAST ERROR'], ...tokens.map(queueRow)]));
    };
    switch (action) {
      case null:
        print(queue.list({ states, search: values.search }), values.search || states ? 'No token matches.' : 'The queue is empty.');
        return 0;
      case 'retry':
        print(queue.retry(chosen), 'Nothing to retry: no rejected or in-doubt token among those.');
        if (!values.json) line(io.stderr, 'Run "token-station sync" to send them.');
        return 0;
      case 'release':
        print(queue.release(chosen), 'Nothing to release: no held token among those.');
        return 0;
      case 'discard':
        try {
          const discarded = queue.discard(chosen![0]!);
          // A discard from the terminal is in the audit trail too, as one from the window is.
          new AuditLog(db, new Settings(db)).record('discard', { tokenId: discarded.id, label: discarded.label, customerId: discarded.customerId, via: 'cli' }, discarded.uid);
          print([discarded], '');
          return 0;
        } catch (error) {
          if (!(error instanceof QueueActionError)) throw error;
          line(io.stderr, error.message);
          return 1;
        }
      case 'hold': {
        const settings = sync!.syncSettingsSection(new Settings(db)).update({ holdMinutes: minutes! });
        if (values.json) jsonLine(io.stdout, settings);
        else line(io.stdout, settings.holdMinutes === 0 ? 'Hold period off: new tokens are sent at once.' : `New tokens are held ${settings.holdMinutes} minutes before they are sent.`);
        return 0;
      }
      case 'batch': {
        const settings = sync!.syncSettingsSection(new Settings(db)).update({ batchSize: size! });
        if (values.json) jsonLine(io.stdout, settings);
        else line(io.stdout, `Up to ${settings.batchSize} tokens go to Spirii in one request.`);
        return 0;
      }
    }
  } catch (error) {
    // A refused value is the flag's fault: say which flag, with the setting's own reason.
    if (sync && error instanceof sync.InvalidSyncSettingsError && error.field === 'holdMinutes') throw new UsageError(`--minutes: ${error.reason}`);
    if (sync && error instanceof sync.InvalidSyncSettingsError && error.field === 'batchSize') throw new UsageError(`--size: ${error.reason}`);
    throw error;
  } finally {
    db.close();
  }
};
