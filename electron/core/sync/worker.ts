/**
 * The sync worker: sends pending tokens to Spirii in batches and settles every row as synced,
 * rejected or in doubt. The API has no idempotency key, so a request whose outcome is unknown is
 * never simply repeated: its tokens are looked up by UID first (see reconcile()).
 *
 * One pass, in order, each step's state on disk before its request goes out:
 *   lease (one sender per data folder; a fresh holder turns rows left "sending" into "in doubt")
 *   -> release held tokens whose hold is over
 *   -> look up tokens in doubt (after a short grace): ours -> synced; someone else's -> conflict; absent -> pending
 *   -> check new tokens against Spirii (duplicates.ts): already there -> rejected with where; else cleared to send
 *   -> send cleared pending tokens in lists, paced by the rate-limit headers.
 */
import { randomUUID } from 'node:crypto';
import type { ConflictEntry, QueueCounts, QueuedToken, TokenQueue } from '../queue';
import { toTokenCreate } from '../queue';
import type { SyncApi } from './api-port';
import type { SpiriiToken } from '../token';
import { ApiError, NetworkError } from '../api/errors';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { Listeners } from '../events';
import { checkNewTokens, conflictDetail, conflictMessage, ownToken, placeOf } from '../duplicates';
import { SyncLease } from './lease';
import type { RequestProblem } from '../problem';

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
  counts: QueueCounts;
}

export interface SyncWorkerOptions {
  /** Tokens per POST; a function is asked before every batch (the desk's setting can change). */
  batchSize?: number | (() => number);
  backoff?: BackoffPolicy;
  /** How long to wait before probing again with a refused key (at most one request per period). */
  authProbeMs?: number;
  /**
   * How long after a request with an unknown outcome its tokens are looked up: a request that
   * timed out on this side may still be being handled by Spirii (default 5 s).
   */
  inDoubtGraceMs?: number;
  /** The sync lease's lifetime; renewed before every request (default 60 s). */
  leaseTtlMs?: number;
  random?: () => number;
  now?: () => number;
}

/** Why a pass stopped early, and how long to wait. */
class Wait {
  constructor(
    readonly phase: Exclude<SyncPhase, 'idle' | 'syncing' | 'stopped'>,
    readonly delayMs: number,
    readonly message: string,
    readonly detail: RequestProblem,
  ) {}
}

/** Errors that mean this item is wrong (the whole request was refused because of it). */
const ITEM_ERRORS = new Set([400, 404, 422]);
/** UIDs per lookup round (the client picks per-UID searches or one listing of Spirii's RFID tokens). */
const LOOKUP_CHUNK = 1000;

export class SyncWorker {
  private readonly batchSize: () => number;
  private readonly backoff: BackoffPolicy;
  private readonly authProbeMs: number;
  private readonly inDoubtGraceMs: number;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly lease: SyncLease;
  private readonly listeners = new Listeners<SyncStatus>();
  private failures = 0;
  private running = false;
  /** The end of a wait after a failure; pokes do not cut it short, retryNow does. */
  private waitUntil: number | null = null;
  private loopDone: Promise<void> = Promise.resolve();
  private wake: () => void = () => {};
  private current: Omit<SyncStatus, 'counts'> = {
    phase: 'idle',
    online: null,
    nextAttemptAt: null,
    lastError: null,
    lastErrorDetail: null,
    lastSyncedAt: null,
  };

  constructor(
    private readonly queue: TokenQueue,
    private readonly client: SyncApi,
    options: SyncWorkerOptions = {},
  ) {
    const batchSize = options.batchSize ?? 100;
    this.batchSize = typeof batchSize === 'function' ? batchSize : () => batchSize;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.authProbeMs = options.authProbeMs ?? 60_000;
    this.inDoubtGraceMs = options.inDoubtGraceMs ?? 5_000;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.lease = new SyncLease(queue.db, options.leaseTtlMs ?? 60_000, this.now);
  }

  get status(): SyncStatus {
    return { ...this.current, counts: this.queue.counts() };
  }

  onStatus(listener: (status: SyncStatus) => void): () => void {
    return this.listeners.add(listener);
  }

  /** Start the background loop. Tokens left "sending" by a crash become "in doubt" once this process holds the lease. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loopDone;
    this.lease.release();
    this.update({ phase: 'stopped', nextAttemptAt: null });
  }

  /** New work: start now unless a wait (backoff, rate limit, refused key) is running. */
  poke(): void {
    this.wake();
  }

  /** "Sync now" (and the desk's retry): drop any wait and try at once, including one probe with a refused key. */
  retryNow(): void {
    this.waitUntil = null;
    this.current.nextAttemptAt = null;
    this.failures = 0;
    this.wake();
  }

  /**
   * Run until nothing is left to do now (held tokens may wait on), the key is refused, another
   * process holds the queue, or the deadline passes (the CLI's `sync`). Resolves with the final status.
   */
  async settle(timeoutMs: number): Promise<SyncStatus> {
    const deadline = this.now() + timeoutMs;
    const wasRunning = this.running;
    this.start();
    let settled: SyncStatus | undefined;
    try {
      settled = await new Promise<SyncStatus>((resolve) => {
        const check = (status: SyncStatus) => {
          const open = status.counts.pending + status.counts.sending + status.counts.in_doubt;
          const done = status.phase === 'idle' && open === 0 && !this.queue.due(this.inDoubtGraceMs).ready;
          if (done || status.phase === 'paused-auth' || status.phase === 'elsewhere' || this.now() >= deadline) {
            clearTimeout(timer);
            unsubscribe();
            resolve(status);
          }
        };
        const unsubscribe = this.onStatus(check);
        const timer = setTimeout(() => check(this.status), Math.max(0, deadline - this.now()));
        check(this.status);
      });
    } finally {
      if (!wasRunning) await this.stop();
    }
    // The counts as they are now (a send in flight at the deadline has finished), the phase as it was.
    return { ...settled, counts: this.queue.counts() };
  }

  private async loop(): Promise<void> {
    while (this.running) {
      if (this.waitUntil !== null && this.waitUntil > this.now()) {
        await this.sleep(this.waitUntil - this.now());
        continue;
      }
      this.waitUntil = null;
      const due = this.queue.due(this.inDoubtGraceMs);
      if (!due.ready) {
        this.update({ phase: 'idle', nextAttemptAt: due.nextAt });
        // A hold ending or a grace running out is the next thing to do; a poke comes sooner.
        await this.sleep(due.nextAt === null ? Infinity : Math.max(0, due.nextAt - this.now()) + 10);
        continue;
      }
      try {
        await this.pass();
      } catch (error) {
        // Not a network or API condition (say, the disk is full): report it and try again later,
        // rather than let the loop die and the queue stop draining without a word. A row this pass
        // left "sending" may have reached Spirii: it is looked up before anything is sent again.
        try {
          if (this.lease.acquire() !== 'busy') this.queue.recoverInterrupted();
        } catch {
          // The database itself is failing; the next pass tries again.
        }
        this.failures++;
        this.waitUntil = this.now() + backoffDelay(this.failures, this.backoff, this.random);
        const text = error instanceof Error ? error.message : String(error);
        this.update({
          phase: 'backoff',
          nextAttemptAt: this.waitUntil,
          lastError: `Sync failed unexpectedly: ${text}`,
          lastErrorDetail: { key: 'unexpected', params: { error: text } },
        });
      }
    }
  }

  /** Wait for `ms`, or until woken. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async pass(): Promise<void> {
    this.update({ phase: 'syncing', nextAttemptAt: null });
    try {
      this.holdLease();
      this.queue.releaseDue();
      await this.reconcile();
      await this.checkNew();
      for (;;) {
        await this.paceWrites();
        if (!this.running) return;
        this.holdLease();
        const batch = this.queue.claimPending(this.batchSize(), randomUUID());
        if (batch.length === 0) break;
        await this.send(batch, true);
        if (!this.running) return;
      }
      this.failures = 0;
      this.update({ phase: 'idle', online: true, lastError: null, lastErrorDetail: null, nextAttemptAt: this.queue.due(this.inDoubtGraceMs).nextAt });
    } catch (error) {
      if (!(error instanceof Wait)) throw error;
      if (error.phase !== 'rate-limited' && error.phase !== 'elsewhere') this.failures++;
      this.waitUntil = this.now() + error.delayMs;
      this.update({
        phase: error.phase,
        online: error.phase === 'offline' ? false : error.phase === 'elsewhere' ? this.current.online : true,
        nextAttemptAt: this.waitUntil,
        lastError: error.message,
        lastErrorDetail: error.detail,
      });
    }
  }

  /** Only the lease holder sends; a new holder first turns rows a dead sender left "sending" into "in doubt". */
  private holdLease(): void {
    const result = this.lease.acquire();
    if (result === 'busy') {
      const other = this.lease.heldElsewhere();
      throw new Wait(
        'elsewhere',
        5_000,
        `Another Token Station${other ? ` (process ${other.pid})` : ''} is sending this queue; waiting for it to finish`,
        { key: 'elsewhere', params: { pid: other?.pid ?? null } },
      );
    }
    if (result === 'acquired') this.queue.recoverInterrupted();
  }

  /** Look up every token whose last attempt had an unknown outcome before anything is sent again. */
  private async reconcile(): Promise<void> {
    for (;;) {
      const tokens = this.queue.inDoubt(LOOKUP_CHUNK, this.inDoubtGraceMs);
      if (tokens.length === 0) return;
      let found;
      try {
        found = await this.client.lookupUids(
          tokens.map((t) => t.uid),
          () => this.paceReads(),
        );
      } catch (error) {
        // The tokens stay in doubt: never re-sent blindly.
        throw this.waitFor(error);
      }
      this.failures = 0;
      this.settleLookups(tokens, found, 'in_doubt');
    }
  }

  /** The outcome of looking tokens up: ours -> synced; someone else's -> conflict; absent -> pending (checked). */
  private settleLookups(tokens: readonly QueuedToken[], found: Map<string, SpiriiToken[]>, from: 'in_doubt' | 'sending'): void {
    const synced: { id: number; spiriiId: number }[] = [];
    const conflicts: ConflictEntry[] = [];
    const absent: number[] = [];
    for (const token of tokens) {
      const remote = found.get(token.uid) ?? [];
      const own = ownToken(token, remote);
      if (own) synced.push({ id: token.id, spiriiId: own.id });
      else if (remote.length > 0) {
        const place = placeOf(remote[0]!);
        conflicts.push({ id: token.id, place, message: conflictMessage(place, 'after-doubt'), detail: conflictDetail(place, 'after-doubt') });
      } else absent.push(token.id);
    }
    this.queue.markSynced(synced);
    this.queue.markConflict(conflicts, [from]);
    this.queue.returnToPending(absent, null);
    if (synced.length > 0) this.current.lastSyncedAt = new Date(this.now()).toISOString();
  }

  /** The pre-send duplicate check: no token is sent before Spirii has been asked whether it already has the UID. */
  private async checkNew(): Promise<void> {
    for (;;) {
      let checked;
      try {
        checked = await checkNewTokens(this.queue, this.client, LOOKUP_CHUNK, () => this.paceReads());
      } catch (error) {
        throw this.waitFor(error);
      }
      if (checked === 0) return;
      this.failures = 0;
    }
  }

  /** Respect X-RateLimit-Remaining / X-RateLimit-Reset so that Spirii never has to answer 429. */
  private paceWrites(): Promise<void> {
    return this.pace('write');
  }

  private paceReads(): Promise<void> {
    return this.pace('read');
  }

  private async pace(bucket: 'read' | 'write'): Promise<void> {
    const state = this.client.rateLimit[bucket];
    if (!state || state.remaining > 0) return;
    const waitMs = state.resetAt - this.now();
    if (waitMs <= 0) return;
    this.update({ phase: 'rate-limited', nextAttemptAt: state.resetAt });
    await this.sleep(waitMs);
    if (!this.running) throw new Wait('rate-limited', 0, 'Stopped', { key: 'slow-down', params: { status: 429 } });
    this.update({ phase: 'syncing', nextAttemptAt: null });
  }

  /** POST one list. `claimed`: the rows' attempt was written when they were claimed; otherwise a new one is written first. */
  private async send(batch: QueuedToken[], claimed: boolean): Promise<void> {
    const ids = batch.map((t) => t.id);
    if (!claimed) {
      this.holdLease();
      this.queue.beginAttempt(ids, randomUUID());
    }
    let created;
    try {
      created = await this.client.createTokens(batch.map(toTokenCreate));
    } catch (error) {
      if (error instanceof ApiError && ITEM_ERRORS.has(error.status)) return this.isolate(batch, error);
      if (error instanceof ApiError && error.status === 409) return this.resolveConflict(batch, error);
      const wait = this.waitFor(error);
      const certainlyNotCreated =
        (error instanceof ApiError && [401, 403, 429].includes(error.status)) || (error instanceof NetworkError && !error.mayHaveReached);
      if (certainlyNotCreated) this.queue.returnToPending(ids, wait.message, { key: 'not-sent', params: { cause: wait.detail } });
      else this.queue.markInDoubt(ids, `${wait.message}: will check Spirii before sending again`, { key: 'in-doubt', params: { cause: wait.detail } });
      throw wait;
    }
    this.failures = 0;
    // Match the answer to the rows by UID, never by position.
    const byUid = new Map(created.map((token) => [token.identifier.uid?.toUpperCase(), token.id]));
    const synced = batch.filter((t) => byUid.has(t.uid)).map((t) => ({ id: t.id, spiriiId: byUid.get(t.uid)! }));
    this.queue.markSynced(synced);
    const missing = batch.filter((t) => !byUid.has(t.uid)).map((t) => t.id);
    if (missing.length > 0) {
      this.queue.markInDoubt(missing, "Spirii's answer did not list this card: will check before sending again", { key: 'not-in-answer', params: {} });
    }
    this.current.lastSyncedAt = new Date(this.now()).toISOString();
  }

  /** One bad item makes Spirii refuse the whole list: split it until the bad one stands alone. */
  private async isolate(batch: QueuedToken[], error: ApiError): Promise<void> {
    if (batch.length === 1) {
      this.queue.markRejected([batch[0]!.id], `Spirii refused this token: ${error.message}`, { key: 'refused', params: { spirii: error.message } });
      return;
    }
    const half = Math.ceil(batch.length / 2);
    const [first, second] = [batch.slice(0, half), batch.slice(half)];
    try {
      await this.send(first, false);
    } catch (error) {
      // The refused list created nothing: the half not yet tried is certainly still to send.
      this.queue.returnToPending(
        second.map((t) => t.id),
        null,
      );
      throw error;
    }
    await this.send(second, false);
  }

  /**
   * 409: Spirii already has a UID of this list, and refused the whole list. Look them all up: a
   * token that is this row's (same customer and label) is adopted, one that is someone else's is a
   * conflict, and the rest go back to be sent again.
   */
  private async resolveConflict(batch: QueuedToken[], error: ApiError): Promise<void> {
    let found;
    try {
      found = await this.client.lookupUids(
        batch.map((t) => t.uid),
        () => this.paceReads(),
      );
    } catch (lookupError) {
      // The list was refused, so nothing of it was created: send again (and look up again) later.
      this.queue.returnToPending(
        batch.map((t) => t.id),
        `Spirii says a card of this list exists; the lookup failed and will be retried (${error.message})`,
        { key: 'lookup-failed', params: { spirii: error.message } },
      );
      throw this.waitFor(lookupError);
    }
    const anyFound = batch.some((t) => (found.get(t.uid)?.length ?? 0) > 0);
    if (!anyFound) {
      // Spirii lists none of them, yet refuses one (a deleted token burns its UID for good).
      if (batch.length > 1) return this.isolate(batch, error);
      this.queue.markRejected(
        [batch[0]!.id],
        `Spirii refuses this UID as a duplicate but lists no such token (a deleted token burns its UID): ${error.message}`,
        { key: 'refused-burnt-uid', params: { spirii: error.message } },
      );
      return;
    }
    this.settleLookups(batch, found, 'sending');
  }

  private waitFor(error: unknown): Wait {
    if (error instanceof Wait) return error;
    if (error instanceof ApiError) {
      if (error.status === 401 || error.status === 403) {
        return new Wait('paused-auth', this.authProbeMs, `Spirii refused the API key (${error.status}): enter a valid key. ${error.message}`, {
          key: 'key-refused',
          params: { status: error.status, spirii: error.message },
        });
      }
      if (error.status === 429) {
        return new Wait('rate-limited', error.retryAfterMs ?? backoffDelay(this.failures, this.backoff, this.random), 'Spirii asked to slow down (429)', {
          key: 'slow-down',
          params: { status: 429 },
        });
      }
      return new Wait('backoff', backoffDelay(this.failures, this.backoff, this.random), `Spirii answered ${error.status}: ${error.message}`, {
        key: 'spirii-answered',
        params: { status: error.status, spirii: error.message },
      });
    }
    if (error instanceof NetworkError) {
      return new Wait(
        error.mayHaveReached ? 'backoff' : 'offline',
        backoffDelay(this.failures, this.backoff, this.random),
        error.message,
        error.detail ?? { key: 'unexpected', params: { error: error.message } },
      );
    }
    const text = error instanceof Error ? error.message : String(error);
    return new Wait('backoff', backoffDelay(this.failures, this.backoff, this.random), text, { key: 'unexpected', params: { error: text } });
  }

  private update(patch: Partial<Omit<SyncStatus, 'counts'>>): void {
    this.current = { ...this.current, ...patch };
    this.listeners.emit(this.status);
  }
}
