/** The desk's actions on the queue: edit, discard, retry, release. Each checks the row's state in the same statement that changes it. */
import { LOCAL_ONLY_STATES, type QueuedToken, type QueueState, type TokenRow } from './rows';
import { checkTokenEdit, invalidField, type TokenEdit } from './edit';
import { QueueActionError } from './wording';
import { QueueIntake } from './intake';

export class QueueDeskActions extends QueueIntake {
  /**
   * Change a token that exists only here (held, pending or rejected). A rejected token goes back
   * to pending with the change, to be checked and sent again.
   */
  edit(id: number, patch: Partial<TokenEdit>): QueuedToken {
    const checked = checkTokenEdit(patch);
    if (!checked.ok) {
      const { issue } = checked;
      throw new QueueActionError(`${issue.path.join('.') || 'change'}: ${issue.message}`, invalidField(issue));
    }
    const current = this.requireLocalOnly(id, 'edited');
    const next = { ...current, ...checked.edit };
    if (next.validFrom && next.expiresAt && Date.parse(next.expiresAt) <= Date.parse(next.validFrom)) {
      throw new QueueActionError('expiresAt: must be after validFrom', {
        key: 'invalid-field',
        params: { field: 'expiresAt', max: null, afterValidFrom: true },
      });
    }
    const row = this.db
      .prepare(
        `UPDATE tokens SET customer_id = @customerId, label = @label, valid_from = @validFrom, expires_at = @expiresAt,
           is_active = @isActive, roaming_enabled = @roamingEnabled, priority_charging_enabled = @priorityChargingEnabled,
           billing_reference = @billingReference, comment = @comment,
           state = CASE state WHEN 'rejected' THEN 'pending' ELSE state END,
           spirii_checked_at = CASE state WHEN 'rejected' THEN NULL ELSE spirii_checked_at END,
           conflict = CASE state WHEN 'rejected' THEN NULL ELSE conflict END,
           last_error = CASE state WHEN 'rejected' THEN NULL ELSE last_error END,
           last_error_detail = CASE state WHEN 'rejected' THEN NULL ELSE last_error_detail END,
           updated_at = @now
         WHERE id = @id AND state IN ('held', 'pending', 'rejected') RETURNING *`,
      )
      .get({
        id,
        customerId: next.customerId,
        label: next.label || null,
        validFrom: next.validFrom,
        expiresAt: next.expiresAt,
        isActive: next.isActive ? 1 : 0,
        roamingEnabled: next.roamingEnabled ? 1 : 0,
        priorityChargingEnabled: next.priorityChargingEnabled ? 1 : 0,
        billingReference: next.billingReference || null,
        comment: next.comment || null,
        now: this.now().toISOString(),
      }) as TokenRow | undefined;
    if (!row) throw this.notLocalOnly(id, 'edited');
    return this.emitRows([row])[0]!;
  }

  /** Drop a token that exists only here. The row stays as history (state discarded); its UID may be tapped again. */
  discard(id: number): QueuedToken {
    const row = this.db
      .prepare(
        `UPDATE tokens SET state = 'discarded', hold_until = NULL, updated_at = ?
         WHERE id = ? AND state IN ('held', 'pending', 'rejected') RETURNING *`,
      )
      .get(this.now().toISOString(), id) as TokenRow | undefined;
    if (!row) throw this.notLocalOnly(id, 'discarded');
    return this.emitRows([row])[0]!;
  }

  /**
   * Try rejected tokens again (all of them without ids): back to pending, checked against Spirii
   * afresh. Tokens in doubt are never re-sent blindly: they are asked to be looked up now (by
   * whichever process syncs), and only sent again once Spirii can no longer commit their request.
   */
  retry(ids?: readonly number[]): QueuedToken[] {
    return this.db.transaction(() => [
      ...this.transition(
        ids,
        `UPDATE tokens SET state = 'pending', spirii_checked_at = NULL, conflict = NULL, last_error = NULL, last_error_detail = NULL, updated_at = @now
         WHERE state = 'rejected'`,
      ),
      ...this.transition(ids, `UPDATE tokens SET lookup_asked_at = @now WHERE state = 'in_doubt'`),
    ])();
  }

  /** Release held tokens (all of them without ids) so they are sent now. */
  release(ids?: readonly number[]): QueuedToken[] {
    return this.transition(ids, `UPDATE tokens SET state = 'pending', hold_until = NULL, updated_at = @now WHERE state = 'held'`);
  }

  /** Held tokens whose hold is over become pending. */
  releaseDue(): QueuedToken[] {
    const now = this.now().toISOString();
    const rows = this.db
      .prepare(`UPDATE tokens SET state = 'pending', hold_until = NULL, updated_at = @now WHERE state = 'held' AND hold_until <= @now RETURNING *`)
      .all({ now }) as TokenRow[];
    return this.emitRows(rows.sort((a, b) => a.id - b.id));
  }

  private requireLocalOnly(id: number, verb: 'edited' | 'discarded'): QueuedToken {
    const token = this.get(id);
    if (!token || !(LOCAL_ONLY_STATES as readonly string[]).includes(token.state)) throw this.notLocalOnly(id, verb);
    return token;
  }

  private notLocalOnly(id: number, verb: 'edited' | 'discarded'): QueueActionError {
    const token = this.get(id);
    if (!token) return new QueueActionError(`There is no queued token ${id}`, { key: 'no-such-token', params: { id } });
    const why: Partial<Record<QueueState, string>> = {
      sending: 'it is being sent to Spirii right now',
      synced: `it is already in Spirii (token ${token.spiriiId})`,
      in_doubt: 'it may already be in Spirii: it is looked up first',
      discarded: 'it was discarded',
    };
    return new QueueActionError(`Token ${token.uid} cannot be ${verb}: ${why[token.state] ?? token.state}. Only held, pending and rejected tokens can be.`, {
      key: 'not-local-only',
      params: { uid: token.uid, action: verb, state: token.state, spiriiId: token.spiriiId },
    });
  }

  private transition(ids: readonly number[] | undefined, update: string): QueuedToken[] {
    const now = this.now().toISOString();
    let rows: TokenRow[];
    if (ids === undefined) {
      rows = this.db.prepare(`${update} RETURNING *`).all({ now }) as TokenRow[];
    } else {
      const stmt = this.db.prepare(`${update} AND id = @id RETURNING *`);
      rows = this.db.transaction(() => ids.map((id) => stmt.get({ id, now }) as TokenRow | undefined).filter((r): r is TokenRow => !!r))();
    }
    return this.emitRows(rows.sort((a, b) => a.id - b.id));
  }
}
