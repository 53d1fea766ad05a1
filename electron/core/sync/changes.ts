/**
 * The sync worker's step for queued changes (changes/queue.ts): one PATCH per change, at Spirii's
 * write limit (the worker's pacing and its 429 handling), each change's state on disk before its
 * request goes out.
 *
 *   read back every change in doubt (GET /v2/tokens/{id}), before anything is sent again:
 *      carries the change -> synced; not yet, within the in-doubt bound -> read again after it;
 *      after the bound: unchanged since the base -> pending (sent again); changed -> conflict
 *   -> for each change that may go now (its batch not paused, no earlier open change to its token):
 *      read the token: carries the change already -> synced (nothing sent);
 *      changed in Spirii since the desk's base -> conflict (both versions kept, the clerk chooses);
 *      else sending (attempt id) -> PATCH -> synced | rejected | in doubt | back to pending
 *
 * Exactly-once effect without an idempotency key: a change whose answer never came is read back,
 * and sent again only once Spirii can no longer commit the first request and the token shows
 * neither the change nor anyone else's.
 */
import { randomUUID } from 'node:crypto';
import type { ChangeQueue, ChangeGuard } from '../changes/queue';
import type { QueuedChange } from '../changes/types';
import { carries, toTokenPatch } from '../changes/fields';
import type { SyncApi } from './api-port';
import type { SpiriiToken } from '../token';
import type { RequestProblem } from '../problem-detail';
import { AnswerError, ApiError, NetworkError } from '../api/errors';

/** What the step needs of the worker: its API port, its pacing, its lease and how it words a wait. */
export interface ChangeStepContext {
  api: Pick<SyncApi, 'getToken' | 'patchToken'>;
  paceReads(): Promise<void>;
  paceWrites(): Promise<void>;
  /** Before a request that changes something: throws (a wait) unless this process holds the lease. */
  holdLease(): void;
  /** The worker's wait for an error (a 429's Retry-After, a backoff, a refused key), thrown to end the pass. */
  waitFor(error: unknown): { readonly message: string; readonly detail: RequestProblem };
  running(): boolean;
  inDoubtBoundMs: number;
  /** Noted after every change Spirii has. */
  synced(): void;
}

/** Changes read per round. */
const CHUNK = 100;

/** Refusals of the change itself: never sent again unchanged. */
const ITEM_ERRORS = new Set([400, 404, 409, 422]);

export class ChangeSender {
  /** Requests by purpose, for tests and the benchmark. */
  readonly counts = { readBack: 0, presend: 0, patch: 0 };

  constructor(
    private readonly queue: ChangeQueue,
    private readonly now: () => number = Date.now,
  ) {}

  /** Work now, and when the next is due (a change in doubt once its bound is over). */
  due(inDoubtBoundMs: number): { ready: boolean; nextAt: number | null } {
    return this.queue.due(inDoubtBoundMs);
  }

  /** Changes on their way or in doubt: the CLI's `sync` waits for them as for tokens. */
  openCounts(): number {
    const counts = this.queue.counts();
    return counts.sending + counts.in_doubt;
  }

  recoverInterrupted(): number {
    return this.queue.recoverInterrupted();
  }

  /** One pass: read back what is in doubt, then send what may go, in order per token. */
  async run(ctx: ChangeStepContext): Promise<void> {
    await this.readBack(ctx);
    const tried = new Set<number>();
    for (;;) {
      if (!ctx.running()) return;
      // A change this pass could not move on (another process did meanwhile) is not tried again.
      const changes = this.queue.sendable(CHUNK + tried.size).filter((c) => !tried.has(c.id)).slice(0, CHUNK);
      if (changes.length === 0) return;
      for (const change of changes) {
        if (!ctx.running()) return;
        tried.add(change.id);
        await this.sendOne(change, ctx);
      }
    }
  }

  private async readBack(ctx: ChangeStepContext): Promise<void> {
    const seen = new Set<number>();
    for (;;) {
      const changes = this.queue.inDoubt(CHUNK + seen.size, ctx.inDoubtBoundMs).filter((c) => !seen.has(c.id)).slice(0, CHUNK);
      if (changes.length === 0) return;
      for (const change of changes) {
        if (!ctx.running()) return;
        seen.add(change.id);
        const guard: ChangeGuard = { state: 'in_doubt', attemptId: change.attemptId };
        const token = await this.read(change, ctx, guard, 'readBack');
        if (!token || this.syncedIfCarried(change, token, guard, ctx)) continue;
        if (change.attemptedAt !== null && Date.parse(change.attemptedAt) > this.now() - ctx.inDoubtBoundMs) {
          // Spirii may still be working on the request: sending again now could apply it twice
          // around someone else's change. Read again once the bound is over.
          this.queue.readBackEarly(change.id);
        } else if (sameInstant(token.updatedAt, change.basedOn)) {
          this.queue.returnToPending(change.id, 'Read back: the change is not in Spirii; it will be sent again', null, guard);
        } else {
          this.queue.markConflict(change.id, token, guard);
        }
      }
    }
  }

  private async sendOne(change: QueuedChange, ctx: ChangeStepContext): Promise<void> {
    const pending: ChangeGuard = { state: 'pending', attemptId: change.attemptId };
    const token = await this.read(change, ctx, pending, 'presend');
    // Spirii has it already (sent before and settled elsewhere, or someone made the same change): nothing to send.
    if (!token || this.syncedIfCarried(change, token, pending, ctx)) return;
    if (change.basedOn !== null && !sameInstant(token.updatedAt, change.basedOn)) {
      this.queue.markConflict(change.id, token, pending);
      return;
    }
    await ctx.paceWrites();
    if (!ctx.running()) return;
    ctx.holdLease();
    const attemptId = randomUUID();
    if (!this.queue.claim(change.id, attemptId, token.updatedAt)) return;
    const guard: ChangeGuard = { state: 'sending', attemptId };
    let patched: SpiriiToken;
    try {
      this.counts.patch++;
      patched = await ctx.api.patchToken(change.spiriiId, toTokenPatch(change.fields));
      checkToken(patched, change.spiriiId, 'PATCH');
    } catch (error) {
      // The token was there a moment ago (the read before sending): a 404 now names what the
      // change refers to (a customer Spirii does not have), or the token went meanwhile.
      if (error instanceof ApiError && ITEM_ERRORS.has(error.status)) {
        this.queue.markRejected(change.id, `Spirii refused this change: ${error.message}`, { key: 'refused', params: { spirii: error.message } }, guard);
        return;
      }
      const wait = ctx.waitFor(error);
      const certainlyNotApplied =
        (error instanceof ApiError && [401, 403, 429].includes(error.status)) || (error instanceof NetworkError && !error.mayHaveReached);
      if (certainlyNotApplied) this.queue.returnToPending(change.id, wait.message, { key: 'not-sent', params: { cause: wait.detail } }, guard);
      else {
        this.queue.markInDoubt(change.id, `${wait.message}: the token is read back before sending again`, { key: 'in-doubt', params: { cause: wait.detail } }, guard);
      }
      // An answer that is not believed leaves the change in doubt; the pass goes on with the next.
      if (error instanceof AnswerError) return;
      throw wait;
    }
    this.queue.markSynced(change.id, patched.updatedAt, guard);
    ctx.synced();
  }

  /** A token that carries the change already: the change is synced, nothing (more) to send. */
  private syncedIfCarried(change: QueuedChange, token: SpiriiToken, guard: ChangeGuard, ctx: ChangeStepContext): boolean {
    if (!carries(token, change.fields)) return false;
    this.queue.markSynced(change.id, token.updatedAt, guard);
    ctx.synced();
    return true;
  }

  /** The token as Spirii has it now; null when it is gone (the change is rejected). Other failures end the pass. */
  private async read(change: QueuedChange, ctx: ChangeStepContext, guard: ChangeGuard, purpose: 'readBack' | 'presend'): Promise<SpiriiToken | null> {
    this.counts[purpose]++;
    await ctx.paceReads();
    try {
      const token = await ctx.api.getToken(change.spiriiId);
      checkToken(token, change.spiriiId, 'GET');
      return token;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        // Gone from Spirii: nothing of this change can take effect (in doubt or not).
        this.queue.markRejected(change.id, `Spirii no longer has token ${change.spiriiId}`, { key: 'token-gone', params: { spiriiId: change.spiriiId } }, guard);
        return null;
      }
      throw ctx.waitFor(error);
    }
  }
}

function sameInstant(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  return a === b || Date.parse(a) === Date.parse(b);
}

/** A token answer is believed only for the token asked about, with an updatedAt to compare. */
function checkToken(token: unknown, id: number, method: string): asserts token is SpiriiToken {
  const t = token as Partial<SpiriiToken> | null;
  if (typeof t !== 'object' || t === null || t.id !== id || typeof t.updatedAt !== 'string' || !Number.isFinite(Date.parse(t.updatedAt))) {
    throw new AnswerError(`Spirii's answer to the ${method} of token ${id} was not believed: it is not that token with an updatedAt`);
  }
}
