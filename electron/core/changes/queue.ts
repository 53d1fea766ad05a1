/**
 * The changes queue: every change to a token in Spirii is written here first, durably, with the
 * `updatedAt` the desk based it on, and the sync worker moves it through its states (types.ts).
 * This module alone reads and writes the `token_changes` and `change_batches` tables. As in the
 * creations' queue, the state is written before each network step, and every state change after
 * an answer names the state and attempt the row must still be in.
 */
import type { Db } from '../db/sqlite';
import type { SpiriiToken } from '../token';
import { Listeners } from '../events';
import {
  CHANGE_STATES,
  OPEN_CHANGE_STATES,
  type BatchProgress,
  type ChangeBatch,
  type ChangeCounts,
  type ChangeFields,
  type ChangeProblem,
  type ChangeSource,
  type ChangeState,
  type ChangeTarget,
  type ConflictChoice,
  type QueuedChange,
} from './types';

/** A desk action on changes refused (no such change or batch, or its state does not allow it). */
export class ChangeActionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChangeActionError';
  }
}

/** What a state change after an answer expects the row to be in. */
export interface ChangeGuard {
  state: ChangeState;
  attemptId: string | null;
}

interface ChangeRow {
  id: number;
  batch_id: number;
  spirii_id: number;
  uid: string | null;
  label: string | null;
  fields: string;
  based_on: string | null;
  base_token: string | null;
  state: ChangeState;
  remote_token: string | null;
  attempt_id: string | null;
  attempted_at: string | null;
  attempts: number;
  last_error: string | null;
  last_error_detail: string | null;
  result_updated_at: string | null;
  read_back_at: string | null;
  created_at: string;
  updated_at: string;
  synced_at: string | null;
}

interface BatchRow {
  id: number;
  source: string;
  operator: string;
  fields: string;
  paused: number;
  created_at: string;
  cancelled_at: string | null;
}

function parseJson<T>(text: string | null): T | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

function fromRow(row: ChangeRow): QueuedChange {
  return {
    id: row.id,
    batchId: row.batch_id,
    spiriiId: row.spirii_id,
    uid: row.uid,
    label: row.label,
    fields: parseJson<ChangeFields>(row.fields) ?? {},
    state: row.state,
    basedOn: row.based_on,
    base: parseJson<SpiriiToken>(row.base_token),
    remote: parseJson<SpiriiToken>(row.remote_token),
    attempts: row.attempts,
    attemptId: row.attempt_id,
    attemptedAt: row.attempted_at,
    lastError: row.last_error,
    lastErrorDetail: row.last_error === null ? null : parseJson<ChangeProblem>(row.last_error_detail),
    resultUpdatedAt: row.result_updated_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    syncedAt: row.synced_at,
  };
}

function batchFromRow(row: BatchRow): ChangeBatch {
  return {
    id: row.id,
    source: row.source as ChangeSource,
    operator: row.operator,
    fields: parseJson<ChangeFields>(row.fields) ?? {},
    paused: row.paused === 1,
    createdAt: row.created_at,
    cancelledAt: row.cancelled_at,
  };
}

const OPEN_SQL = OPEN_CHANGE_STATES.map((s) => `'${s}'`).join(', ');

/**
 * A pending change that may be sent now: its batch is not paused, and no earlier change to the
 * same token is still open (changes to one token go in order, a later one waits for the earlier).
 */
const SENDABLE_SQL = `c.state = 'pending'
  AND NOT EXISTS (SELECT 1 FROM change_batches b WHERE b.id = c.batch_id AND b.paused = 1)
  AND NOT EXISTS (SELECT 1 FROM token_changes e WHERE e.spirii_id = c.spirii_id AND e.id < c.id AND e.state IN (${OPEN_SQL}))`;

export interface ChangeListOptions {
  states?: readonly ChangeState[];
  batchId?: number;
  /** Part of a UID or label, any case. */
  search?: string;
  limit?: number;
  offset?: number;
}

export interface ChangeQueueOptions {
  now?: () => Date;
}

export class ChangeQueue {
  private readonly listeners = new Listeners<QueuedChange[]>();
  private readonly now: () => Date;
  private readonly byId;

  constructor(
    readonly db: Db,
    options: ChangeQueueOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.byId = db.prepare('SELECT * FROM token_changes WHERE id = ?');
  }

  /** Subscribe to changed rows; returns the unsubscribe function. */
  onChange(listener: (changes: QueuedChange[]) => void): () => void {
    return this.listeners.add(listener);
  }

  // -------------------------------------------------------------------------------------------
  // The desk's actions.

  /**
   * Queue one batch: the same fields for every target, one change per target, in the targets'
   * order, in one transaction (all are queued, or none). Nothing goes on the network.
   */
  addBatch(source: ChangeSource, operator: string, fields: ChangeFields, targets: readonly ChangeTarget[]): { batch: ChangeBatch; changes: QueuedChange[] } {
    const now = this.now().toISOString();
    const json = JSON.stringify(fields);
    const result = this.db.transaction(() => {
      const batch = this.db
        .prepare(`INSERT INTO change_batches (source, operator, fields, created_at) VALUES (?, ?, ?, ?) RETURNING *`)
        .get(source, operator, json, now) as BatchRow;
      const insert = this.db.prepare(
        `INSERT INTO token_changes (batch_id, spirii_id, uid, label, fields, based_on, base_token, created_at, updated_at)
         VALUES (@batchId, @spiriiId, @uid, @label, @fields, @basedOn, @base, @now, @now) RETURNING *`,
      );
      const rows = targets.map(
        (t) =>
          insert.get({
            batchId: batch.id,
            spiriiId: t.spiriiId,
            uid: t.uid,
            label: t.label,
            fields: json,
            basedOn: t.basedOn,
            base: t.base ? JSON.stringify(t.base) : null,
            now,
          }) as ChangeRow,
      );
      return { batch: batchFromRow(batch), rows };
    })();
    return { batch: result.batch, changes: this.emitRows(result.rows) };
  }

  get(id: number): QueuedChange | undefined {
    const row = this.byId.get(id) as ChangeRow | undefined;
    return row && fromRow(row);
  }

  /** Changes, oldest first (by default every state). */
  list(options: ChangeListOptions = {}): QueuedChange[] {
    const clauses: string[] = [];
    const params: Record<string, unknown> = { limit: options.limit ?? 1000, offset: options.offset ?? 0 };
    if (options.states?.length) {
      clauses.push(`state IN (${options.states.map((_, i) => `@s${i}`).join(', ')})`);
      options.states.forEach((s, i) => (params[`s${i}`] = s));
    }
    if (options.batchId !== undefined) {
      clauses.push('batch_id = @batchId');
      params.batchId = options.batchId;
    }
    if (options.search) {
      clauses.push(`(instr(lower(coalesce(uid, '')), lower(@search)) > 0 OR instr(lower(coalesce(label, '')), lower(@search)) > 0)`);
      params.search = options.search;
    }
    const where = clauses.length ? clauses.join(' AND ') : '1';
    return (this.db.prepare(`SELECT * FROM token_changes WHERE ${where} ORDER BY id LIMIT @limit OFFSET @offset`).all(params) as ChangeRow[]).map(fromRow);
  }

  /** The changes to one token, oldest first (a card's history). */
  forToken(spiriiId: number): QueuedChange[] {
    return (this.db.prepare('SELECT * FROM token_changes WHERE spirii_id = ? ORDER BY id').all(spiriiId) as ChangeRow[]).map(fromRow);
  }

  batch(id: number): ChangeBatch | undefined {
    const row = this.db.prepare('SELECT * FROM change_batches WHERE id = ?').get(id) as BatchRow | undefined;
    return row && batchFromRow(row);
  }

  /** The latest batches, newest first. */
  batches(limit = 50): ChangeBatch[] {
    return (this.db.prepare('SELECT * FROM change_batches ORDER BY id DESC LIMIT ?').all(limit) as BatchRow[]).map(batchFromRow);
  }

  counts(): ChangeCounts {
    const counts = Object.fromEntries(CHANGE_STATES.map((s) => [s, 0])) as ChangeCounts;
    for (const row of this.db.prepare('SELECT state, count(*) AS n FROM token_changes GROUP BY state').all() as { state: ChangeState; n: number }[]) {
      counts[row.state] = row.n;
    }
    return counts;
  }

  /** Changes the sync still has to send or settle: pending in a batch that is not paused, sending, in doubt. */
  waiting(): number {
    return this.db
      .prepare(
        `SELECT count(*) FROM token_changes c WHERE c.state IN ('sending', 'in_doubt')
           OR (c.state = 'pending' AND NOT EXISTS (SELECT 1 FROM change_batches b WHERE b.id = c.batch_id AND b.paused = 1))`,
      )
      .pluck()
      .get() as number;
  }

  /** How far a batch is; the estimate assumes `writesPerMinute` PATCHes a minute (Spirii's write limit). */
  progress(batchId: number, writesPerMinute: number): BatchProgress {
    const batch = this.requireBatch(batchId);
    const counts = Object.fromEntries(CHANGE_STATES.map((s) => [s, 0])) as ChangeCounts;
    for (const row of this.db.prepare('SELECT state, count(*) AS n FROM token_changes WHERE batch_id = ? GROUP BY state').all(batchId) as {
      state: ChangeState;
      n: number;
    }[]) {
      counts[row.state] = row.n;
    }
    const minuteAgo = new Date(this.now().getTime() - 60_000).toISOString();
    const sentPerMinute = this.db.prepare('SELECT count(*) FROM token_changes WHERE batch_id = ? AND attempted_at >= ?').pluck().get(batchId, minuteAgo) as number;
    const waiting = counts.pending + counts.sending + counts.in_doubt;
    const total = CHANGE_STATES.reduce((sum, s) => sum + counts[s], 0);
    const rate = Math.max(1, writesPerMinute);
    return {
      batchId,
      total,
      done: counts.synced,
      failed: counts.rejected,
      conflicts: counts.conflict,
      cancelled: counts.discarded,
      waiting,
      sentPerMinute,
      paused: batch.paused,
      estimateMs: Math.ceil((waiting * 60_000) / rate),
      writesPerMinute: rate,
    };
  }

  /** Pause or resume a batch: a paused batch's changes are not sent (one already on its way settles as usual). */
  setPaused(batchId: number, paused: boolean): ChangeBatch {
    this.requireBatch(batchId);
    this.db.prepare('UPDATE change_batches SET paused = ? WHERE id = ?').run(paused ? 1 : 0, batchId);
    return this.batch(batchId)!;
  }

  /**
   * Cancel what has not been sent: the batch's pending changes and those in conflict become
   * discarded (kept as history). One being sent or in doubt may already be in Spirii: it settles.
   */
  cancel(batchId: number): QueuedChange[] {
    this.requireBatch(batchId);
    const now = this.now().toISOString();
    const rows = this.db.transaction(() => {
      this.db.prepare('UPDATE change_batches SET cancelled_at = coalesce(cancelled_at, ?) WHERE id = ?').run(now, batchId);
      return this.db
        .prepare(
          `UPDATE token_changes SET state = 'discarded', last_error = 'Cancelled before it was sent', last_error_detail = '{"key":"cancelled","params":{}}', updated_at = ?
           WHERE batch_id = ? AND state IN ('pending', 'conflict') RETURNING *`,
        )
        .all(now, batchId) as ChangeRow[];
    })();
    return this.emitRows(rows.sort((a, b) => a.id - b.id));
  }

  /**
   * The clerk's choice for a change in conflict: `apply-mine` sends it over Spirii's version (the
   * version it was shown becomes the new base, so a further change in Spirii is again a conflict);
   * `keep-spirii` drops it.
   */
  resolve(id: number, choice: ConflictChoice): QueuedChange {
    const change = this.get(id);
    if (!change) throw new ChangeActionError(`There is no change ${id}`);
    if (change.state !== 'conflict') throw new ChangeActionError(`Change ${id} is not in conflict (it is ${change.state})`);
    const now = this.now().toISOString();
    const row =
      choice === 'apply-mine'
        ? (this.db
            .prepare(
              `UPDATE token_changes SET state = 'pending', based_on = @basedOn, last_error = NULL, last_error_detail = NULL, updated_at = @now
               WHERE id = @id AND state = 'conflict' RETURNING *`,
            )
            .get({ id, basedOn: change.remote?.updatedAt ?? null, now }) as ChangeRow | undefined)
        : (this.db
            .prepare(
              `UPDATE token_changes SET state = 'discarded', last_error = 'Spirii''s version was kept', last_error_detail = '{"key":"kept-spirii","params":{}}', updated_at = @now
               WHERE id = @id AND state = 'conflict' RETURNING *`,
            )
            .get({ id, now }) as ChangeRow | undefined);
    if (!row) throw new ChangeActionError(`Change ${id} is no longer in conflict`);
    return this.emitRows([row])[0]!;
  }

  private requireBatch(batchId: number): ChangeBatch {
    const batch = this.batch(batchId);
    if (!batch) throw new ChangeActionError(`There is no batch of changes ${batchId}`);
    return batch;
  }

  // -------------------------------------------------------------------------------------------
  // The sync worker's steps.

  /**
   * Is there work now, and when is the next thing due? `inDoubtBoundMs`: how long after an
   * attempt Spirii may still commit it (a change in doubt read back and not found is read again after that).
   */
  due(inDoubtBoundMs: number): { ready: boolean; nextAt: number | null } {
    const now = this.now().getTime();
    const cutoff = new Date(now - inDoubtBoundMs).toISOString();
    const ready = this.db
      .prepare(
        `SELECT EXISTS (SELECT 1 FROM token_changes WHERE state = 'sending')
             OR EXISTS (SELECT 1 FROM token_changes WHERE state = 'in_doubt' AND (read_back_at IS NULL OR attempted_at IS NULL OR attempted_at <= @cutoff))
             OR EXISTS (SELECT 1 FROM token_changes c WHERE ${SENDABLE_SQL})`,
      )
      .pluck()
      .get({ cutoff }) as number;
    const doubt = this.db.prepare(`SELECT min(attempted_at) FROM token_changes WHERE state = 'in_doubt'`).pluck().get() as string | null;
    return { ready: ready === 1, nextAt: doubt ? Date.parse(doubt) + inDoubtBoundMs : null };
  }

  /** Changes that may be sent now, oldest first: at most one per token (the earliest open one). */
  sendable(limit: number): QueuedChange[] {
    return (this.db.prepare(`SELECT c.* FROM token_changes c WHERE ${SENDABLE_SQL} ORDER BY c.id LIMIT ?`).all(limit) as ChangeRow[]).map(fromRow);
  }

  /** Changes in doubt to read back now: never read back since the attempt, or the in-doubt bound is over. */
  inDoubt(limit: number, inDoubtBoundMs: number): QueuedChange[] {
    const cutoff = new Date(this.now().getTime() - inDoubtBoundMs).toISOString();
    return (
      this.db
        .prepare(`SELECT * FROM token_changes WHERE state = 'in_doubt' AND (read_back_at IS NULL OR attempted_at IS NULL OR attempted_at <= ?) ORDER BY id LIMIT ?`)
        .all(cutoff, limit) as ChangeRow[]
    ).map(fromRow);
  }

  /**
   * Written before the PATCH goes out: sending, under a new attempt, with the base it is sent on
   * (`basis`: Spirii's updatedAt just read, taken as the base when the desk had none).
   */
  claim(id: number, attemptId: string, basis: string): QueuedChange | null {
    const now = this.now().toISOString();
    const row = this.db
      .prepare(
        `UPDATE token_changes SET state = 'sending', attempt_id = @attemptId, attempted_at = @now, attempts = attempts + 1,
           based_on = coalesce(based_on, @basis), read_back_at = NULL, updated_at = @now
         WHERE id = @id AND state = 'pending' RETURNING *`,
      )
      .get({ id, attemptId, basis, now }) as ChangeRow | undefined;
    return row ? this.emitRows([row])[0]! : null;
  }

  /**
   * The change is in Spirii, which now has the token at `updatedAt`. Later open changes to the
   * same token that were based on the same read are based on this result instead: the desk's own
   * change is not a newer change made in Spirii.
   */
  markSynced(id: number, updatedAt: string, guard: ChangeGuard): QueuedChange | null {
    const now = this.now().toISOString();
    const rows = this.db.transaction(() => {
      const row = this.db
        .prepare(
          `UPDATE token_changes SET state = 'synced', result_updated_at = @updatedAt, synced_at = @now, last_error = NULL, last_error_detail = NULL, updated_at = @now
           WHERE id = @id AND state = @state AND attempt_id IS @attemptId RETURNING *`,
        )
        .get({ id, updatedAt, now, state: guard.state, attemptId: guard.attemptId }) as ChangeRow | undefined;
      if (!row) return [];
      const rebased = this.db
        .prepare(
          `UPDATE token_changes SET based_on = @updatedAt, updated_at = @now
           WHERE spirii_id = @spiriiId AND id > @id AND state = 'pending' AND based_on IS @basedOn RETURNING *`,
        )
        .all({ updatedAt, now, spiriiId: row.spirii_id, id, basedOn: row.based_on }) as ChangeRow[];
      return [row, ...rebased];
    })();
    return rows.length ? this.emitRows(rows)[0]! : null;
  }

  /** Spirii changed the token since the desk read it: both versions are kept, and the clerk chooses. */
  markConflict(id: number, remote: SpiriiToken, guard: ChangeGuard): QueuedChange | null {
    const change = this.get(id);
    const message = `Spirii's token was changed since this desk read it (${change?.basedOn ?? 'not read'}, now ${remote.updatedAt}): choose apply mine or keep Spirii's`;
    const detail: ChangeProblem = { key: 'changed-in-spirii', params: { basedOn: change?.basedOn ?? null, updatedAt: remote.updatedAt } };
    return this.setState(id, 'conflict', message, detail, guard, JSON.stringify(remote));
  }

  markRejected(id: number, message: string, detail: ChangeProblem, guard: ChangeGuard): QueuedChange | null {
    return this.setState(id, 'rejected', message, detail, guard);
  }

  markInDoubt(id: number, message: string, detail: ChangeProblem, guard: ChangeGuard): QueuedChange | null {
    return this.setState(id, 'in_doubt', message, detail, guard);
  }

  /** Certainly not applied (never sent, refused before it took effect, or read back and absent once the bound was over). */
  returnToPending(id: number, message: string | null, detail: ChangeProblem | null, guard: ChangeGuard): QueuedChange | null {
    return this.setState(id, 'pending', message, detail, guard);
  }

  /** Read back before the in-doubt bound and not found in Spirii: read again once the bound is over. */
  readBackEarly(id: number): void {
    this.db.prepare(`UPDATE token_changes SET read_back_at = ? WHERE id = ? AND state = 'in_doubt'`).run(this.now().toISOString(), id);
  }

  /** A change left "sending" by a crash may or may not be in Spirii. Called by the one process holding the sync lease. */
  recoverInterrupted(): number {
    const rows = this.db
      .prepare(
        `UPDATE token_changes SET state = 'in_doubt', last_error = 'The app stopped while this change was being sent: the token is read back before sending again',
           last_error_detail = '{"key":"interrupted","params":{}}', read_back_at = NULL, updated_at = ?
         WHERE state = 'sending' RETURNING *`,
      )
      .all(this.now().toISOString()) as ChangeRow[];
    this.emitRows(rows);
    return rows.length;
  }

  private setState(id: number, state: ChangeState, message: string | null, detail: ChangeProblem | null, guard: ChangeGuard, remote?: string): QueuedChange | null {
    const now = this.now().toISOString();
    const row = this.db
      .prepare(
        `UPDATE token_changes SET state = @state, last_error = @message, last_error_detail = @detail, remote_token = coalesce(@remote, remote_token), updated_at = @now
         WHERE id = @id AND state = @guardState AND attempt_id IS @guardAttempt RETURNING *`,
      )
      .get({
        id,
        state,
        message,
        detail: message !== null && detail ? JSON.stringify(detail) : null,
        remote: remote ?? null,
        now,
        guardState: guard.state,
        guardAttempt: guard.attemptId,
      }) as ChangeRow | undefined;
    return row ? this.emitRows([row])[0]! : null;
  }

  private emitRows(rows: ChangeRow[]): QueuedChange[] {
    const changes = rows.map(fromRow);
    if (changes.length > 0) this.listeners.emit(changes);
    return changes;
  }
}
