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
 * A pending row is sent only after the pre-send check (pre-send-check.ts) found its UID absent from
 * Spirii (`spiriiCheckedAt`); a row whose UID Spirii already has is rejected with `conflict` saying
 * where it exists, and is never sent.
 *
 * Every SQL statement on `tokens` outside the migrations is in this folder, one job a file:
 *   rows.ts          the states, a row's shape and its English word per state
 *   wording.ts       the refusals in English (where a UID already is)
 *   edit.ts          what the desk may change, and how a refused field is told to the window
 *   reads.ts         the table, its clock and listeners, and every read
 *   intake.ts        how a token gets in (tap, `add`, import) and whether a UID may be queued
 *   desk-actions.ts  edit, discard, retry, release
 *   sync-steps.ts    the sync worker's steps
 * Each class extends the one before, so `TokenQueue` is all of them and callers keep one object.
 */
import { QueueSyncSteps } from './sync-steps';

export class TokenQueue extends QueueSyncSteps {}

export {
  LIVE_STATES,
  LOCAL_ONLY_STATES,
  QUEUE_STATES,
  STATE_WORDS,
  toTokenCreate,
  type QueueCounts,
  type QueuedToken,
  type QueueListener,
  type QueueState,
  type SpiriiPlace,
  type TokenDraft,
  type TokenRow,
} from './rows';
export { DuplicateUidError, QueueActionError, describeLocalPlace, describeSpiriiPlace, labelUsedMessage } from './wording';
export { checkTokenEdit, invalidField, type TokenEdit } from './edit';
export type { ListOptions, RowFilter, TokenQueueOptions } from './reads';
export type { Admission } from './intake';
export type { ConflictEntry, QueueDue, RowGuard } from './sync-steps';
