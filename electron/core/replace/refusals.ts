/**
 * Whether a replacement may start, and the errors that say why not: the old card must be an
 * active RFID token in Spirii, and the new card another card. Checked before anything is queued.
 */
import type { TapOutcome } from '../enrollment';
import type { SpiriiToken } from '../token';
import type { CardReport } from '../card';
import { parseUid } from '../uid';

/** Why a replacement was not started; nothing was queued. */
export type ReplacementRefusalReason = 'old-unknown' | 'old-inactive' | 'old-not-in-spirii' | 'same-card' | 'already-replacing' | 'new-refused';

export class ReplacementRefusedError extends Error {
  constructor(
    readonly reason: ReplacementRefusalReason,
    message: string,
    /** The tap's refusal, when the new card was refused by the queue's admission rule. */
    readonly outcome: TapOutcome | null = null,
  ) {
    super(message);
    this.name = 'ReplacementRefusedError';
  }
}

/** A desk action on a job refused (no such job, or its state does not allow it). */
export class ReplacementActionError extends Error {
  override name = 'ReplacementActionError';
}

export interface ReplacementRequest {
  /** The old token as the desk knows it (from Spirii now, or what the desk last saw of it). */
  old: SpiriiToken;
  /** The new card's UID, in any format a tap or a terminal gives. */
  newUid: string;
  /** The new card's printed label (null: none). */
  label: string | null;
  /** Where the new card came from: a reader, "cli", the window. */
  source: string;
}

/** The old card's token in Spirii from what identification found, or why there is none to replace. */
export function oldTokenOf(report: CardReport, query: string): SpiriiToken {
  if (report.spirii) return report.spirii;
  const local = report.queue;
  if (local) throw new ReplacementRefusedError('old-not-in-spirii', `Card ${local.uid} is not in Spirii yet (${local.state} here): it can be discarded or edited on the Queue screen instead`);
  throw new ReplacementRefusedError('old-unknown', `No token for ${query} is known in Spirii${report.problem ? ` (${report.problem})` : ''}`);
}

/** The old card's UID, once the request is one this desk may start: an active RFID token, and a new card that is not the old one. */
export function checkRequest(request: ReplacementRequest): string {
  const old = request.old;
  const oldUid = old.identifier.uid?.toUpperCase();
  if (!oldUid || old.identifier.type !== 'rfid') throw new ReplacementRefusedError('old-unknown', `Token ${old.id} is not an RFID card`);
  if (!old.isActive) throw new ReplacementRefusedError('old-inactive', `Card ${oldUid} is already inactive in Spirii: there is nothing to replace`);
  const parsed = parseUid(request.newUid);
  if (parsed.ok && parsed.uid === oldUid) throw new ReplacementRefusedError('same-card', `The new card is the old card (${oldUid}): tap the new one`);
  return oldUid;
}

/** The refusal when the queue's admission rule did not queue the new card (a tap's outcome other than queued). */
export function newCardRefused(outcome: TapOutcome): ReplacementRefusedError {
  const message = outcome.status === 'refused' ? outcome.message : 'The new card was not queued';
  return new ReplacementRefusedError('new-refused', `The new card was not queued: ${message}`, outcome);
}
