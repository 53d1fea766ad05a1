/** The desk's actions on the changes queue: queue a batch, pause, resume and cancel it, and the choice for a change in conflict. Each checks the row's state in the statement that changes it. */
import type { ChangeBatch, ChangeFields, ChangeSource, ChangeTarget, ConflictChoice, QueuedChange } from './types';
import { batchFromRow, type BatchRow, type ChangeRow } from './rows';
import { ChangeActionError } from './action-error';
import { ChangeReads } from './reads';

export class ChangeDeskActions extends ChangeReads {
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
}
