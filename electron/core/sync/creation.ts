/**
 * Sending new tokens: POST one list, and settle each row by Spirii's answer. Synced by UID (never
 * by position); one bad item refuses the list, so it is split until that item stands alone; a 409
 * is looked up; no answer leaves the rows in doubt, never to be sent blindly again.
 */
import { randomUUID } from 'node:crypto';
import type { QueuedToken } from '../queue';
import { toTokenCreate } from '../queue';
import { ApiError, NetworkError } from '../api/errors';
import { settleLookups } from './in-doubt';
import type { SyncPassContext } from './pass-context';

/** Errors that mean this item is wrong (the whole request was refused because of it). */
const ITEM_ERRORS = new Set([400, 404, 422]);

/** POST one list. `claimed`: the rows' attempt was written when they were claimed; otherwise a new one is written first. */
export async function send(ctx: SyncPassContext, batch: QueuedToken[], claimed: boolean): Promise<void> {
  const ids = batch.map((t) => t.id);
  if (!claimed) {
    ctx.holdLease();
    const attemptId = randomUUID();
    ctx.queue.beginAttempt(ids, attemptId);
    batch = batch.map((t) => ({ ...t, attemptId }));
  }
  const attempt = batch[0]?.attemptId ?? null;
  const guard = { state: 'sending' as const, attemptId: attempt };
  let created;
  try {
    created = await ctx.api.createTokens(batch.map(toTokenCreate));
  } catch (error) {
    if (error instanceof ApiError && ITEM_ERRORS.has(error.status)) return isolate(ctx, batch, error);
    if (error instanceof ApiError && error.status === 409) return resolveConflict(ctx, batch, error);
    const wait = ctx.waitFor(error);
    const certainlyNotCreated =
      (error instanceof ApiError && [401, 403, 429].includes(error.status)) || (error instanceof NetworkError && !error.mayHaveReached);
    if (certainlyNotCreated) ctx.queue.returnToPending(ids, wait.message, { key: 'not-sent', params: { cause: wait.detail } }, guard);
    else ctx.queue.markInDoubt(ids, `${wait.message}: will check Spirii before sending again`, { key: 'in-doubt', params: { cause: wait.detail } }, guard);
    throw wait;
  }
  ctx.answered();
  // Match the answer to the rows by UID, never by position (the client checked the answer's ids and UIDs).
  const byUid = new Map(created.map((token) => [token.identifier.uid?.toUpperCase(), token.id]));
  const synced = batch.filter((t) => byUid.has(t.uid)).map((t) => ({ id: t.id, spiriiId: byUid.get(t.uid)! }));
  ctx.queue.markSynced(synced, guard);
  const missing = batch.filter((t) => !byUid.has(t.uid)).map((t) => t.id);
  if (missing.length > 0) {
    ctx.queue.markInDoubt(missing, "Spirii's answer did not list this card: will check before sending again", { key: 'not-in-answer', params: {} }, guard);
  }
  ctx.synced();
}

/** One bad item makes Spirii refuse the whole list: split it until the bad one stands alone. */
async function isolate(ctx: SyncPassContext, batch: QueuedToken[], error: ApiError): Promise<void> {
  const guard = { state: 'sending' as const, attemptId: batch[0]?.attemptId ?? null };
  if (batch.length === 1) {
    ctx.queue.markRejected([batch[0]!.id], `Spirii refused this token: ${error.message}`, { key: 'refused', params: { spirii: error.message } }, guard);
    return;
  }
  const half = Math.ceil(batch.length / 2);
  const [first, second] = [batch.slice(0, half), batch.slice(half)];
  try {
    await send(ctx, first, false);
  } catch (error) {
    // The refused list created nothing: the half not yet tried is certainly still to send.
    ctx.queue.returnToPending(
      second.map((t) => t.id),
      null,
      undefined,
      guard,
    );
    throw error;
  }
  await send(ctx, second, false);
}

/**
 * 409: Spirii already has a UID of this list, and refused the whole list. Look them all up: a
 * token that is this row's (same customer and label) is adopted, one that is someone else's is a
 * conflict, and the rest go back to be sent again.
 */
async function resolveConflict(ctx: SyncPassContext, batch: QueuedToken[], error: ApiError): Promise<void> {
  const guard = { state: 'sending' as const, attemptId: batch[0]?.attemptId ?? null };
  let found;
  try {
    found = await ctx.api.lookupUids(
      batch.map((t) => t.uid),
      () => ctx.paceReads(),
    );
  } catch (lookupError) {
    // The list was refused, so nothing of it was created: send again (and look up again) later.
    ctx.queue.returnToPending(
      batch.map((t) => t.id),
      `Spirii says a card of this list exists; the lookup failed and will be retried (${error.message})`,
      { key: 'lookup-failed', params: { spirii: error.message } },
      guard,
    );
    throw ctx.waitFor(lookupError);
  }
  const anyFound = batch.some((t) => (found.get(t.uid)?.length ?? 0) > 0);
  if (!anyFound) {
    // Spirii lists none of them, yet refuses one (a deleted token burns its UID for good).
    if (batch.length > 1) return isolate(ctx, batch, error);
    ctx.queue.markRejected(
      [batch[0]!.id],
      `Spirii refuses this UID as a duplicate but lists no such token (a deleted token burns its UID): ${error.message}`,
      { key: 'refused-burnt-uid', params: { spirii: error.message } },
      guard,
    );
    return;
  }
  settleLookups(ctx, batch, found, 'sending');
}
