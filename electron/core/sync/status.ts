/**
 * The sync worker's status as the window, the CLI and the diagnostics read it. It says the phase
 * the worker is in, whether Spirii answered, when it tries next, the last error and the counts.
 */
import type { QueueCounts } from '../queue';
import type { RequestProblem } from '../problem-detail';

export type SyncPhase = 'idle' | 'syncing' | 'offline' | 'backoff' | 'rate-limited' | 'paused-auth' | 'elsewhere' | 'stopped';

export interface SyncStatus {
  phase: SyncPhase;
  /** true after the last request got an answer, false after it got none, null before any. */
  online: boolean | null;
  /**
   * Epoch ms of the next attempt: the end of a wait (backoff, rate limit, key probe), or while
   * idle, when a held token is released or a token in doubt is looked up. null: nothing scheduled.
   */
  nextAttemptAt: number | null;
  lastError: string | null;
  /** The same, for the window to word in its language. */
  lastErrorDetail: RequestProblem | null;
  lastSyncedAt: string | null;
  /**
   * Epoch ms of the last answer from Spirii, whatever it said (a 4xx is an answer too); a network
   * error or a timeout is none. null: not reached since this worker started. The window says
   * "Up to date" only when this is recent, not merely because the last request was answered.
   */
  lastReachedAt: number | null;
  counts: QueueCounts;
}
