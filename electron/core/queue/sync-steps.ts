/** The sync worker's steps on the queue: what is due, claiming rows, and the state each answer leaves a row in. */
import type { TokenProblem } from '../problem-detail';
import { fromRow, type QueuedToken, type QueueState, type SpiriiPlace, type TokenRow } from './rows';
import { QueueDeskActions } from './desk-actions';

/** What the worker has to do now, and when something next becomes due. */
export interface QueueDue {
  ready: boolean;
  /** Epoch ms when a hold ends or an in-doubt lookup's grace is over; null if nothing is scheduled. */
  nextAt: number | null;
}

/**
 * What a state change after an answer expects the row to be: in this state, under this attempt
 * (per row when a function). A row that is not (another process took over and moved it on)
 * is left alone.
 */
export interface RowGuard {
  state: QueueState;
  attemptId: string | null | ((id: number) => string | null);
}

/** The SQL condition a guard adds, with its parameters for one row. */
const GUARD_SQL = `(@guarded = 0 OR (state = @guardState AND attempt_id IS @guardAttempt))`;
function guardParams(guard: RowGuard | undefined, id: number): { guarded: number; guardState: string | null; guardAttempt: string | null } {
  if (!guard) return { guarded: 0, guardState: null, guardAttempt: null };
  return { guarded: 1, guardState: guard.state, guardAttempt: typeof guard.attemptId === 'function' ? guard.attemptId(id) : guard.attemptId };
}

/** A conflict found for a row: where Spirii has its UID, in English and for the window. */
export interface ConflictEntry {
  id: number;
  place: SpiriiPlace;
  message: string;
  detail?: TokenProblem;
}

export class QueueSyncSteps extends QueueDeskActions {

  /**
   * Is there work now, and when is the next thing due? `inDoubtBoundMs`: how long after an
   * attempt Spirii may still commit it (a token in doubt is looked up, and a synced one checked
   * for a second copy, only after that).
   */
  due(inDoubtBoundMs: number): QueueDue {
    const now = this.now().getTime();
    const graceCutoff = new Date(now - inDoubtBoundMs).toISOString();
    const nowIso = new Date(now).toISOString();
    const ready = this.db
      .prepare(
        // 'sending' between passes: left by a process that stopped; the lease holder turns it into 'in_doubt'.
        `SELECT EXISTS (SELECT 1 FROM tokens WHERE state IN ('pending', 'sending'))
             OR EXISTS (SELECT 1 FROM tokens WHERE state = 'held' AND (spirii_checked_at IS NULL OR hold_until <= @now))
             OR EXISTS (SELECT 1 FROM tokens WHERE state = 'in_doubt' AND (attempted_at IS NULL OR attempted_at <= @cutoff OR lookup_asked_at IS NOT NULL))
             OR EXISTS (SELECT 1 FROM tokens WHERE state = 'synced' AND verified_at IS NULL AND synced_at <= @cutoff)`,
      )
      .pluck()
      .get({ now: nowIso, cutoff: graceCutoff }) as number;
    let nextAt: number | null = null;
    const hold = this.db.prepare(`SELECT min(hold_until) FROM tokens WHERE state = 'held'`).pluck().get() as string | null;
    const doubt = this.db.prepare(`SELECT min(attempted_at) FROM tokens WHERE state = 'in_doubt'`).pluck().get() as string | null;
    const unverified = this.db.prepare(`SELECT min(synced_at) FROM tokens WHERE state = 'synced' AND verified_at IS NULL`).pluck().get() as string | null;
    if (hold) nextAt = Date.parse(hold);
    if (doubt) nextAt = Math.min(nextAt ?? Infinity, Date.parse(doubt) + inDoubtBoundMs);
    if (unverified) nextAt = Math.min(nextAt ?? Infinity, Date.parse(unverified) + inDoubtBoundMs);
    return { ready: ready === 1, nextAt };
  }

  /** Held and pending tokens not yet checked against Spirii, oldest first. */
  unchecked(limit: number): QueuedToken[] {
    return (
      this.db.prepare(`SELECT * FROM tokens WHERE state IN ('held', 'pending') AND spirii_checked_at IS NULL ORDER BY id LIMIT ?`).all(limit) as TokenRow[]
    ).map(fromRow);
  }

  /** The pre-send check found these UIDs absent from Spirii: they may now be sent. */
  markChecked(ids: readonly number[]): void {
    const now = this.now().toISOString();
    const stmt = this.db.prepare(
      `UPDATE tokens SET spirii_checked_at = @now WHERE id = @id AND state IN ('held', 'pending') AND spirii_checked_at IS NULL RETURNING *`,
    );
    // Not announced: nothing the desk sees has changed.
    this.db.transaction(() => ids.forEach((id) => stmt.run({ id, now })))();
  }

  /**
   * Spirii already has this UID somewhere this row does not account for: never send it; show where.
   * `states` limits which rows may change (the pre-send check must not touch a row the desk discarded meanwhile).
   */
  markConflict(entries: readonly ConflictEntry[], states: readonly QueueState[], guard?: RowGuard): void {
    const now = this.now().toISOString();
    const stmt = this.db.prepare(
      `UPDATE tokens SET state = 'rejected', conflict = @conflict, last_error = @message, last_error_detail = @detail, hold_until = NULL, lookup_asked_at = NULL, updated_at = @now
       WHERE id = @id AND state IN (${states.map((s) => `'${s}'`).join(',')}) AND ${GUARD_SQL} RETURNING *`,
    );
    this.updateEach(
      entries.map((e) => ({
        id: e.id,
        conflict: JSON.stringify(e.place),
        message: e.message,
        detail: e.detail ? JSON.stringify(e.detail) : null,
        now,
        ...guardParams(guard, e.id),
      })),
      stmt,
    );
  }

  /** Oldest checked pending tokens, moved to "sending" under one attempt id, committed before any request goes out. */
  claimPending(limit: number, attemptId: string): QueuedToken[] {
    const now = this.now().toISOString();
    const rows = this.db
      .prepare(
        `UPDATE tokens SET state = 'sending', attempt_id = @attemptId, attempted_at = @now, attempts = attempts + 1, updated_at = @now
         WHERE id IN (SELECT id FROM tokens WHERE state = 'pending' AND spirii_checked_at IS NOT NULL ORDER BY id LIMIT @limit)
         RETURNING *`,
      )
      .all({ attemptId, limit, now }) as TokenRow[];
    return this.emitRows(rows.sort((a, b) => a.id - b.id));
  }

  /** A further request for rows already "sending" (a half of a refused list): its attempt id is on disk before it goes out. */
  beginAttempt(ids: readonly number[], attemptId: string): void {
    const now = this.now().toISOString();
    const stmt = this.db.prepare(
      `UPDATE tokens SET attempt_id = @attemptId, attempted_at = @now, attempts = attempts + 1, updated_at = @now WHERE id = @id AND state = 'sending'`,
    );
    this.db.transaction(() => ids.forEach((id) => stmt.run({ id, attemptId, now })))();
  }

  /**
   * Tokens whose last attempt has an unknown outcome and went out at least `boundMs` ago (or whose
   * lookup the desk asked for now), oldest first.
   */
  inDoubt(limit: number, boundMs = 0): QueuedToken[] {
    const cutoff = new Date(this.now().getTime() - boundMs).toISOString();
    return (
      this.db
        .prepare(
          `SELECT * FROM tokens WHERE state = 'in_doubt' AND (attempted_at IS NULL OR attempted_at <= ? OR lookup_asked_at IS NOT NULL) ORDER BY id LIMIT ?`,
        )
        .all(cutoff, limit) as TokenRow[]
    ).map(fromRow);
  }

  /**
   * A clock that jumped ahead and back leaves attempt times in the future, which would keep a
   * token in doubt (or unchecked) for as long as the jump. The attempt happened before now, so
   * counting the bound from now instead is safe.
   */
  clampFutureTimes(): void {
    const now = this.now().toISOString();
    const future = this.db
      .prepare(
        `SELECT EXISTS (SELECT 1 FROM tokens WHERE (state = 'in_doubt' AND attempted_at > @now) OR (state = 'synced' AND verified_at IS NULL AND synced_at > @now))`,
      )
      .pluck()
      .get({ now }) as number;
    if (future !== 1) return;
    this.db.transaction(() => {
      this.db.prepare(`UPDATE tokens SET attempted_at = @now WHERE state = 'in_doubt' AND attempted_at > @now`).run({ now });
      this.db.prepare(`UPDATE tokens SET synced_at = @now WHERE state = 'synced' AND verified_at IS NULL AND synced_at > @now`).run({ now });
    })();
  }

  /** A lookup after doubt found the UID absent but too early to be sure: it stays in doubt; the desk's request for a lookup is answered. */
  lookupAnswered(ids: readonly number[]): void {
    const stmt = this.db.prepare(`UPDATE tokens SET lookup_asked_at = NULL WHERE id = @id AND state = 'in_doubt'`);
    this.db.transaction(() => ids.forEach((id) => stmt.run({ id })))();
  }

  /**
   * Looked up after the bound and absent: back to pending, and not cleared to send until the
   * pre-send check has looked it up once more (so a commit landing between the two is found).
   */
  absentAfterDoubt(ids: readonly number[], guard: RowGuard): void {
    const now = this.now().toISOString();
    const stmt = this.db.prepare(
      `UPDATE tokens SET state = 'pending', spirii_checked_at = NULL, lookup_asked_at = NULL, last_error = NULL, last_error_detail = NULL, updated_at = @now
       WHERE id = @id AND ${GUARD_SQL} RETURNING *`,
    );
    this.updateEach(ids.map((id) => ({ id, now, ...guardParams(guard, id) })), stmt);
  }

  /** Synced tokens not yet checked for a second copy in Spirii; with `syncedBefore`, only those synced before then. */
  unverified(limit: number, syncedBefore: string | null): QueuedToken[] {
    return (
      this.db
        .prepare(`SELECT * FROM tokens WHERE state = 'synced' AND verified_at IS NULL AND (@before IS NULL OR synced_at <= @before) ORDER BY id LIMIT @limit`)
        .all({ before: syncedBefore, limit }) as TokenRow[]
    ).map(fromRow);
  }

  /** Looked up once Spirii could no longer commit another copy, and found once: done. */
  markVerified(ids: readonly number[], syncedBefore: string): void {
    const now = this.now().toISOString();
    const stmt = this.db.prepare(`UPDATE tokens SET verified_at = @now WHERE id = @id AND state = 'synced' AND verified_at IS NULL AND synced_at <= @before`);
    this.db.transaction(() => ids.forEach((id) => stmt.run({ id, now, before: syncedBefore })))();
  }

  /**
   * `verified`: found once by a lookup made when no other copy could still be committed (else the
   * worker checks for a second copy later). `guard`: the state and attempt the row must still be in.
   */
  markSynced(entries: readonly { id: number; spiriiId: number; verified?: boolean }[], guard?: RowGuard): void {
    const now = this.now().toISOString();
    const stmt = this.db.prepare(
      `UPDATE tokens SET state = 'synced', spirii_id = @spiriiId, last_error = NULL, last_error_detail = NULL, conflict = NULL, synced_at = @now, updated_at = @now,
         verified_at = CASE WHEN @verified = 1 THEN @now ELSE NULL END, lookup_asked_at = NULL
       WHERE id = @id AND ${GUARD_SQL} RETURNING *`,
    );
    this.updateEach(entries.map((e) => ({ id: e.id, spiriiId: e.spiriiId, verified: e.verified ? 1 : 0, now, ...guardParams(guard, e.id) })), stmt);
  }

  /** `detail`: the same as `message`, for the window to word in its language. */
  markRejected(ids: readonly number[], message: string, detail?: TokenProblem, guard?: RowGuard): void {
    this.setState(ids, 'rejected', message, detail, guard);
  }

  markInDoubt(ids: readonly number[], message: string, detail?: TokenProblem, guard?: RowGuard): void {
    this.setState(ids, 'in_doubt', message, detail, guard);
  }

  /** Back to pending: the request certainly did not take effect (never sent, 429, auth refused, or looked up and absent). */
  returnToPending(ids: readonly number[], message: string | null, detail?: TokenProblem, guard?: RowGuard): void {
    this.setState(ids, 'pending', message, detail, guard);
  }

  /** A token left "sending" by a crash may or may not have reached Spirii. Called by the one process holding the sync lease. */
  recoverInterrupted(): number {
    const rows = this.db
      .prepare(
        `UPDATE tokens SET state = 'in_doubt', last_error = 'The app stopped while this token was being sent: will check Spirii before sending again',
           last_error_detail = '{"key":"interrupted","params":{}}', updated_at = ?
         WHERE state = 'sending' RETURNING *`,
      )
      .all(this.now().toISOString()) as TokenRow[];
    this.emitRows(rows);
    return rows.length;
  }

  private setState(ids: readonly number[], state: QueueState, message: string | null, detail?: TokenProblem, guard?: RowGuard): void {
    const now = this.now().toISOString();
    const stmt = this.db.prepare(
      `UPDATE tokens SET state = @state, last_error = @message, last_error_detail = @detail, updated_at = @now WHERE id = @id AND ${GUARD_SQL} RETURNING *`,
    );
    const json = message !== null && detail ? JSON.stringify(detail) : null;
    this.updateEach(ids.map((id) => ({ id, state, message, detail: json, now, ...guardParams(guard, id) })), stmt);
  }
}
