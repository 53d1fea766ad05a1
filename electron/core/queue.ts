/**
 * The local token queue: every token the desk creates is written here first, durably, and the
 * sync worker moves it through its states. The state is written before each network step, so a
 * crash leaves a row whose last known step says what may have happened.
 *
 *   held (hold period) -> pending -> sending (attempt id) -> synced (Spirii id)
 *                                                         | rejected (server message, or where Spirii already has the UID)
 *                                                         | in_doubt (outcome unknown: looked up before anything is sent again)
 *   held | pending | rejected -> discarded (by the desk; kept as history, the UID may be tapped again)
 *
 * A pending row is sent only after the pre-send check (duplicates.ts) found its UID absent from
 * Spirii (`spiriiCheckedAt`); a row whose UID Spirii already has is rejected with `conflict` saying
 * where it exists, and is never sent.
 */
import type { Db } from './db/sqlite';
import type { TokenCreate } from './token';
import { CONTROL_CHARACTERS_MESSAGE, controlCharacterField } from './token';
import { checkTokenEdit, type TokenEdit } from './token-edit';
import { Listeners } from './events';
import type { ActionProblem, TokenProblem } from './problem';

export const QUEUE_STATES = ['held', 'pending', 'sending', 'synced', 'rejected', 'in_doubt', 'discarded'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

/** States in which a row exists only on this computer: it may be edited and discarded. */
export const LOCAL_ONLY_STATES = ['held', 'pending', 'rejected'] as const satisfies readonly QueueState[];

/** What `list()` shows unless asked: everything but discarded rows. */
export const LIVE_STATES = QUEUE_STATES.filter((s) => s !== 'discarded');

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

/** Where Spirii already has a UID: the token there, its customer and label. */
export interface SpiriiPlace {
  spiriiId: number;
  customerId: number;
  label: string | null;
}

export interface QueuedToken extends TokenDraft {
  id: number;
  state: QueueState;
  attempts: number;
  spiriiId: number | null;
  lastError: string | null;
  /** The same, for the window to word in its language (null when there is none, or for a row from before it was kept). */
  lastErrorDetail: TokenProblem | null;
  /** A held row is released at this time (or earlier by the desk). */
  holdUntil: string | null;
  /** When the pre-send check found the UID absent from Spirii; null: not checked yet (never sent). */
  spiriiCheckedAt: string | null;
  /** Set when Spirii already has this UID elsewhere: the row is never sent. */
  conflict: SpiriiPlace | null;
  /** When the last request carrying this row went out. */
  attemptedAt: string | null;
  /** The id of that request (every state change after its answer names it, so a late answer to an older one changes nothing). */
  attemptId: string | null;
  createdAt: string;
  updatedAt: string;
  syncedAt: string | null;
}

export type QueueCounts = Record<QueueState, number>;

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

export type { TokenEdit } from './token-edit';

export class DuplicateUidError extends Error {
  constructor(readonly existing: QueuedToken) {
    super(`Card ${existing.uid} is already in the queue (${describeLocalPlace(existing)})`);
    this.name = 'DuplicateUidError';
  }
}

/** A desk action refused because of the row's state (or because it does not exist). */
export class QueueActionError extends Error {
  constructor(
    message: string,
    /** The same, for the window to word in its language. */
    readonly detail?: ActionProblem,
  ) {
    super(message);
    this.name = 'QueueActionError';
  }
}

/** A conflict found for a row: where Spirii has its UID, in English and for the window. */
export interface ConflictEntry {
  id: number;
  place: SpiriiPlace;
  message: string;
  detail?: TokenProblem;
}

/** A refused field of an edit, as the window words it: which field, and a length limit or the expiry rule. */
export function invalidField(issue: { path: PropertyKey[]; code: string; maximum?: unknown }, afterValidFrom = false): ActionProblem {
  const max = issue.code === 'too_big' && typeof issue.maximum === 'number' ? issue.maximum : null;
  return { key: 'invalid-field', params: { field: issue.path.map(String).join('.'), max, afterValidFrom } };
}

/** Each state in English, one word each: the queue's messages, the CLI's tables and its counts say the same. */
export const STATE_WORDS: Record<QueueState, string> = {
  held: 'held',
  pending: 'pending',
  sending: 'sending',
  synced: 'synced',
  rejected: 'rejected',
  in_doubt: 'in doubt',
  discarded: 'discarded',
};

/** "pending, customer 1001, label A1": where a UID already is in the local queue. */
export function describeLocalPlace(token: Pick<QueuedToken, 'state' | 'customerId' | 'label' | 'spiriiId'>): string {
  return `${STATE_WORDS[token.state]}, customer ${token.customerId}${token.label ? `, label ${token.label}` : ''}${token.spiriiId !== null ? `, Spirii token ${token.spiriiId}` : ''}`;
}

/** "token 10234 for customer 1003, label FJH-0007": where Spirii has a UID. */
export function describeSpiriiPlace(place: SpiriiPlace): string {
  return `token ${place.spiriiId} for customer ${place.customerId}${place.label ? `, label ${place.label}` : ''}`;
}

/** A row of the tokens table as SQLite returns it (snake_case, booleans as 0/1). */
export interface TokenRow {
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
  hold_until: string | null;
  spirii_checked_at: string | null;
  conflict: string | null;
  attempt_id: string | null;
  attempted_at: string | null;
  attempts: number;
  verified_at?: string | null;
  lookup_asked_at?: string | null;
  spirii_id: number | null;
  last_error: string | null;
  last_error_detail: string | null;
  source: string;
  created_at: string;
  updated_at: string;
  synced_at: string | null;
}

function parseJson<T>(text: string | null | undefined): T | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

const parseConflict = (text: string | null) => parseJson<SpiriiPlace>(text);

function fromRow(row: TokenRow): QueuedToken {
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
    lastErrorDetail: row.last_error === null ? null : parseJson<TokenProblem>(row.last_error_detail),
    holdUntil: row.hold_until,
    spiriiCheckedAt: row.spirii_checked_at,
    conflict: parseConflict(row.conflict),
    attemptedAt: row.attempted_at,
    attemptId: row.attempt_id,
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

export interface TokenQueueOptions {
  now?: () => Date;
  /** Minutes a new token is held before it may be sent; 0 (the default) sends at once. */
  holdMinutes?: () => number;
}

export interface ListOptions {
  limit?: number;
  offset?: number;
  states?: readonly QueueState[];
  /** Part of a UID or label, any case. */
  search?: string;
  /** Only this customer's tokens. */
  customerId?: number;
}

/** What the worker has to do now, and when something next becomes due. */
export interface QueueDue {
  ready: boolean;
  /** Epoch ms when a hold ends or an in-doubt lookup's grace is over; null if nothing is scheduled. */
  nextAt: number | null;
}

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

/** "Label DK.1 is already on card 04A224B2 (in the queue)": the refusal of a label another card has, for a tap, `add` and an import alike. */
export function labelUsedMessage(label: string, existing: Pick<QueuedToken, 'uid' | 'state'>): string {
  return `Label ${label} is already on card ${existing.uid} (${existing.state === 'synced' ? 'in Spirii' : 'in the queue'})`;
}

/** Which rows an export or a reconcile reads: by state, customer, and a search in UID and label (any case). */
export interface RowFilter {
  states?: readonly QueueState[];
  customerId?: number;
  search?: string;
}

const PAGE_ROWS = 2000;

function rowWhere(filter: RowFilter): { sql: string; params: Record<string, unknown> } {
  const clauses: string[] = [];
  const params: Record<string, unknown> = {};
  if (filter.states?.length) {
    clauses.push(`state IN (${filter.states.map((_, i) => `@state${i}`).join(',')})`);
    filter.states.forEach((s, i) => (params[`state${i}`] = s));
  }
  if (filter.customerId !== undefined) {
    clauses.push('customer_id = @customerId');
    params.customerId = filter.customerId;
  }
  if (filter.search) {
    clauses.push(`(instr(lower(uid), lower(@search)) > 0 OR instr(lower(coalesce(label, '')), lower(@search)) > 0)`);
    params.search = filter.search;
  }
  return { sql: clauses.length ? clauses.join(' AND ') : '1', params };
}

export class TokenQueue {
  private readonly listeners = new Listeners<QueuedToken[]>();
  private readonly insert;
  private readonly liveByUid;
  private readonly liveByLabel;
  private readonly byId;
  private readonly now: () => Date;
  private readonly holdMinutes: () => number;

  constructor(
    /** The database the queue lives in (the sync lease shares it). */
    readonly db: Db,
    /** Options, or (the older form) just the clock. */
    options: TokenQueueOptions | (() => Date) = {},
  ) {
    if (typeof options === 'function') options = { now: options };
    this.now = options.now ?? (() => new Date());
    this.holdMinutes = options.holdMinutes ?? (() => 0);
    this.insert = db.prepare(`
      INSERT INTO tokens (uid, customer_id, label, valid_from, expires_at, is_active, roaming_enabled,
        priority_charging_enabled, billing_reference, comment, state, hold_until, source, created_at, updated_at)
      VALUES (@uid, @customerId, @label, @validFrom, @expiresAt, @isActive, @roamingEnabled,
        @priorityChargingEnabled, @billingReference, @comment, @state, @holdUntil, @source, @now, @now)
      ON CONFLICT DO NOTHING
      RETURNING *`);
    this.liveByUid = db.prepare(`SELECT * FROM tokens WHERE uid = ? AND state <> 'discarded'`);
    this.liveByLabel = db.prepare(`SELECT * FROM tokens WHERE label = ? AND state <> 'discarded' ORDER BY id DESC LIMIT 1`);
    this.byId = db.prepare('SELECT * FROM tokens WHERE id = ?');
  }

  /** Subscribe to row changes; returns the unsubscribe function. */
  onChange(listener: QueueListener): () => void {
    return this.listeners.add(listener);
  }

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

  /**
   * The rows matching the filter, discarded ones included unless filtered out, oldest first, a
   * page at a time (an export or reconcile of 100,000 rows never holds them all, nor the
   * connection between pages); `count` is how many match in all.
   */
  async *pages(filter: RowFilter = {}): AsyncGenerator<{ rows: QueuedToken[]; count: number }> {
    const where = rowWhere(filter);
    const { n: count } = this.db.prepare(`SELECT count(*) AS n FROM tokens WHERE ${where.sql}`).get(where.params) as { n: number };
    const page = this.db.prepare(`SELECT * FROM tokens WHERE ${where.sql} AND id > @after ORDER BY id LIMIT ${PAGE_ROWS}`);
    let after = 0;
    for (;;) {
      const rows = page.all({ ...where.params, after }) as TokenRow[];
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.id;
      yield { rows: rows.map(fromRow), count };
      if (rows.length < PAGE_ROWS) return;
    }
  }

  /** The live (not discarded) row for this UID. */
  findByUid(uid: string): QueuedToken | undefined {
    const row = this.liveByUid.get(uid) as TokenRow | undefined;
    return row && fromRow(row);
  }

  /** The newest live (not discarded) row with exactly this label: a printed label belongs to one card. */
  findByLabel(label: string): QueuedToken | undefined {
    const row = this.liveByLabel.get(label) as TokenRow | undefined;
    return row && fromRow(row);
  }

  get(id: number): QueuedToken | undefined {
    const row = this.byId.get(id) as TokenRow | undefined;
    return row && fromRow(row);
  }

  /** Newest first; discarded rows only when asked for by state. */
  list(options: ListOptions = {}): QueuedToken[] {
    const states = options.states ?? LIVE_STATES;
    if (states.length === 0) return [];
    const where = [`state IN (${states.map(() => '?').join(',')})`];
    const params: unknown[] = [...states];
    const search = options.search?.trim();
    if (search) {
      // LIKE ignores ASCII case, and UIDs are stored upper-case hex.
      where.push(`(uid LIKE ? ESCAPE '\\' OR label LIKE ? ESCAPE '\\')`);
      const pattern = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      params.push(pattern, pattern);
    }
    if (options.customerId !== undefined) {
      where.push('customer_id = ?');
      params.push(options.customerId);
    }
    const rows = this.db
      .prepare(`SELECT * FROM tokens WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ? OFFSET ?`)
      .all(...params, options.limit ?? -1, options.offset ?? 0) as TokenRow[];
    return rows.map(fromRow);
  }

  /** Every row this desk has had for a UID, discarded ones included, newest first: the card's history here. */
  history(uid: string): QueuedToken[] {
    return (this.db.prepare('SELECT * FROM tokens WHERE uid = ? ORDER BY id DESC LIMIT 100').all(uid) as TokenRow[]).map(fromRow);
  }

  /** Rows with exactly this label (any case), discarded ones included, newest first. */
  historyByLabel(label: string, limit = 20): QueuedToken[] {
    const text = label.trim();
    if (!text) return [];
    return (this.db.prepare('SELECT * FROM tokens WHERE label = ? COLLATE NOCASE ORDER BY id DESC LIMIT ?').all(text, limit) as TokenRow[]).map(fromRow);
  }

  /** A customer's rows (not discarded), oldest first: what the desk enrolled for them. */
  listByCustomer(customerId: number, limit = 20_000): QueuedToken[] {
    return (
      this.db.prepare(`SELECT * FROM tokens WHERE customer_id = ? AND state <> 'discarded' ORDER BY id LIMIT ?`).all(customerId, limit) as TokenRow[]
    ).map(fromRow);
  }

  /** The rows (not discarded) queued from one source, such as an import file (`import:<name>`), oldest first. */
  listBySource(source: string, limit = 20_000): QueuedToken[] {
    return (this.db.prepare(`SELECT * FROM tokens WHERE source = ? AND state <> 'discarded' ORDER BY id LIMIT ?`).all(source, limit) as TokenRow[]).map(fromRow);
  }

  /** The imports whose rows are still here (not discarded), newest first: each one's source, count and time. */
  importBatches(limit = 200): { source: string; count: number; firstAt: string; customerIds: number[] }[] {
    const rows = this.db
      .prepare(
        `SELECT source, count(*) AS count, min(created_at) AS firstAt, group_concat(DISTINCT customer_id) AS customers
         FROM tokens WHERE source LIKE 'import:%' AND state <> 'discarded' GROUP BY source ORDER BY max(id) DESC LIMIT ?`,
      )
      .all(limit) as { source: string; count: number; firstAt: string; customers: string }[];
    return rows.map((r) => ({ source: r.source, count: r.count, firstAt: r.firstAt, customerIds: r.customers.split(',').map(Number) }));
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

  // -------------------------------------------------------------------------------------------
  // Desk actions: each checks the row's state in the same statement that changes it.

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

  // -------------------------------------------------------------------------------------------
  // The sync worker's steps.

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

  private setState(ids: readonly number[], state: QueueState, message: string | null, detail?: TokenProblem, guard?: RowGuard): void {
    const now = this.now().toISOString();
    const stmt = this.db.prepare(
      `UPDATE tokens SET state = @state, last_error = @message, last_error_detail = @detail, updated_at = @now WHERE id = @id AND ${GUARD_SQL} RETURNING *`,
    );
    const json = message !== null && detail ? JSON.stringify(detail) : null;
    this.updateEach(ids.map((id) => ({ id, state, message, detail: json, now, ...guardParams(guard, id) })), stmt);
  }

  private updateEach(params: readonly object[], stmt: ReturnType<Db['prepare']>): void {
    const rows = this.db.transaction(() => params.map((p) => stmt.get(p) as TokenRow | undefined).filter((r): r is TokenRow => !!r))();
    this.emitRows(rows);
  }

  private emitRows(rows: TokenRow[]): QueuedToken[] {
    const tokens = rows.map(fromRow);
    if (tokens.length > 0) this.emit(tokens);
    return tokens;
  }

  private emit(tokens: QueuedToken[]): void {
    this.listeners.emit(tokens);
  }
}
