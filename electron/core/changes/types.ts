/**
 * Changes to tokens that exist in Spirii, queued like creations: the words of the changes queue
 * (`changes/queue.ts`), the desk's calls (`changes/desk.ts`) and the sync worker's step that sends
 * them (`sync/changes.ts`). Everything here is plain data, safe to send to the window.
 *
 *   pending -> sending (attempt id) -> synced (Spirii has the change)
 *                                   | rejected (Spirii refused it: its message)
 *                                   | in_doubt (no answer: the token is read back before anything is sent again)
 *   pending -> conflict (Spirii changed the token since the desk read it: both versions kept; the clerk chooses)
 *   conflict -> pending (apply mine anyway) | discarded (keep Spirii's)
 *   pending | conflict -> discarded (cancelled by the desk; kept as history)
 *
 * Changes to one token are sent by ascending id, each only once the one before it has settled.
 */
import type { SpiriiToken } from '../token';
import type { RequestProblem } from '../problem-detail';

/** The states a change goes through; those it shares with creations are worded as creations' are. */
export const CHANGE_STATES = ['pending', 'sending', 'synced', 'rejected', 'in_doubt', 'conflict', 'discarded'] as const;
export type ChangeState = (typeof CHANGE_STATES)[number];

/** States from which a change will still be sent or settled (it blocks later changes to its token). */
export const OPEN_CHANGE_STATES = ['pending', 'sending', 'in_doubt', 'conflict'] as const satisfies readonly ChangeState[];

/** Each state in English, one word each (creations' words where the state is one of theirs). */
export const CHANGE_STATE_WORDS: Record<ChangeState, string> = {
  pending: 'pending',
  sending: 'sending',
  synced: 'synced',
  rejected: 'rejected',
  in_doubt: 'in doubt',
  conflict: 'conflict',
  discarded: 'discarded',
};

/**
 * What a change sets: exactly what `PATCH /v2/tokens/{id}` allows for an RFID token. A field left
 * out is not changed. `expiresAt: null` means never expires; `billingReference` and `comment`
 * null clear them.
 */
export interface ChangeFields {
  isActive?: boolean;
  validFrom?: string;
  expiresAt?: string | null;
  roamingEnabled?: boolean;
  priorityChargingEnabled?: boolean;
  billingReference?: string | null;
  comment?: string | null;
  customerId?: number;
}

/** The field names of ChangeFields, in the order the desk shows them. */
export const CHANGE_FIELDS = [
  'isActive',
  'validFrom',
  'expiresAt',
  'roamingEnabled',
  'priorityChargingEnabled',
  'billingReference',
  'comment',
  'customerId',
] as const satisfies readonly (keyof ChangeFields)[];

/**
 * One token to change, as the desk knows it. `basedOn` is Spirii's `updatedAt` of the token the
 * desk read (the Tokens screen's row, the card's last sighting); the change is never applied over
 * a newer change made in Spirii since. null: the desk has not read the token, so the read right
 * before sending is taken as the base.
 */
export interface ChangeTarget {
  spiriiId: number;
  uid: string | null;
  label: string | null;
  basedOn: string | null;
  /** The token as the desk read it (shown beside Spirii's when they disagree). */
  base?: SpiriiToken | null;
}

/** Where a batch of changes was made: a CLI run (with its file), or a bulk action in the window. */
export type ChangeSource = 'cli' | 'window' | `cli:${string}` | `window:${string}`;

/** A change as the queue holds it. */
export interface QueuedChange {
  id: number;
  batchId: number;
  spiriiId: number;
  uid: string | null;
  label: string | null;
  fields: ChangeFields;
  state: ChangeState;
  basedOn: string | null;
  /** The token as the desk read it, when it had. */
  base: SpiriiToken | null;
  /** A conflict's other side: the token as Spirii had it when it was found changed since the desk read it. */
  remote: SpiriiToken | null;
  attempts: number;
  attemptId: string | null;
  attemptedAt: string | null;
  lastError: string | null;
  /** The same, for the window to word in its language. */
  lastErrorDetail: ChangeProblem | null;
  /** Spirii's updatedAt after the change was applied. */
  resultUpdatedAt: string | null;
  createdAt: string;
  updatedAt: string;
  syncedAt: string | null;
}

/** Why a change is not (or not yet surely) in Spirii, for the window to word. */
export type ChangeProblem =
  /** Spirii refused the change (400/404/422); `spirii` is its own text. */
  | { key: 'refused'; params: { spirii: string } }
  /** The token is no longer in Spirii (404 on reading it). */
  | { key: 'token-gone'; params: { spiriiId: number } }
  /** Spirii changed the token since the desk read it: `basedOn` is what the desk read, `updatedAt` Spirii's. */
  | { key: 'changed-in-spirii'; params: { basedOn: string | null; updatedAt: string } }
  /** The request's outcome is unknown: the token is read back before anything is sent again. */
  | { key: 'in-doubt'; params: { cause: RequestProblem } }
  | { key: 'interrupted'; params: Record<string, never> }
  /** Certainly not applied; it waits to be sent again. */
  | { key: 'not-sent'; params: { cause: RequestProblem } }
  /** The clerk chose to keep Spirii's version: this change was dropped. */
  | { key: 'kept-spirii'; params: Record<string, never> }
  /** Cancelled by the desk before it was sent. */
  | { key: 'cancelled'; params: Record<string, never> };

/** A batch: the changes of one CLI run or one bulk action, paused, resumed and cancelled together. */
export interface ChangeBatch {
  id: number;
  source: ChangeSource;
  operator: string;
  fields: ChangeFields;
  paused: boolean;
  createdAt: string;
  cancelledAt: string | null;
}

/**
 * How far a batch is. `done`: in Spirii; `failed`: refused by Spirii; `conflicts`: waiting for the
 * clerk's choice; `cancelled`: discarded before they were sent (or Spirii's version kept);
 * `waiting`: still to be sent or settled (pending, sending, in doubt).
 */
export interface BatchProgress {
  batchId: number;
  total: number;
  done: number;
  failed: number;
  conflicts: number;
  cancelled: number;
  waiting: number;
  /** Changes of this batch sent to Spirii in the last minute. */
  sentPerMinute: number;
  paused: boolean;
  /**
   * The least time the waiting changes still take at Spirii's write limit (one PATCH each; 1,000
   * at 120 a minute: 8.3 minutes), in ms; 0 when nothing waits. It assumes the sync can send: offline
   * or paused it is the time once sending resumes.
   */
  estimateMs: number;
  /** The write limit the estimate is computed from, PATCHes a minute. */
  writesPerMinute: number;
}

/** A reference to a token the desk was given (a CLI flag, a CSV row): its UID or its label. */
export type TokenRef = { uid: string; label?: undefined } | { label: string; uid?: undefined };

/** A reference that could not be made a change, and why (in English). */
export interface UnresolvedRef {
  ref: TokenRef;
  /** Spirii has no such token (or, offline, this desk has never seen it); or it is not in Spirii yet. */
  reason: 'not-found' | 'not-in-spirii-yet' | 'ambiguous';
  message: string;
}

/** What queueing a batch did. */
export interface QueuedBatch {
  /** null when nothing was queued (no reference named a token). */
  batch: ChangeBatch | null;
  changes: QueuedChange[];
  /** References the desk could not turn into a token (reported; the rest are queued). */
  unresolved: UnresolvedRef[];
  /** true when the tokens were read from Spirii just now; false: from what this desk last saw (offline). */
  online: boolean;
}

/** The clerk's choice for a change in conflict. */
export type ConflictChoice = 'apply-mine' | 'keep-spirii';

/** The counts of changes by state, for the sync status and the CLI. */
export type ChangeCounts = Record<ChangeState, number>;
