/** Types the contract carries that belong to no single core module (app info, a batch of changes as the window sees it). */
import type { ChangeFields } from '../core/changes/types';

export interface AppInfo {
  version: string;
  /** "sandbox" when the built-in sandbox API is in use: nothing reaches Spirii. */
  mode: 'spirii' | 'sandbox';
  apiUrl: string;
  /** Shown on screen whenever it is not null. */
  sandboxNotice: string | null;
  dataDir: string;
  /** The simulated reader may tap: only on a sandbox API (built in, or a server on this machine). */
  simulatedTaps: boolean;
}

/**
 * A batch of queued changes as the window shows it: one change for many tokens (a bulk change on
 * the Tokens screen), its progress and the estimate of the time left. The window words the
 * fields in its own language.
 */
export interface ChangeBatchView {
  id: number;
  fields: ChangeFields;
  createdAt: string;
  /**
   * sending: changes wait to be sent (or settled); paused (by the desk); waiting-for-you: only
   * changes in conflict are left (the clerk chooses); done: nothing left; cancelled: what was not
   * sent never will be.
   */
  state: 'sending' | 'paused' | 'waiting-for-you' | 'done' | 'cancelled';
  total: number;
  /** Applied in Spirii. */
  sent: number;
  /** Refused by Spirii. */
  failed: number;
  /** Changed in Spirii since the desk read the token: waiting for the clerk's choice. */
  conflicts: number;
  /** Cancelled before they were sent (or Spirii's version kept). */
  cancelled: number;
  /** The least time the waiting changes take at Spirii's write limit; null when nothing waits. */
  etaMs: number | null;
  writesPerMinute: number;
}

/**
 * A change in conflict as the window shows it: the card, what the desk wants (`mine`) and what
 * Spirii has now for the same fields (`spirii`, changed at `spiriiUpdatedAt`), and what the desk
 * had read (`base`, at `readAt`). Only the fields the change touches.
 */
export interface ChangeConflictView {
  id: number;
  batchId: number;
  spiriiId: number;
  uid: string | null;
  label: string | null;
  /** The token's customer in Spirii now (or as the desk read it). */
  customerId: number | null;
  mine: ChangeFields;
  spirii: ChangeFields;
  base: ChangeFields | null;
  readAt: string | null;
  spiriiUpdatedAt: string | null;
}
