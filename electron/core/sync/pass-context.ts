/**
 * What each step of a sync pass is given by the worker: the queue, the API, the clock, its pacing,
 * lease and waits. A step settles rows; the loop, the status and the waits stay the worker's.
 */
import type { TokenQueue } from '../queue';
import type { SyncApi } from './api-port';
import type { Wait } from './wait';

/** What a read is for, counted for the benchmark: lookups after doubt, pre-send checks, checks for second copies, changes. */
export type ReadPurpose = 'doubt' | 'presend' | 'verify' | 'changes';

/** UIDs per lookup round (the client picks per-UID searches or one listing of Spirii's RFID tokens). */
export const LOOKUP_CHUNK = 1000;

export interface SyncPassContext {
  readonly queue: TokenQueue;
  /** The API, each answer noted as the status's last reached time. */
  readonly api: SyncApi;
  /** The wall clock (epoch ms). */
  now(): number;
  /** How long after an attempt Spirii may still commit it: the client's timeout plus the server-side margin. */
  readonly inDoubtBoundMs: number;
  /** Before a read: waits while Spirii's read limit is spent (X-RateLimit-Remaining / -Reset). */
  paceReads(purpose?: ReadPurpose): Promise<void>;
  /** Before a write, likewise. */
  paceWrites(): Promise<void>;
  /** Before a request that changes something: throws (a wait) unless this process holds the lease. */
  holdLease(): void;
  /** Before a state change after an answer: throws (a wait) if a renewal found the lease taken. */
  requireLease(): void;
  /** The wait for an error (a 429's Retry-After, a backoff, a refused key), thrown to end the pass. */
  waitFor(error: unknown): Wait;
  running(): boolean;
  /** A request was answered as asked: the backoff starts again from its base. */
  answered(): void;
  /** Spirii has tokens (or changes) of this pass: noted as the last sync. */
  synced(): void;
  /** Spirii answered a request made outside the port (the customer lookup). */
  reached(): void;
}
