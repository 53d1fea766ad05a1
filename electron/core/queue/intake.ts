/** How a token gets into the queue: a tap's or `add`'s INSERT, an import's quiet one, and whether a UID may be queued at all. */
import { CONTROL_CHARACTERS_MESSAGE, controlCharacterField } from '../token';
import { fromRow, type QueuedToken, type TokenDraft, type TokenRow } from './rows';
import { DuplicateUidError, QueueActionError, labelUsedMessage } from './wording';
import { QueueReads } from './reads';

/**
 * Whether a UID may be queued, the queue's one answer for taps, `add` and imports: a UID with no
 * live row is free (a discarded row is history: the card may be queued again); a live row holds
 * it, except a rejected one, which an import's row replaces (it is the fix for what Spirii
 * refused). A tap on a rejected card is refused by `add` like any other live row, so the desk
 * edits the rejected token instead.
 */
export type Admission =
  | { kind: 'replaces'; id: number }
  | { kind: 'taken'; existing: QueuedToken; message: string }
  /** The label is on another card's live row (`existing`): a printed label belongs to one card, and Spirii can never change it. */
  | { kind: 'label-used'; label: string; existing: QueuedToken; message: string };

export class QueueIntake extends QueueReads {
  private readonly insert = this.db.prepare(`
      INSERT INTO tokens (uid, customer_id, label, valid_from, expires_at, is_active, roaming_enabled,
        priority_charging_enabled, billing_reference, comment, state, hold_until, source, created_at, updated_at)
      VALUES (@uid, @customerId, @label, @validFrom, @expiresAt, @isActive, @roamingEnabled,
        @priorityChargingEnabled, @billingReference, @comment, @state, @holdUntil, @source, @now, @now)
      ON CONFLICT DO NOTHING
      RETURNING *`);

  /**
   * Queue a token: one local INSERT, nothing on the network. When this returns, the row is
   * committed with synchronous=FULL: on disk. A UID already queued or synced (any state but
   * discarded) is refused with DuplicateUidError, which says where it is.
   */
  add(draft: TokenDraft): QueuedToken {
    const token = this.insertQuietly(draft);
    if (!token) throw new DuplicateUidError(this.findByUid(draft.uid)!);
    this.emit([token]);
    return token;
  }

  /**
   * The INSERT of `add` without the announcement, for many rows in the caller's transaction (an
   * import): the row, or null when the UID is already queued. The caller then calls `announce`.
   */
  insertQuietly(draft: TokenDraft): QueuedToken | null {
    const badText = controlCharacterField({ label: draft.label, billingReference: draft.billingReference, comment: draft.comment });
    if (badText) {
      throw new QueueActionError(`${badText}: ${CONTROL_CHARACTERS_MESSAGE}`, { key: 'invalid-field', params: { field: badText, max: null, afterValidFrom: false } });
    }
    const now = this.now();
    const hold = this.holdMinutes();
    const row = this.insert.get({
      ...draft,
      isActive: draft.isActive ? 1 : 0,
      roamingEnabled: draft.roamingEnabled ? 1 : 0,
      priorityChargingEnabled: draft.priorityChargingEnabled ? 1 : 0,
      state: hold > 0 ? 'held' : 'pending',
      holdUntil: hold > 0 ? new Date(now.getTime() + hold * 60_000).toISOString() : null,
      now: now.toISOString(),
    }) as TokenRow | undefined;
    return row ? fromRow(row) : null;
  }

  /**
   * `insertQuietly` for a card whose earlier token Spirii rejected: that row becomes history
   * (discarded) and the new one is queued, in the caller's transaction. Null when the old row is
   * no longer rejected (edited, retried or discarded since the preview).
   */
  replaceRejected(rejectedId: number, draft: TokenDraft): QueuedToken | null {
    const old = this.db
      .prepare(`UPDATE tokens SET state = 'discarded', hold_until = NULL, updated_at = ? WHERE id = ? AND uid = ? AND state = 'rejected' RETURNING id`)
      .get(this.now().toISOString(), rejectedId, draft.uid);
    return old ? this.insertQuietly(draft) : null;
  }

  /** Tell the listeners of rows added with `insertQuietly`. */
  announce(tokens: QueuedToken[]): void {
    if (tokens.length > 0) this.emit(tokens);
  }

  /**
   * The cards among these that may not simply be queued (see `Admission`); a UID missing from the
   * answer is free, and so is its label. A card with a UID string is asked about its UID only.
   * Asked in chunks, so a file of 100,000 cards is a few hundred queries.
   */
  admissions(cards: readonly (string | { uid: string; label: string | null })[]): Map<string, Admission> {
    const answer = new Map<string, Admission>();
    const uids = cards.map((card) => (typeof card === 'string' ? card : card.uid));
    for (let i = 0; i < uids.length; i += 500) {
      const chunk = uids.slice(i, i + 500);
      const rows = this.db
        .prepare(`SELECT * FROM tokens WHERE state <> 'discarded' AND uid IN (${chunk.map(() => '?').join(',')})`)
        .all(...chunk) as TokenRow[];
      for (const row of rows) {
        const existing = fromRow(row);
        answer.set(existing.uid, existing.state === 'rejected' ? { kind: 'replaces', id: existing.id } : { kind: 'taken', existing, message: new DuplicateUidError(existing).message });
      }
    }
    const labelled = cards.filter((card) => typeof card !== 'string' && card.label !== null && answer.get(card.uid)?.kind !== 'taken') as { uid: string; label: string }[];
    const holders = this.labelHolders(labelled.map((card) => card.label));
    for (const card of labelled) {
      const existing = holders.get(card.label);
      if (existing && existing.uid !== card.uid) answer.set(card.uid, { kind: 'label-used', label: card.label, existing, message: labelUsedMessage(card.label, existing) });
    }
    return answer;
  }

  /**
   * Whether this card may be given this label: the live row of another card that has it already
   * (the refusal is `labelUsedMessage`), or undefined. The one label rule for a tap, `add` and an
   * import (`admissions`).
   */
  labelHolder(label: string | null, uid: string): QueuedToken | undefined {
    if (label === null) return undefined;
    const holder = this.labelHolders([label]).get(label);
    return holder && holder.uid !== uid ? holder : undefined;
  }

  /** The newest live row with each of these labels (exactly), asked in chunks through the label index. */
  private labelHolders(labels: readonly string[]): Map<string, QueuedToken> {
    const wanted = [...new Set(labels)];
    const holders = new Map<string, QueuedToken>();
    for (let i = 0; i < wanted.length; i += 500) {
      const chunk = wanted.slice(i, i + 500);
      const exact = new Set(chunk);
      // The index on labels ignores case; the rule does not, so the exact match is made here.
      const rows = this.db
        .prepare(`SELECT * FROM tokens WHERE state <> 'discarded' AND label COLLATE NOCASE IN (${chunk.map(() => '?').join(',')}) ORDER BY id DESC`)
        .all(...chunk) as TokenRow[];
      for (const row of rows) if (row.label !== null && exact.has(row.label) && !holders.has(row.label)) holders.set(row.label, fromRow(row));
    }
    return holders;
  }
}
