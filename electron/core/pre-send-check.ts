/**
 * A UID must become a token in Spirii once, for the right customer. Two checks keep it so:
 *
 * 1. Locally, at the tap: a UID already in the queue or its history (any state but discarded) is
 *    refused, saying where it is (customer, label, state). This is the queue's unique index, so a
 *    tap stays one local INSERT, durable within a millisecond, with no network in the way.
 * 2. Against Spirii, right after queueing and before the token can ever be sent: the sync worker
 *    looks new UIDs up (checkNewTokens). A UID Spirii already has is marked rejected with where it
 *    exists, and is never sent; the desk sees it in the queue. Only a row that passed this check
 *    can be claimed for sending (TokenQueue.claimPending).
 *
 * The same rule decides a lookup after an unknown outcome (in doubt) or a 409: a token Spirii has
 * is ours only if its customer and label are the ones queued; otherwise it is someone else's and
 * is shown as a conflict, never adopted.
 */
import type { SyncApi } from './sync/api-port';
import type { SpiriiToken } from './token';
import { describeSpiriiPlace, type ConflictEntry, type QueuedToken, type SpiriiPlace, type TokenQueue } from './queue';
import type { TokenProblem } from './problem-detail';

export function placeOf(token: SpiriiToken): SpiriiPlace {
  return { spiriiId: token.id, customerId: token.customerId, label: token.identifier.label ?? null };
}

/** The Spirii token is the one this row describes: same UID (the caller matched it), customer and label. */
export function isSameToken(local: Pick<QueuedToken, 'customerId' | 'label'>, remote: SpiriiToken): boolean {
  return remote.customerId === local.customerId && (remote.identifier.label || null) === (local.label || null);
}

/** Of the tokens Spirii holds for a UID, the one that is this row's, if any (the oldest, should there be more). */
export function ownToken(local: Pick<QueuedToken, 'customerId' | 'label'>, remote: readonly SpiriiToken[]): SpiriiToken | undefined {
  return [...remote].sort((a, b) => a.id - b.id).find((token) => isSameToken(local, token));
}

export function conflictMessage(place: SpiriiPlace, before: 'sending' | 'after-doubt'): string {
  const where = describeSpiriiPlace(place);
  return before === 'sending'
    ? `Already in Spirii as ${where}: not sent. Discard it here, or retry once Spirii no longer has it.`
    : `Spirii has this UID as ${where}, not the customer and label queued here: not adopted, and not sent again.`;
}

/** The conflict as the window words it (the English is conflictMessage). */
export function conflictDetail(place: SpiriiPlace, when: 'sending' | 'after-doubt'): TokenProblem {
  return { key: 'conflict', params: { when, place: { spiriiId: place.spiriiId, customerId: place.customerId, label: place.label } } };
}

/** Spirii holds the UID more than once: a conflict naming every copy, never "synced". */
export function inSpiriiTwice(id: number, remote: readonly SpiriiToken[]): ConflictEntry {
  const places = [...remote].sort((a, b) => a.id - b.id).map(placeOf);
  return {
    id,
    place: places[0]!,
    message: `Spirii holds this UID more than once: ${places.map(describeSpiriiPlace).join('; ')}. Not synced: keep one in Spirii and discard or fix this one.`,
    detail: { key: 'in-spirii-twice', params: { places } },
  };
}

/**
 * The pre-send check: look up held and pending tokens not yet checked, in as few requests as the
 * API allows (SpiriiClient.lookupUids). Returns how many were checked; throws when the lookup
 * fails (the rows stay unchecked, so they cannot be sent).
 */
export async function checkNewTokens(
  queue: TokenQueue,
  client: Pick<SyncApi, 'lookupUids'>,
  limit: number,
  beforeRequest?: () => Promise<void>,
): Promise<number> {
  const rows = queue.unchecked(limit);
  if (rows.length === 0) return 0;
  const found = await client.lookupUids(
    rows.map((row) => row.uid),
    beforeRequest,
  );
  const clear: number[] = [];
  const conflicts: ConflictEntry[] = [];
  const adopted: { id: number; spiriiId: number }[] = [];
  for (const row of rows) {
    const existing = found.get(row.uid);
    if (!existing || existing.length === 0) {
      clear.push(row.id);
      continue;
    }
    if (existing.length > 1) {
      conflicts.push(inSpiriiTwice(row.id, existing));
      continue;
    }
    // A row sent before (its earlier request was in doubt, then looked up as absent): a late
    // commit of that request is this row's token, found by the look-up right before a re-send.
    const own = row.attempts > 0 ? ownToken(row, existing) : undefined;
    if (own) {
      adopted.push({ id: row.id, spiriiId: own.id });
      continue;
    }
    const place = placeOf(existing[0]!);
    conflicts.push({ id: row.id, place, message: conflictMessage(place, 'sending'), detail: conflictDetail(place, 'sending') });
  }
  queue.markChecked(clear);
  queue.markSynced(adopted, { state: 'pending', attemptId: (id) => rows.find((r) => r.id === id)!.attemptId });
  // Only rows still held or pending: one the desk discarded meanwhile stays discarded.
  queue.markConflict(conflicts, ['held', 'pending']);
  return rows.length;
}
