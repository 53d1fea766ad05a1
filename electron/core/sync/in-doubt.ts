/**
 * Lookups by UID where a request's outcome is unknown: tokens in doubt, and UIDs just synced.
 * The tokens in doubt are looked up before anything is sent again; the UIDs just synced are
 * checked for a second copy in Spirii.
 *
 * The API has no idempotency key, so a token in doubt is never simply sent again: ours -> synced;
 * someone else's, or held twice -> conflict; absent once the in-doubt bound is over -> pending.
 */
import type { ConflictEntry, QueuedToken } from '../queue';
import type { SpiriiToken } from '../token';
import { conflictDetail, conflictMessage, inSpiriiTwice, ownToken, placeOf } from '../pre-send-check';
import { LOOKUP_CHUNK, type ReadPurpose, type SyncPassContext } from './pass-context';

/** UIDs per verification round: one read of Spirii's list answers them all, so take many. */
const VERIFY_CHUNK = 10_000;

/** Every token Spirii has for each UID; no answer is a wait that ends the pass. */
async function lookup(ctx: SyncPassContext, tokens: readonly QueuedToken[], purpose: ReadPurpose): Promise<Map<string, SpiriiToken[]>> {
  try {
    return await ctx.api.lookupUids(
      tokens.map((t) => t.uid),
      () => ctx.paceReads(purpose),
    );
  } catch (error) {
    throw ctx.waitFor(error);
  }
}

/** Look up every token whose last attempt had an unknown outcome before anything is sent again. */
export async function reconcile(ctx: SyncPassContext): Promise<void> {
  const seen = new Set<number>();
  for (;;) {
    // A row this pass looked up and could not settle (moved on by another process) is not asked again.
    const tokens = ctx.queue.inDoubt(LOOKUP_CHUNK + seen.size, ctx.inDoubtBoundMs).filter((t) => !seen.has(t.id)).slice(0, LOOKUP_CHUNK);
    if (tokens.length === 0) return;
    tokens.forEach((t) => seen.add(t.id));
    // No answer: the tokens stay in doubt, never re-sent blindly.
    const found = await lookup(ctx, tokens, 'doubt');
    ctx.answered();
    settleLookups(ctx, tokens, found, 'in_doubt');
  }
}

/**
 * The outcome of looking tokens up: ours -> synced; someone else's, or held more than once ->
 * conflict; absent -> pending, to be looked up once more right before it is sent again. A token
 * in doubt found absent before its bound is over (the desk asked for an early lookup) stays in
 * doubt: Spirii may still commit it. Each change names the row's state and attempt.
 */
export function settleLookups(
  ctx: SyncPassContext,
  tokens: readonly QueuedToken[],
  found: Map<string, SpiriiToken[]>,
  from: 'in_doubt' | 'sending',
): void {
  ctx.requireLease();
  const guard = { state: from, attemptId: (id: number) => tokens.find((t) => t.id === id)!.attemptId };
  const synced: { id: number; spiriiId: number; verified: boolean }[] = [];
  const conflicts: ConflictEntry[] = [];
  const absent: number[] = [];
  const early: number[] = [];
  const boundCutoff = ctx.now() - ctx.inDoubtBoundMs;
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
  ctx.queue.markSynced(synced, guard);
  ctx.queue.markConflict(conflicts, [from], guard);
  if (from === 'in_doubt') {
    ctx.queue.absentAfterDoubt(absent, guard);
    ctx.queue.lookupAnswered(early);
  } else ctx.queue.returnToPending(absent, null, undefined, guard);
  if (synced.length > 0) ctx.synced();
}

/**
 * Look the UIDs synced by a 201 up again: a UID Spirii holds twice (another desk created it at
 * the same moment) is a conflict. Right after this pass's sends (`sent`: all of them), and again
 * for each once the bound is over (no other copy can still be committed): then it is verified.
 */
export async function verify(ctx: SyncPassContext, sent: boolean): Promise<void> {
  const cutoff = new Date(ctx.now() - ctx.inDoubtBoundMs).toISOString();
  const rows = ctx.queue.unverified(VERIFY_CHUNK, sent ? null : cutoff);
  if (rows.length === 0) return;
  const found = await lookup(ctx, rows, 'verify');
  ctx.requireLease();
  const conflicts = rows.filter((t) => (found.get(t.uid)?.length ?? 0) > 1).map((t) => inSpiriiTwice(t.id, found.get(t.uid)!));
  ctx.queue.markConflict(conflicts, ['synced']);
  const twice = new Set(conflicts.map((c) => c.id));
  ctx.queue.markVerified(
    rows.filter((t) => !twice.has(t.id)).map((t) => t.id),
    cutoff,
  );
}

/** The token's attempt went out before `cutoff` (epoch ms), so Spirii can no longer commit it; no attempt on record counts as long ago. */
function attemptedBefore(token: QueuedToken, cutoff: number): boolean {
  return token.attemptedAt === null || Date.parse(token.attemptedAt) <= cutoff;
}
