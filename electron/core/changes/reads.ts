/**
 * The base of the changes queue: its tables, its clock, its listeners, and every read of a change
 * or a batch (by id, a listing, a token's history, the counts, a batch's progress). The desk's
 * actions and the sync worker's steps build on it, each in its file.
 */
import type { Db } from '../db/sqlite';
import { Listeners } from '../events';
import { Where } from '../db/where';
import { CHANGE_STATES, type BatchProgress, type ChangeBatch, type ChangeCounts, type ChangeState, type QueuedChange } from './types';
import { batchFromRow, fromRow, type BatchRow, type ChangeRow } from './rows';
import { ChangeActionError } from './action-error';

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

export class ChangeReads {
  private readonly listeners = new Listeners<QueuedChange[]>();
  protected readonly now: () => Date;
  protected readonly byId;

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

  get(id: number): QueuedChange | undefined {
    const row = this.byId.get(id) as ChangeRow | undefined;
    return row && fromRow(row);
  }

  /** Changes, oldest first (by default every state). */
  list(options: ChangeListOptions = {}): QueuedChange[] {
    const where = new Where().oneOf('state', options.states).equals('batch_id', options.batchId).uidOrLabel(options.search);
    const params = { ...where.params, limit: options.limit ?? 1000, offset: options.offset ?? 0 };
    return (this.db.prepare(`SELECT * FROM token_changes WHERE ${where.sql} ORDER BY id LIMIT @limit OFFSET @offset`).all(params) as ChangeRow[]).map(fromRow);
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

  /**
   * Changes the sync still has to send or settle: sending, in doubt, and pending unless their batch
   * is paused or an earlier change to the token waits for the clerk's choice (a conflict).
   */
  waiting(): number {
    return this.db
      .prepare(
        `SELECT count(*) FROM token_changes c WHERE c.state IN ('sending', 'in_doubt')
           OR (c.state = 'pending' AND NOT EXISTS (SELECT 1 FROM change_batches b WHERE b.id = c.batch_id AND b.paused = 1)
               AND NOT EXISTS (SELECT 1 FROM token_changes e WHERE e.spirii_id = c.spirii_id AND e.id < c.id AND e.state = 'conflict'))`,
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

  protected requireBatch(batchId: number): ChangeBatch {
    const batch = this.batch(batchId);
    if (!batch) throw new ChangeActionError(`There is no batch of changes ${batchId}`);
    return batch;
  }

  protected emitRows(rows: ChangeRow[]): QueuedChange[] {
    const changes = rows.map(fromRow);
    if (changes.length > 0) this.listeners.emit(changes);
    return changes;
  }
}
