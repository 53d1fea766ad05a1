/**
 * The sync worker: sends pending tokens to Spirii in batches and settles every row as synced,
 * rejected or in doubt. The API has no idempotency key, so a request whose outcome is unknown is
 * never simply repeated: its tokens are looked up by UID first (see reconcile()).
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
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { ConflictEntry, QueueCounts, QueuedToken, TokenQueue } from '../queue';
import { toTokenCreate } from '../queue';
import type { SyncApi } from './api-port';
import type { SpiriiToken } from '../token';
import { AnswerError, ApiError, NetworkError } from '../api/errors';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { Listeners } from '../events';
import { checkNewTokens, conflictDetail, conflictMessage, inSpiriiTwice, ownToken, placeOf } from '../pre-send-check';
import { SyncLease } from './lease';
import type { RequestProblem } from '../problem-detail';
import type { CustomerDirectory } from '../customers';
import type { ChangeSender, ChangeStepContext } from './changes';

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
/** No wait (backoff, Retry-After, rate-limit window, next due work) is longer than an hour. */
export const MAX_WAIT_MS = 3_600_000;
/** The largest delay a Node timer takes (2^31 - 1 ms); anything above fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function boundedWait(ms: number): number {
  return Number.isFinite(ms) ? Math.min(MAX_WAIT_MS, Math.max(0, ms)) : MAX_WAIT_MS;
}

/** Why a pass stopped early, and how long to wait. */
class Wait {
  constructor(
    readonly phase: Exclude<SyncPhase, 'idle' | 'syncing' | 'stopped'>,
    delayMs: number,
    readonly message: string,
    readonly detail: RequestProblem,
  ) {
    this.delayMs = boundedWait(delayMs);
  }

  readonly delayMs: number;
}

/** Errors that mean this item is wrong (the whole request was refused because of it). */
const ITEM_ERRORS = new Set([400, 404, 422]);
/** UIDs per lookup round (the client picks per-UID searches or one listing of Spirii's RFID tokens). */
const LOOKUP_CHUNK = 1000;
/** UIDs per verification round: one read of Spirii's list answers them all, so take many. */
const VERIFY_CHUNK = 10_000;

export class SyncWorker {
  private readonly batchSize: () => number;
  private readonly backoff: BackoffPolicy;
  private readonly authProbeMs: number;
  private readonly serverMarginMs: number;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly monotonic: () => number;
  private readonly lease: SyncLease;
  private readonly leaseTtlMs: number;
  private readonly customers: SyncWorkerOptions['customers'];
  private readonly changes: ChangeSender | undefined;
  /** Read requests by purpose, for the benchmark: lookups after doubt, pre-send checks, checks for second copies. */
  readonly readCounts = { doubt: 0, presend: 0, verify: 0, changes: 0 };
  /** Set when a renewal found the lease taken: the pass stops at its next step. */
  private leaseLost = false;
  private readonly listeners = new Listeners<SyncStatus>();
  private failures = 0;
  private running = false;
  /** The end of a wait after a failure, on the monotonic clock; pokes do not cut it short, retryNow does. */
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
    lastReachedAt: null,
  };
  /** The API, each answer (or error that is an answer) noted in lastReachedAt. */
  private readonly client: SyncApi;

  constructor(
    private readonly queue: TokenQueue,
    client: SyncApi,
    options: SyncWorkerOptions = {},
  ) {
    this.client = this.noteAnswers(client);
    const batchSize = options.batchSize ?? 100;
    this.batchSize = typeof batchSize === 'function' ? batchSize : () => batchSize;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.authProbeMs = options.authProbeMs ?? 60_000;
    this.serverMarginMs = options.serverMarginMs ?? SERVER_MARGIN_MS;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.monotonic = options.monotonic ?? (() => performance.now());
    this.leaseTtlMs = options.leaseTtlMs ?? 60_000;
    this.customers = options.customers;
    this.changes = options.changes;
    this.lease = new SyncLease(queue.db, this.leaseTtlMs, this.now);
  }

  /** The same port, with the time of every answer from Spirii recorded (the header's "last reached"). */
  private noteAnswers(client: SyncApi): SyncApi {
    const reached = <T>(request: Promise<T>): Promise<T> =>
      request.then(
        (value) => {
          this.current.lastReachedAt = this.now();
          return value;
        },
        (error: unknown) => {
          if (answeredBySpirii(error)) this.current.lastReachedAt = this.now();
          throw error;
        },
      );
    return {
      createTokens: (tokens) => reached(client.createTokens(tokens)),
      lookupUids: (uids, beforeRequest) => reached(client.lookupUids(uids, beforeRequest)),
      getToken: (id) => reached(client.getToken(id)),
      patchToken: (id, patch) => reached(client.patchToken(id, patch)),
      get rateLimit() {
        return client.rateLimit;
      },
      get timeoutMs() {
        return client.timeoutMs;
      },
    };
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
          const changes = this.changes ? this.changes.openCounts() : 0;
          const open = status.counts.pending + status.counts.sending + status.counts.in_doubt + changes;
          const done = status.phase === 'idle' && open === 0 && !this.due().ready;
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
      if (this.waitUntil !== null && this.waitUntil > this.monotonic()) {
        await this.sleep(this.waitUntil - this.monotonic());
        continue;
      }
      this.waitUntil = null;
      let due;
      try {
        this.queue.clampFutureTimes();
        due = this.due();
      } catch {
        // The database is failing (say, the disk is full): try again after a while.
        await this.sleep(1_000);
        continue;
      }
      if (!due.ready) {
        const delay = due.nextAt === null ? Infinity : boundedWait(due.nextAt - this.now()) + 10;
        this.update({ phase: 'idle', nextAttemptAt: due.nextAt === null ? null : this.now() + delay });
        // A hold ending or a bound running out is the next thing to do; a poke comes sooner.
        await this.sleep(delay);
        continue;
      }
      try {
        await this.pass();
      } catch (error) {
        // Not a network or API condition (say, the disk is full): report it and try again later,
        // rather than let the loop die and the queue stop draining without a word. A row this pass
        // left "sending" may have reached Spirii: it is looked up before anything is sent again.
        try {
          if (this.lease.acquire() !== 'busy') this.recoverInterrupted();
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

  /** Wait for `ms` (Infinity: until woken; never longer than a timer can count), or until woken. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = Number.isFinite(ms) ? setTimeout(done, Math.min(MAX_TIMER_MS, Math.max(0, ms))) : undefined;
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async pass(): Promise<void> {
    this.update({ phase: 'syncing', nextAttemptAt: null });
    this.leaseLost = false;
    let heartbeat: ReturnType<typeof setInterval> | undefined;
    try {
      this.holdLease();
      // Renewed on a timer whatever the pass waits for (a slow lookup, a rate-limit window, a backoff).
      heartbeat = setInterval(() => this.renewLease(), Math.max(10, Math.floor(this.leaseTtlMs / 3)));
      this.queue.releaseDue();
      await this.reconcile();
      await this.checkCustomers();
      await this.checkNew();
      let sent = false;
      for (;;) {
        await this.paceWrites();
        if (!this.running) return;
        this.holdLease();
        const batch = this.queue.claimPending(this.batchSize(), randomUUID());
        if (batch.length === 0) break;
        sent = true;
        await this.send(batch, true);
        if (!this.running) return;
      }
      if (this.changes) await this.changes.run(this.changeContext());
      await this.verify(sent);
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
      clearInterval(heartbeat);
    }
  }

  /** The timer's renewal: a lease found taken stops the pass at its next step (its late answers change nothing). */
  private renewLease(): void {
    try {
      const result = this.lease.acquire();
      if (result === 'renewed') return;
      this.leaseLost = true;
      // Another process held it meanwhile and is gone: what it left "sending" may have reached Spirii.
      if (result === 'acquired') this.recoverInterrupted();
    } catch {
      // The database is busy or failing: the next renewal, or the next step's, tries again.
    }
  }

  /** Only the lease holder sends; a new holder first turns rows a dead sender left "sending" into "in doubt". */
  private holdLease(): void {
    if (this.leaseLost) throw this.elsewhere();
    const result = this.lease.acquire();
    if (result === 'busy') {
      this.leaseLost = true;
      throw this.elsewhere();
    }
    if (result === 'acquired') this.recoverInterrupted();
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

  /** The worker's pacing, lease and waits, as the changes step uses them. */
  private changeContext(): ChangeStepContext {
    return {
      api: this.client,
      paceReads: () => this.paceReads('changes'),
      paceWrites: () => this.paceWrites(),
      holdLease: () => this.holdLease(),
      waitFor: (error) => this.waitFor(error),
      running: () => this.running,
      inDoubtBoundMs: this.inDoubtBoundMs,
      synced: () => (this.current.lastSyncedAt = new Date(this.now()).toISOString()),
    };
  }

  private elsewhere(): Wait {
    const other = this.lease.heldElsewhere();
    return new Wait(
      'elsewhere',
      5_000,
      `Another Token Station${other ? ` (process ${other.pid})` : ''} is sending this queue; waiting for it to finish`,
      { key: 'elsewhere', params: { pid: other?.pid ?? null } },
    );
  }

  /** Look up every token whose last attempt had an unknown outcome before anything is sent again. */
  private async reconcile(): Promise<void> {
    const seen = new Set<number>();
    for (;;) {
      // A row this pass looked up and could not settle (moved on by another process) is not asked again.
      const tokens = this.queue.inDoubt(LOOKUP_CHUNK + seen.size, this.inDoubtBoundMs).filter((t) => !seen.has(t.id)).slice(0, LOOKUP_CHUNK);
      if (tokens.length === 0) return;
      tokens.forEach((t) => seen.add(t.id));
      let found;
      try {
        found = await this.client.lookupUids(
          tokens.map((t) => t.uid),
          () => this.paceReads('doubt'),
        );
      } catch (error) {
        // The tokens stay in doubt: never re-sent blindly.
        throw this.waitFor(error);
      }
      this.failures = 0;
      this.settleLookups(tokens, found, 'in_doubt');
    }
  }

  /**
   * The outcome of looking tokens up: ours -> synced; someone else's, or held more than once ->
   * conflict; absent -> pending, to be looked up once more right before it is sent again. A token
   * in doubt found absent before its bound is over (the desk asked for an early lookup) stays in
   * doubt: Spirii may still commit it. Each change names the row's state and attempt.
   */
  private settleLookups(tokens: readonly QueuedToken[], found: Map<string, SpiriiToken[]>, from: 'in_doubt' | 'sending'): void {
    this.requireLease();
    const guard = { state: from, attemptId: (id: number) => tokens.find((t) => t.id === id)!.attemptId };
    const synced: { id: number; spiriiId: number; verified: boolean }[] = [];
    const conflicts: ConflictEntry[] = [];
    const absent: number[] = [];
    const early: number[] = [];
    const boundCutoff = this.now() - this.inDoubtBoundMs;
    for (const token of tokens) {
      const remote = found.get(token.uid) ?? [];
      const own = ownToken(token, remote);
      if (remote.length > 1) conflicts.push(inSpiriiTwice(token.id, remote));
      else if (own) synced.push({ id: token.id, spiriiId: own.id, verified: attemptedBefore(token, boundCutoff) });
      else if (remote.length > 0) {
        const place = placeOf(remote[0]!);
        conflicts.push({ id: token.id, place, message: conflictMessage(place, 'after-doubt'), detail: conflictDetail(place, 'after-doubt') });
      } else if (from === 'in_doubt' && !attemptedBefore(token, boundCutoff)) early.push(token.id);
      else absent.push(token.id);
    }
    this.queue.markSynced(synced, guard);
    this.queue.markConflict(conflicts, [from], guard);
    if (from === 'in_doubt') {
      this.queue.absentAfterDoubt(absent, guard);
      this.queue.lookupAnswered(early);
    } else this.queue.returnToPending(absent, null, undefined, guard);
    if (synced.length > 0) this.current.lastSyncedAt = new Date(this.now()).toISOString();
  }

  /**
   * Look the UIDs synced by a 201 up again: a UID Spirii holds twice (another desk created it at
   * the same moment) is a conflict. Right after this pass's sends (`sent`: all of them), and again
   * for each once the bound is over (no other copy can still be committed): then it is verified.
   */
  private async verify(sent: boolean): Promise<void> {
    const cutoff = new Date(this.now() - this.inDoubtBoundMs).toISOString();
    const rows = this.queue.unverified(VERIFY_CHUNK, sent ? null : cutoff);
    if (rows.length === 0) return;
    let found;
    try {
      found = await this.client.lookupUids(
        rows.map((t) => t.uid),
        () => this.paceReads('verify'),
      );
    } catch (error) {
      throw this.waitFor(error);
    }
    this.requireLease();
    const conflicts = rows.filter((t) => (found.get(t.uid)?.length ?? 0) > 1).map((t) => inSpiriiTwice(t.id, found.get(t.uid)!));
    this.queue.markConflict(conflicts, ['synced']);
    const twice = new Set(conflicts.map((c) => c.id));
    this.queue.markVerified(
      rows.filter((t) => !twice.has(t.id)).map((t) => t.id),
      cutoff,
    );
  }

  /** Before a state change after an answer: stop if a renewal found the lease taken. */
  private requireLease(): void {
    if (this.leaseLost) throw this.elsewhere();
  }

  /**
   * Tokens for a customer number typed while offline (not verified): Spirii is asked whether it
   * has those customers (GET /v2/customers) before any of them is sent. A number it does not know
   * rejects its tokens, none of them sent; a known one is verified (remembered) and sending goes on.
   * Spirii unreachable: the pass waits, as for any other request, and nothing is sent.
   */
  private async checkCustomers(): Promise<void> {
    const unverified = this.customers?.unverified();
    if (!this.customers || !unverified || unverified.size === 0) return;
    const tokens = [...unverified].flatMap((id) => this.queue.listByCustomer(id).filter((t) => t.state === 'pending'));
    if (tokens.length === 0) return;
    let resolution;
    try {
      resolution = await this.customers.resolve(new Set(tokens.map((t) => t.customerId)));
    } catch (error) {
      if (answeredBySpirii(error)) this.current.lastReachedAt = this.now();
      throw this.waitFor(error);
    }
    if (resolution.state === 'offline') throw this.waitFor(resolution.cause ?? new Error(resolution.error ?? 'Spirii could not be reached'));
    if (resolution.requests > 0) this.current.lastReachedAt = this.now();
    this.requireLease();
    for (const customerId of resolution.unknown) {
      const ids = tokens.filter((t) => t.customerId === customerId);
      this.queue.markRejected(
        ids.map((t) => t.id),
        `Spirii has no customer ${customerId}: choose the right customer and enroll the card again`,
        { key: 'unknown-customer', params: { customerId } },
        { state: 'pending', attemptId: (id) => ids.find((t) => t.id === id)!.attemptId },
      );
    }
  }

  /** The pre-send duplicate check: no token is sent before Spirii has been asked whether it already has the UID. */
  private async checkNew(): Promise<void> {
    for (;;) {
      let checked;
      try {
        checked = await checkNewTokens(this.queue, this.client, LOOKUP_CHUNK, () => this.paceReads('presend'));
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

  private paceReads(purpose?: keyof SyncWorker['readCounts']): Promise<void> {
    if (purpose) this.readCounts[purpose]++;
    return this.pace('read');
  }

  private async pace(bucket: 'read' | 'write'): Promise<void> {
    this.requireLease();
    const state = this.client.rateLimit[bucket];
    if (!state || state.remaining > 0) return;
    // The reset is Spirii's clock against ours: bounded, so a skewed or jumping clock cannot stall the sync.
    const waitMs = boundedWait(state.resetAt - this.now());
    if (waitMs <= 0) return;
    this.update({ phase: 'rate-limited', nextAttemptAt: this.now() + waitMs });
    await this.sleep(waitMs);
    this.requireLease();
    if (!this.running) throw new Wait('rate-limited', 0, 'Stopped', { key: 'slow-down', params: { status: 429 } });
    this.update({ phase: 'syncing', nextAttemptAt: null });
  }

  /** POST one list. `claimed`: the rows' attempt was written when they were claimed; otherwise a new one is written first. */
  private async send(batch: QueuedToken[], claimed: boolean): Promise<void> {
    const ids = batch.map((t) => t.id);
    if (!claimed) {
      this.holdLease();
      const attemptId = randomUUID();
      this.queue.beginAttempt(ids, attemptId);
      batch = batch.map((t) => ({ ...t, attemptId }));
    }
    const attempt = batch[0]?.attemptId ?? null;
    const guard = { state: 'sending' as const, attemptId: attempt };
    let created;
    try {
      created = await this.client.createTokens(batch.map(toTokenCreate));
    } catch (error) {
      if (error instanceof ApiError && ITEM_ERRORS.has(error.status)) return this.isolate(batch, error);
      if (error instanceof ApiError && error.status === 409) return this.resolveConflict(batch, error);
      const wait = this.waitFor(error);
      const certainlyNotCreated =
        (error instanceof ApiError && [401, 403, 429].includes(error.status)) || (error instanceof NetworkError && !error.mayHaveReached);
      if (certainlyNotCreated) this.queue.returnToPending(ids, wait.message, { key: 'not-sent', params: { cause: wait.detail } }, guard);
      else this.queue.markInDoubt(ids, `${wait.message}: will check Spirii before sending again`, { key: 'in-doubt', params: { cause: wait.detail } }, guard);
      throw wait;
    }
    this.failures = 0;
    // Match the answer to the rows by UID, never by position (the client checked the answer's ids and UIDs).
    const byUid = new Map(created.map((token) => [token.identifier.uid?.toUpperCase(), token.id]));
    const synced = batch.filter((t) => byUid.has(t.uid)).map((t) => ({ id: t.id, spiriiId: byUid.get(t.uid)! }));
    this.queue.markSynced(synced, guard);
    const missing = batch.filter((t) => !byUid.has(t.uid)).map((t) => t.id);
    if (missing.length > 0) {
      this.queue.markInDoubt(missing, "Spirii's answer did not list this card: will check before sending again", { key: 'not-in-answer', params: {} }, guard);
    }
    this.current.lastSyncedAt = new Date(this.now()).toISOString();
  }

  /** One bad item makes Spirii refuse the whole list: split it until the bad one stands alone. */
  private async isolate(batch: QueuedToken[], error: ApiError): Promise<void> {
    const guard = { state: 'sending' as const, attemptId: batch[0]?.attemptId ?? null };
    if (batch.length === 1) {
      this.queue.markRejected([batch[0]!.id], `Spirii refused this token: ${error.message}`, { key: 'refused', params: { spirii: error.message } }, guard);
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
        undefined,
        guard,
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
    const guard = { state: 'sending' as const, attemptId: batch[0]?.attemptId ?? null };
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
        guard,
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
        guard,
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

/** Spirii answered, even if with an error: an HTTP status (not the client's own "no key") or a malformed body. */
function answeredBySpirii(error: unknown): boolean {
  return (error instanceof ApiError && error.code !== 'no_key') || error instanceof AnswerError;
}

/** The token's attempt went out before `cutoff` (epoch ms), so Spirii can no longer commit it; no attempt on record counts as long ago. */
function attemptedBefore(token: QueuedToken, cutoff: number): boolean {
  return token.attemptedAt === null || Date.parse(token.attemptedAt) <= cutoff;
}
