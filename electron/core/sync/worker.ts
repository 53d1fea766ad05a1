/**
 * The sync worker: sends pending tokens to Spirii in batches and settles every row as synced,
 * rejected or in doubt. The API has no idempotency key, so a request whose outcome is unknown is
 * never simply repeated: its tokens are looked up by UID first (in-doubt.ts).
 *
 * One pass, in order, each step's state on disk before its request goes out:
 *   lease (one sender per data folder; a fresh holder turns rows left "sending" into "in doubt")
 *   -> release held tokens whose hold is over
 *   -> look up tokens in doubt once Spirii can no longer commit their request (the in-doubt bound:
 *      the client's timeout plus SERVER_MARGIN_MS, from the attempt's time on disk):
 *      ours -> synced; someone else's -> conflict; held twice -> conflict; absent -> pending (unchecked)
 *   -> check new (and re-sent) tokens against Spirii (pre-send-check.ts): already there -> rejected with
 *      where (or adopted, for a re-send); else cleared to send
 *   -> send cleared pending tokens in lists, paced by the rate-limit headers
 *   -> look the UIDs just synced up again, and once more after the bound: a UID Spirii holds twice
 *      (another desk created it at the same moment) is a conflict, never "synced".
 *
 * The lease is renewed on a timer for as long as a pass runs, whatever it waits for; every state
 * change after an answer names the state and attempt the row must still be in, so a process that
 * lost the lease (or whose answer comes after another took over) changes nothing.
 *
 * This file runs the loop and the pass and owns the status; the steps are their own files, given
 * the worker's pacing, lease and waits (pass-context.ts): in-doubt.ts (lookups by UID), checks.ts
 * (before sending), creation.ts (the POSTs), changes.ts; the waits are wait.ts, the lease lease.ts.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { TokenQueue } from '../queue';
import type { SyncApi } from './api-port';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { Listeners } from '../events';
import { PassLease, SyncLease } from './lease';
import type { CustomerDirectory } from '../customers';
import type { ChangeSender } from './changes';
import type { SyncStatus } from './status';
import { boundedWait, Sleeper, Wait, waitFor } from './wait';
import { noteAnswers } from './reached';
import type { ReadPurpose, SyncPassContext } from './pass-context';
import { reconcile, verify } from './in-doubt';
import { checkCustomers, checkNew } from './checks';
import { send } from './creation';

// The status is part of the worker's API (status, onStatus): its readers import it from here.
export type { SyncPhase, SyncStatus } from './status';

export interface SyncWorkerOptions {
  /** Tokens per POST; a function is asked before every batch (the desk's setting can change). */
  batchSize?: number | (() => number);
  backoff?: BackoffPolicy;
  /** How long to wait before probing again with a refused key (at most one request per period). */
  authProbeMs?: number;
  /**
   * How long Spirii may still commit a request after the client gave up on it (default
   * SERVER_MARGIN_MS). A token in doubt is looked up as absent only after the client's timeout
   * plus this, counted from its attempt's time on disk.
   */
  serverMarginMs?: number;
  /** The sync lease's lifetime; renewed on a timer while a pass runs (default 60 s). */
  leaseTtlMs?: number;
  random?: () => number;
  /** The wall clock (epoch ms): times on disk, the lease, the status's nextAttemptAt. */
  now?: () => number;
  /** A monotonic clock (ms) for waits, which a wall-clock jump must not stretch or cut (default performance.now). */
  monotonic?: () => number;
  /**
   * The customer numbers typed while Spirii could not be asked, and how to ask it (customers.ts
   * CustomerDirectory): their tokens are checked before any is sent.
   */
  customers?: Pick<CustomerDirectory, 'unverified' | 'resolve'>;
  /** Queued changes to tokens in Spirii (sync/changes.ts): sent in each pass after the new tokens. */
  changes?: ChangeSender;
}

/**
 * The server-side margin: Spirii is taken to finish or abandon any request within 60 s after the
 * client's timeout (the README's Sync section states it). With the default 20 s client timeout, a
 * token in doubt waits 80 s after its attempt before a lookup may call it absent.
 */
export const SERVER_MARGIN_MS = 60_000;
export class SyncWorker {
  private readonly batchSize: () => number;
  private readonly backoff: BackoffPolicy;
  private readonly authProbeMs: number;
  private readonly serverMarginMs: number;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly monotonic: () => number;
  private readonly lease: PassLease;
  private readonly customers: SyncWorkerOptions['customers'];
  private readonly changes: ChangeSender | undefined;
  /** Read requests by purpose, for the benchmark: lookups after doubt, pre-send checks, checks for second copies. */
  readonly readCounts: Record<ReadPurpose, number> = { doubt: 0, presend: 0, verify: 0, changes: 0 };
  private readonly listeners = new Listeners<SyncStatus>();
  private readonly sleeper = new Sleeper();
  private failures = 0;
  private running = false;
  /** The end of a wait after a failure, on the monotonic clock; pokes do not cut it short, retryNow does. */
  private waitUntil: number | null = null;
  private loopDone: Promise<void> = Promise.resolve();
  private current: Omit<SyncStatus, 'counts'> = {
    phase: 'idle',
    online: null,
    nextAttemptAt: null,
    lastError: null,
    lastErrorDetail: null,
    lastSyncedAt: null,
    lastReachedAt: null,
  };
  /** The API, each answer (or error that is an answer) noted in lastReachedAt. */
  private readonly client: SyncApi;
  /** What the pass's steps (in-doubt.ts, checks.ts, creation.ts) are given of this worker. */
  private readonly steps: SyncPassContext;

  constructor(
    private readonly queue: TokenQueue,
    client: SyncApi,
    options: SyncWorkerOptions = {},
  ) {
    this.client = noteAnswers(client, () => this.reached());
    const batchSize = options.batchSize ?? 100;
    this.batchSize = typeof batchSize === 'function' ? batchSize : () => batchSize;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.authProbeMs = options.authProbeMs ?? 60_000;
    this.serverMarginMs = options.serverMarginMs ?? SERVER_MARGIN_MS;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.monotonic = options.monotonic ?? (() => performance.now());
    const leaseTtlMs = options.leaseTtlMs ?? 60_000;
    this.customers = options.customers;
    this.changes = options.changes;
    this.lease = new PassLease(new SyncLease(queue.db, leaseTtlMs, this.now), leaseTtlMs, () => this.recoverInterrupted());
    this.steps = this.stepContext();
  }

  /** How long after an attempt Spirii may still commit it: the client's timeout plus the server-side margin. */
  get inDoubtBoundMs(): number {
    return this.client.timeoutMs + this.serverMarginMs;
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
    this.sleeper.resume();
    // A loop a stop() has not seen out yet ends first: one loop at a time.
    this.loopDone = this.loopDone.then(() => this.loop());
  }

  async stop(): Promise<void> {
    this.running = false;
    this.sleeper.halt();
    await this.loopDone;
    this.lease.release();
    this.update({ phase: 'stopped', nextAttemptAt: null });
  }

  /** New work: start now unless a wait (backoff, rate limit, refused key) is running. */
  poke(): void {
    this.sleeper.wake();
  }

  /** "Sync now" (and the desk's retry): drop any wait and try at once, including one probe with a refused key. */
  retryNow(): void {
    this.waitUntil = null;
    this.current.nextAttemptAt = null;
    this.failures = 0;
    this.sleeper.wake();
  }

  /**
   * Run until nothing is left to do now (held tokens may wait on), the key is refused, another
   * process holds the queue, or the deadline passes (the CLI's `sync`). Resolves with the final status.
   */
  async settle(timeoutMs: number): Promise<SyncStatus> {
    const wasRunning = this.running;
    this.start();
    let settled: SyncStatus | undefined;
    try {
      settled = await new Promise<SyncStatus>((resolve) => {
        // The deadline is the timer, not a wall-clock time: a clock set back (or a timer firing a
        // millisecond before Date.now() says so) must not leave settle waiting for the next status.
        let late = false;
        const check = (status: SyncStatus) => {
          const changes = this.changes ? this.changes.openCounts() : 0;
          const open = status.counts.pending + status.counts.sending + status.counts.in_doubt + changes;
          const done = status.phase === 'idle' && open === 0 && !this.due().ready;
          if (done || status.phase === 'paused-auth' || status.phase === 'elsewhere' || late) {
            clearTimeout(timer);
            unsubscribe();
            resolve(status);
          }
        };
        const unsubscribe = this.onStatus(check);
        const timer = setTimeout(() => {
          late = true;
          check(this.status);
        }, Math.max(0, timeoutMs));
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
      if (this.waitUntil !== null && this.waitUntil > this.monotonic()) {
        await this.sleeper.sleep(this.waitUntil - this.monotonic());
        continue;
      }
      this.waitUntil = null;
      let due;
      try {
        this.queue.clampFutureTimes();
        due = this.due();
      } catch {
        // The database is failing (say, the disk is full): try again after a while.
        await this.sleeper.sleep(1_000);
        continue;
      }
      if (!due.ready) {
        const delay = due.nextAt === null ? Infinity : boundedWait(due.nextAt - this.now()) + 10;
        this.update({ phase: 'idle', nextAttemptAt: due.nextAt === null ? null : this.now() + delay });
        // A hold ending or a bound running out is the next thing to do; a poke comes sooner.
        await this.sleeper.sleep(delay);
        continue;
      }
      try {
        await this.pass();
      } catch (error) {
        // Not a network or API condition (say, the disk is full): report it and try again later,
        // rather than let the loop die and the queue stop draining without a word. A row this pass
        // left "sending" may have reached Spirii: it is looked up before anything is sent again.
        try {
          this.lease.recoverUnlessBusy();
        } catch {
          // The database itself is failing; the next pass tries again.
        }
        this.failures++;
        const delay = boundedWait(backoffDelay(this.failures, this.backoff, this.random));
        this.waitUntil = this.monotonic() + delay;
        const text = error instanceof Error ? error.message : String(error);
        this.update({
          phase: 'backoff',
          nextAttemptAt: this.now() + delay,
          lastError: `Sync failed unexpectedly: ${text}`,
          lastErrorDetail: { key: 'unexpected', params: { error: text } },
        });
      }
    }
  }

  private async pass(): Promise<void> {
    this.update({ phase: 'syncing', nextAttemptAt: null });
    const steps = this.steps;
    try {
      this.lease.begin();
      this.queue.releaseDue();
      await reconcile(steps);
      await checkCustomers(steps, this.customers);
      await checkNew(steps);
      let sent = false;
      for (;;) {
        await this.paceWrites();
        if (!this.running) return;
        this.lease.hold();
        const batch = this.queue.claimPending(this.batchSize(), randomUUID());
        if (batch.length === 0) break;
        sent = true;
        await send(steps, batch, true);
        if (!this.running) return;
      }
      if (this.changes) await this.changes.run({ ...steps, paceReads: () => this.paceReads('changes') });
      await verify(steps, sent);
      this.failures = 0;
      const next = this.due().nextAt;
      this.update({
        phase: 'idle',
        online: true,
        lastError: null,
        lastErrorDetail: null,
        nextAttemptAt: next === null ? null : this.now() + boundedWait(next - this.now()),
      });
    } catch (error) {
      if (!(error instanceof Wait)) throw error;
      if (error.phase !== 'rate-limited' && error.phase !== 'elsewhere') this.failures++;
      this.waitUntil = this.monotonic() + error.delayMs;
      this.update({
        phase: error.phase,
        online: error.phase === 'offline' ? false : error.phase === 'elsewhere' ? this.current.online : true,
        nextAttemptAt: this.now() + error.delayMs,
        lastError: error.message,
        lastErrorDetail: error.detail,
      });
    } finally {
      this.lease.end();
    }
  }

  /** Rows a dead sender left "sending", tokens and changes alike, become "in doubt". */
  private recoverInterrupted(): void {
    this.queue.recoverInterrupted();
    this.changes?.recoverInterrupted();
  }

  /** What the queue and the changes have to do now, and when something next becomes due. */
  private due(): { ready: boolean; nextAt: number | null } {
    const tokens = this.queue.due(this.inDoubtBoundMs);
    if (!this.changes) return tokens;
    const changes = this.changes.due(this.inDoubtBoundMs);
    const next = [tokens.nextAt, changes.nextAt].filter((t): t is number => t !== null);
    return { ready: tokens.ready || changes.ready, nextAt: next.length ? Math.min(...next) : null };
  }

  /** The worker's queue, API, clock, pacing, lease and waits, as the steps of a pass use them. */
  private stepContext(): SyncPassContext {
    const bound = () => this.inDoubtBoundMs;
    return {
      queue: this.queue,
      api: this.client,
      now: () => this.now(),
      get inDoubtBoundMs() {
        return bound();
      },
      paceReads: (purpose) => this.paceReads(purpose),
      paceWrites: () => this.paceWrites(),
      holdLease: () => this.lease.hold(),
      requireLease: () => this.lease.require(),
      waitFor: (error) => this.waitFor(error),
      running: () => this.running,
      answered: () => (this.failures = 0),
      synced: () => (this.current.lastSyncedAt = new Date(this.now()).toISOString()),
      reached: () => this.reached(),
    };
  }

  /** Spirii answered (whatever it said): noted as the status's last reached time. */
  private reached(): void {
    this.current.lastReachedAt = this.now();
  }

  /** Respect X-RateLimit-Remaining / X-RateLimit-Reset so that Spirii never has to answer 429. */
  private paceWrites(): Promise<void> {
    return this.pace('write');
  }

  private paceReads(purpose?: ReadPurpose): Promise<void> {
    if (purpose) this.readCounts[purpose]++;
    return this.pace('read');
  }

  private async pace(bucket: 'read' | 'write'): Promise<void> {
    this.lease.require();
    const state = this.client.rateLimit[bucket];
    if (!state || state.remaining > 0) return;
    // The reset is Spirii's clock against ours: bounded, so a skewed or jumping clock cannot stall the sync.
    const waitMs = boundedWait(state.resetAt - this.now());
    if (waitMs <= 0) return;
    this.update({ phase: 'rate-limited', nextAttemptAt: this.now() + waitMs });
    await this.sleeper.sleep(waitMs);
    this.lease.require();
    if (!this.running) throw new Wait('rate-limited', 0, 'Stopped', { key: 'slow-down', params: { status: 429 } });
    this.update({ phase: 'syncing', nextAttemptAt: null });
  }

  private waitFor(error: unknown): Wait {
    return waitFor(error, { authProbeMs: this.authProbeMs, backoffMs: () => backoffDelay(this.failures, this.backoff, this.random) });
  }

  private update(patch: Partial<Omit<SyncStatus, 'counts'>>): void {
    this.current = { ...this.current, ...patch };
    this.listeners.emit(this.status);
  }
}
