/**
 * The local token queue: every token the desk creates is written here first, durably, and the
 * sync worker moves it through its states. The state is written before each network step, so a
 * crash leaves a row whose last known step says what may have happened.
 *
 *   pending -> sending (attempt id) -> synced (Spirii id) | rejected (server message) | in_doubt
 */
import type { Db } from './db/sqlite';
import type { TokenCreate } from './token';
import { Listeners } from './events';

export const QUEUE_STATES = ['pending', 'sending', 'synced', 'rejected', 'in_doubt'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

export interface TokenDraft {
  uid: string;
  customerId: number;
  label: string | null;
  validFrom: string | null;
  expiresAt: string | null;
  isActive: boolean;
  roamingEnabled: boolean;
  priorityChargingEnabled: boolean;
  billingReference: string | null;
  comment: string | null;
  /** Where the UID came from: "pcsc:<reader>", "simulated", "cli". */
  source: string;
}

export interface QueuedToken extends TokenDraft {
  id: number;
  state: QueueState;
  attempts: number;
  spiriiId: number | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  syncedAt: string | null;
}

export type QueueCounts = Record<QueueState, number>;

export class DuplicateUidError extends Error {
  constructor(readonly existing: QueuedToken) {
    super(`Card ${existing.uid} is already in the queue (${existing.state}, customer ${existing.customerId}${existing.label ? `, label ${existing.label}` : ''})`);
    this.name = 'DuplicateUidError';
  }
}

interface Row {
  id: number;
  uid: string;
  customer_id: number;
  label: string | null;
  valid_from: string | null;
  expires_at: string | null;
  is_active: number;
  roaming_enabled: number;
  priority_charging_enabled: number;
  billing_reference: string | null;
  comment: string | null;
  state: QueueState;
  attempts: number;
  spirii_id: number | null;
  last_error: string | null;
  source: string;
  created_at: string;
  updated_at: string;
  synced_at: string | null;
}

function fromRow(row: Row): QueuedToken {
  return {
    id: row.id,
    uid: row.uid,
    customerId: row.customer_id,
    label: row.label,
    validFrom: row.valid_from,
    expiresAt: row.expires_at,
    isActive: row.is_active === 1,
    roamingEnabled: row.roaming_enabled === 1,
    priorityChargingEnabled: row.priority_charging_enabled === 1,
    billingReference: row.billing_reference,
    comment: row.comment,
    source: row.source,
    state: row.state,
    attempts: row.attempts,
    spiriiId: row.spirii_id,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    syncedAt: row.synced_at,
  };
}

/** The body `POST /v2/tokens` takes for a queued token. */
export function toTokenCreate(token: TokenDraft): TokenCreate {
  const body: TokenCreate = {
    customerId: token.customerId,
    identifier: { type: 'rfid', uid: token.uid, ...(token.label ? { label: token.label } : {}) },
    isActive: token.isActive,
    roamingEnabled: token.roamingEnabled,
    priorityChargingEnabled: token.priorityChargingEnabled,
  };
  if (token.validFrom) body.validFrom = token.validFrom;
  if (token.expiresAt) body.expiresAt = token.expiresAt;
  if (token.billingReference) body.billingReference = token.billingReference;
  if (token.comment) body.comment = token.comment;
  return body;
}

export type QueueListener = (tokens: QueuedToken[]) => void;

export class TokenQueue {
  private readonly listeners = new Listeners<QueuedToken[]>();
  private readonly insert;
  private readonly byUid;
  private readonly byId;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.insert = db.prepare(`
      INSERT INTO tokens (uid, customer_id, label, valid_from, expires_at, is_active, roaming_enabled,
        priority_charging_enabled, billing_reference, comment, state, source, created_at, updated_at)
      VALUES (@uid, @customerId, @label, @validFrom, @expiresAt, @isActive, @roamingEnabled,
        @priorityChargingEnabled, @billingReference, @comment, 'pending', @source, @now, @now)
      ON CONFLICT (uid) DO NOTHING
      RETURNING *`);
    this.byUid = db.prepare('SELECT * FROM tokens WHERE uid = ?');
    this.byId = db.prepare('SELECT * FROM tokens WHERE id = ?');
  }

  /** Subscribe to row changes; returns the unsubscribe function. */
  onChange(listener: QueueListener): () => void {
    return this.listeners.add(listener);
  }

  /**
   * Queue a token. When this returns, the row is committed with synchronous=FULL: on disk.
   * A UID already queued (in any state) is refused with DuplicateUidError.
   */
  add(draft: TokenDraft): QueuedToken {
    const row = this.insert.get({
      ...draft,
      isActive: draft.isActive ? 1 : 0,
      roamingEnabled: draft.roamingEnabled ? 1 : 0,
      priorityChargingEnabled: draft.priorityChargingEnabled ? 1 : 0,
      now: this.now().toISOString(),
    }) as Row | undefined;
    if (!row) throw new DuplicateUidError(this.findByUid(draft.uid)!);
    const token = fromRow(row);
    this.emit([token]);
    return token;
  }

  findByUid(uid: string): QueuedToken | undefined {
    const row = this.byUid.get(uid) as Row | undefined;
    return row && fromRow(row);
  }

  get(id: number): QueuedToken | undefined {
    const row = this.byId.get(id) as Row | undefined;
    return row && fromRow(row);
  }

  /** Newest first. */
  list(options: { limit?: number; states?: readonly QueueState[] } = {}): QueuedToken[] {
    const states = options.states ?? QUEUE_STATES;
    const rows = this.db
      .prepare(`SELECT * FROM tokens WHERE state IN (${states.map(() => '?').join(',')}) ORDER BY id DESC LIMIT ?`)
      .all(...states, options.limit ?? -1) as Row[];
    return rows.map(fromRow);
  }

  counts(): QueueCounts {
    const counts = Object.fromEntries(QUEUE_STATES.map((s) => [s, 0])) as QueueCounts;
    for (const { state, n } of this.db.prepare('SELECT state, count(*) AS n FROM tokens GROUP BY state').all() as {
      state: QueueState;
      n: number;
    }[]) {
      counts[state] = n;
    }
    return counts;
  }

  /** Oldest pending tokens, moved to "sending" under one attempt id, committed before any request goes out. */
  claimPending(limit: number, attemptId: string): QueuedToken[] {
    const rows = this.db
      .prepare(
        `UPDATE tokens SET state = 'sending', attempt_id = @attemptId, attempts = attempts + 1, updated_at = @now
         WHERE id IN (SELECT id FROM tokens WHERE state = 'pending' ORDER BY id LIMIT @limit)
         RETURNING *`,
      )
      .all({ attemptId, limit, now: this.now().toISOString() }) as Row[];
    return this.emitRows(rows.sort((a, b) => a.id - b.id));
  }

  /** Tokens whose last attempt has an unknown outcome, oldest first. */
  inDoubt(limit: number): QueuedToken[] {
    return (this.db.prepare(`SELECT * FROM tokens WHERE state = 'in_doubt' ORDER BY id LIMIT ?`).all(limit) as Row[]).map(fromRow);
  }

  markSynced(entries: readonly { id: number; spiriiId: number }[]): void {
    const now = this.now().toISOString();
    const stmt = this.db.prepare(
      `UPDATE tokens SET state = 'synced', spirii_id = @spiriiId, last_error = NULL, synced_at = @now, updated_at = @now
       WHERE id = @id RETURNING *`,
    );
    this.updateEach(entries.map((e) => ({ ...e, now })), stmt);
  }

  markRejected(ids: readonly number[], message: string): void {
    this.setState(ids, 'rejected', message);
  }

  markInDoubt(ids: readonly number[], message: string): void {
    this.setState(ids, 'in_doubt', message);
  }

  /** Back to pending: the request certainly did not take effect (never sent, 429, auth refused). */
  returnToPending(ids: readonly number[], message: string | null): void {
    this.setState(ids, 'pending', message);
  }

  // minimal; the sync branch (#4) provides the full version
  /** Change a token that is still only on this computer (pending): its label or customer. */
  edit(id: number, patch: { label?: string | null; customerId?: number }): QueuedToken {
    const current = this.get(id);
    if (!current) throw new Error(`No queued token ${id}`);
    if (current.state !== 'pending') throw new Error(`Token ${current.uid} is ${current.state.replace('_', ' ')}: only a token not yet sent can be changed`);
    const row = this.db
      .prepare(
        `UPDATE tokens SET label = @label, customer_id = @customerId, updated_at = @now WHERE id = @id AND state = 'pending' RETURNING *`,
      )
      .get({
        id,
        label: patch.label === undefined ? current.label : patch.label,
        customerId: patch.customerId ?? current.customerId,
        now: this.now().toISOString(),
      }) as Row | undefined;
    if (!row) throw new Error(`Token ${current.uid} was sent meanwhile: it can no longer be changed`);
    return this.emitRows([row])[0]!;
  }

  // minimal; the sync branch (#4) provides the full version
  /** Remove a token that never left this computer (pending); true when it was removed. */
  discard(id: number): boolean {
    const current = this.get(id);
    if (!current) throw new Error(`No queued token ${id}`);
    if (current.state !== 'pending') throw new Error(`Token ${current.uid} is ${current.state.replace('_', ' ')}: only a token not yet sent can be discarded`);
    const result = this.db.prepare(`DELETE FROM tokens WHERE id = ? AND state = 'pending'`).run(id);
    if (result.changes === 0) throw new Error(`Token ${current.uid} was sent meanwhile: it can no longer be discarded`);
    return true;
  }

  /** At start-up: a token left "sending" by a crash may or may not have reached Spirii. */
  recoverInterrupted(): number {
    const rows = this.db
      .prepare(
        `UPDATE tokens SET state = 'in_doubt', last_error = 'The app stopped while this token was being sent', updated_at = ?
         WHERE state = 'sending' RETURNING *`,
      )
      .all(this.now().toISOString()) as Row[];
    this.emitRows(rows);
    return rows.length;
  }

  private setState(ids: readonly number[], state: QueueState, message: string | null): void {
    const now = this.now().toISOString();
    const stmt = this.db.prepare(`UPDATE tokens SET state = @state, last_error = @message, updated_at = @now WHERE id = @id RETURNING *`);
    this.updateEach(ids.map((id) => ({ id, state, message, now })), stmt);
  }

  private updateEach(params: readonly object[], stmt: ReturnType<Db['prepare']>): void {
    const rows = this.db.transaction(() => params.map((p) => stmt.get(p) as Row | undefined).filter((r): r is Row => !!r))();
    this.emitRows(rows);
  }

  private emitRows(rows: Row[]): QueuedToken[] {
    const tokens = rows.map(fromRow);
    if (tokens.length > 0) this.emit(tokens);
    return tokens;
  }

  private emit(tokens: QueuedToken[]): void {
    this.listeners.emit(tokens);
  }
}
