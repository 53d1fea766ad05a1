/** The sync worker's steps on the changes queue: what is due and sendable, claiming a change, and the state each answer leaves it in. */
import type { SpiriiToken } from '../token';
import { OPEN_CHANGE_STATES, type ChangeProblem, type ChangeState, type QueuedChange } from './types';
import { fromRow, type ChangeRow } from './rows';
import { ChangeDeskActions } from './desk-actions';

/** What a state change after an answer expects the row to be in. */
export interface ChangeGuard {
  state: ChangeState;
  attemptId: string | null;
}

const OPEN_SQL = OPEN_CHANGE_STATES.map((s) => `'${s}'`).join(', ');

/**
 * A pending change that may be sent now: its batch is not paused, and no earlier change to the
 * same token is still open (changes to one token go in order, a later one waits for the earlier).
 */
const SENDABLE_SQL = `c.state = 'pending'
  AND NOT EXISTS (SELECT 1 FROM change_batches b WHERE b.id = c.batch_id AND b.paused = 1)
  AND NOT EXISTS (SELECT 1 FROM token_changes e WHERE e.spirii_id = c.spirii_id AND e.id < c.id AND e.state IN (${OPEN_SQL}))`;

export class ChangeSyncSteps extends ChangeDeskActions {
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
         WHERE id = @id AND state = 'pending'
           -- Paused since the sender read its round: not sent (the desk's Pause stops the next PATCH, not the next round).
           AND NOT EXISTS (SELECT 1 FROM change_batches b WHERE b.id = token_changes.batch_id AND b.paused = 1) RETURNING *`,
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
}
