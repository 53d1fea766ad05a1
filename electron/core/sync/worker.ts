/**
 * The sync worker: sends pending tokens to Spirii in batches and settles every row as synced,
 * rejected or in doubt. The API has no idempotency key, so a request whose outcome is unknown is
 * never simply repeated: its tokens are looked up by UID first (see reconcile()).
 */
import { randomUUID } from 'node:crypto';
import type { QueueCounts, QueuedToken, TokenQueue } from '../queue';
import { toTokenCreate } from '../queue';
import type { SpiriiClient } from '../api/client';
import { ApiError, NetworkError } from '../api/errors';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { Listeners } from '../events';

export type SyncPhase = 'idle' | 'syncing' | 'offline' | 'backoff' | 'rate-limited' | 'paused-auth' | 'stopped';

export interface SyncStatus {
  phase: SyncPhase;
  /** true after the last request got an answer, false after it got none, null before any. */
  online: boolean | null;
  /** Epoch ms of the next attempt while waiting, else null. */
  nextAttemptAt: number | null;
  lastError: string | null;
  lastSyncedAt: string | null;
  counts: QueueCounts;
}

export interface SyncWorkerOptions {
  batchSize?: number;
  backoff?: BackoffPolicy;
  /** How long to wait before probing again with a refused key. */
  authProbeMs?: number;
  random?: () => number;
  now?: () => number;
}

/** Why a pass stopped early, and how long to wait. */
class Wait {
  constructor(
    readonly phase: Exclude<SyncPhase, 'idle' | 'syncing' | 'stopped'>,
    readonly delayMs: number,
    readonly message: string,
  ) {}
}

/** Errors that mean this item is wrong (the whole request was refused because of it). */
const ITEM_ERRORS = new Set([400, 404, 422]);

export class SyncWorker {
  private readonly batchSize: number;
  private readonly backoff: BackoffPolicy;
  private readonly authProbeMs: number;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly listeners = new Listeners<SyncStatus>();
  private failures = 0;
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private wake: () => void = () => {};
  private current: Omit<SyncStatus, 'counts'> = { phase: 'idle', online: null, nextAttemptAt: null, lastError: null, lastSyncedAt: null };

  constructor(
    private readonly queue: TokenQueue,
    private readonly client: SpiriiClient,
    options: SyncWorkerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 100;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.authProbeMs = options.authProbeMs ?? 60_000;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  get status(): SyncStatus {
    return { ...this.current, counts: this.queue.counts() };
  }

  onStatus(listener: (status: SyncStatus) => void): () => void {
    return this.listeners.add(listener);
  }

  /** Start the background loop. Tokens left "sending" by a crash become "in doubt" first. */
  start(): void {
    if (this.running) return;
    this.queue.recoverInterrupted();
    this.running = true;
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loopDone;
    this.update({ phase: 'stopped', nextAttemptAt: null });
  }

  /** New work: start now unless a wait (backoff, rate limit, refused key) is running. */
  poke(): void {
    this.wake();
  }

  /** "Sync now": drop any wait and try at once. */
  retryNow(): void {
    this.current.nextAttemptAt = null;
    this.failures = 0;
    this.wake();
  }

  /**
   * Run until nothing is left to send, the key is refused, or the deadline passes (the CLI's
   * `sync`). Resolves with the final status.
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
          const idle = status.phase !== 'syncing';
          if ((open === 0 && idle) || status.phase === 'paused-auth' || this.now() >= deadline) {
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
      const waitUntil = this.current.nextAttemptAt;
      if (waitUntil !== null && waitUntil > this.now()) {
        await this.sleep(waitUntil - this.now());
        continue;
      }
      const counts = this.queue.counts();
      if (counts.pending + counts.in_doubt === 0) {
        this.update({ phase: 'idle', nextAttemptAt: null });
        await this.sleep(Infinity);
        continue;
      }
      try {
        await this.pass();
      } catch (error) {
        // Not a network or API condition (say, the disk is full): report it and try again later,
        // rather than let the loop die and the queue stop draining without a word.
        this.failures++;
        this.update({
          phase: 'backoff',
          nextAttemptAt: this.now() + backoffDelay(this.failures, this.backoff, this.random),
          lastError: `Sync failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`,
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
      await this.reconcile();
      for (;;) {
        await this.paceWrites();
        const batch = this.queue.claimPending(this.batchSize, randomUUID());
        if (batch.length === 0) break;
        await this.send(batch);
        if (!this.running) return;
      }
      this.failures = 0;
      this.update({ phase: 'idle', online: true, lastError: null });
    } catch (error) {
      if (!(error instanceof Wait)) throw error;
      if (error.phase !== 'rate-limited') this.failures++;
      this.update({
        phase: error.phase,
        online: error.phase === 'offline' ? false : true,
        nextAttemptAt: this.now() + error.delayMs,
        lastError: error.message,
      });
    }
  }

  /** Look up every token whose last attempt had an unknown outcome before anything is sent again. */
  private async reconcile(): Promise<void> {
    for (const token of this.queue.inDoubt(this.batchSize)) {
      let found;
      try {
        found = await this.client.findTokenByUid(token.uid);
      } catch (error) {
        // The token stays in doubt: never re-sent blindly.
        throw this.waitFor(error);
      }
      if (found) this.queue.markSynced([{ id: token.id, spiriiId: found.id }]);
      else this.queue.returnToPending([token.id], null);
    }
  }

  /** Respect X-RateLimit-Remaining / X-RateLimit-Reset so that Spirii never has to answer 429. */
  private async paceWrites(): Promise<void> {
    const write = this.client.rateLimit.write;
    if (!write || write.remaining > 0) return;
    const waitMs = write.resetAt - this.now();
    if (waitMs <= 0) return;
    this.update({ phase: 'rate-limited', nextAttemptAt: write.resetAt });
    await this.sleep(waitMs);
    if (!this.running) throw new Wait('rate-limited', 0, 'Stopped');
    this.update({ phase: 'syncing', nextAttemptAt: null });
  }

  private async send(batch: QueuedToken[]): Promise<void> {
    const ids = batch.map((t) => t.id);
    let created;
    try {
      created = await this.client.createTokens(batch.map(toTokenCreate));
    } catch (error) {
      if (error instanceof ApiError && ITEM_ERRORS.has(error.status)) return this.isolate(batch, error);
      if (error instanceof ApiError && error.status === 409) return this.resolveConflict(batch, error);
      const wait = this.waitFor(error);
      const certainlyNotCreated =
        (error instanceof ApiError && [401, 403, 429].includes(error.status)) || (error instanceof NetworkError && !error.mayHaveReached);
      if (certainlyNotCreated) this.queue.returnToPending(ids, wait.message);
      else this.queue.markInDoubt(ids, `${wait.message}: will check Spirii before sending again`);
      throw wait;
    }
    // Match the answer to the rows by UID, never by position.
    const byUid = new Map(created.map((token) => [token.identifier.uid?.toUpperCase(), token.id]));
    const synced = batch.filter((t) => byUid.has(t.uid)).map((t) => ({ id: t.id, spiriiId: byUid.get(t.uid)! }));
    this.queue.markSynced(synced);
    const missing = batch.filter((t) => !byUid.has(t.uid)).map((t) => t.id);
    if (missing.length > 0) this.queue.markInDoubt(missing, "Spirii's answer did not list this card: will check before sending again");
    this.current.lastSyncedAt = new Date(this.now()).toISOString();
  }

  /** One bad item makes Spirii refuse the whole list: split it until the bad one stands alone. */
  private async isolate(batch: QueuedToken[], error: ApiError): Promise<void> {
    if (batch.length === 1) {
      this.queue.markRejected([batch[0]!.id], `Spirii refused this token: ${error.message}`);
      return;
    }
    const half = Math.ceil(batch.length / 2);
    const [first, second] = [batch.slice(0, half), batch.slice(half)];
    try {
      await this.send(first);
    } catch (error) {
      // The refused list created nothing: the half not yet tried is certainly still to send.
      this.queue.returnToPending(second.map((t) => t.id), null);
      throw error;
    }
    await this.send(second);
  }

  /** 409: Spirii has this UID already. Find out whether it is ours before deciding anything. */
  private async resolveConflict(batch: QueuedToken[], error: ApiError): Promise<void> {
    if (batch.length > 1) return this.isolate(batch, error);
    const token = batch[0]!;
    let found;
    try {
      found = await this.client.findTokenByUid(token.uid);
    } catch (lookupError) {
      this.queue.markInDoubt([token.id], 'Spirii says this card exists; the lookup failed and will be retried');
      throw this.waitFor(lookupError);
    }
    if (found) this.queue.markSynced([{ id: token.id, spiriiId: found.id }]);
    else this.queue.markRejected([token.id], `Spirii refuses this UID as a duplicate but lists no such token (a deleted token burns its UID): ${error.message}`);
  }

  private waitFor(error: unknown): Wait {
    if (error instanceof ApiError) {
      if (error.status === 401 || error.status === 403) {
        return new Wait('paused-auth', this.authProbeMs, `Spirii refused the API key (${error.status}): enter a valid key. ${error.message}`);
      }
      if (error.status === 429) {
        return new Wait('rate-limited', error.retryAfterMs ?? backoffDelay(this.failures, this.backoff, this.random), 'Spirii asked to slow down (429)');
      }
      return new Wait('backoff', backoffDelay(this.failures, this.backoff, this.random), `Spirii answered ${error.status}: ${error.message}`);
    }
    if (error instanceof NetworkError) {
      return new Wait(error.mayHaveReached ? 'backoff' : 'offline', backoffDelay(this.failures, this.backoff, this.random), error.message);
    }
    return new Wait('backoff', backoffDelay(this.failures, this.backoff, this.random), error instanceof Error ? error.message : String(error));
  }

  private update(patch: Partial<Omit<SyncStatus, 'counts'>>): void {
    this.current = { ...this.current, ...patch };
    this.listeners.emit(this.status);
  }
}
