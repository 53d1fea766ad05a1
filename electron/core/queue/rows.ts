/**
 * The queue's rows: the states a token goes through, what a row holds, its English word per state
 * and the body Spirii takes for it. No SQL here: every statement is in the queue's classes.
 */
import type { TokenCreate, TokenSettings } from '../token';
import type { TokenProblem } from '../problem-detail';
import { jsonColumn } from '../db/columns';

export const QUEUE_STATES = ['held', 'pending', 'sending', 'synced', 'rejected', 'in_doubt', 'discarded'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

/** States in which a row exists only on this computer: it may be edited and discarded. */
export const LOCAL_ONLY_STATES = ['held', 'pending', 'rejected'] as const satisfies readonly QueueState[];

/** What `list()` shows unless asked: everything but discarded rows. */
export const LIVE_STATES = QUEUE_STATES.filter((s) => s !== 'discarded');

export interface TokenDraft extends TokenSettings {
  uid: string;
  customerId: number;
  label: string | null;
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

const parseConflict = (text: string | null) => jsonColumn<SpiriiPlace>(text);

/** Problem keys renamed since rows were written with them: the stored key and the one it is now. */
const RENAMED_PROBLEM_KEYS: Record<string, TokenProblem['key']> = { 'held-twice': 'in-spirii-twice' };

function parseProblem(text: string | null): TokenProblem | null {
  const problem = jsonColumn<TokenProblem>(text);
  const renamed = problem && RENAMED_PROBLEM_KEYS[problem.key];
  return renamed ? ({ ...problem, key: renamed } as TokenProblem) : problem;
}

export function fromRow(row: TokenRow): QueuedToken {
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
    lastErrorDetail: row.last_error === null ? null : parseProblem(row.last_error_detail),
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
