/** The queue's refusals in English: where a UID already is, and the errors that say so. */
import type { ActionProblem } from '../problem-detail';
import { STATE_WORDS, type QueuedToken, type SpiriiPlace } from './rows';

export class DuplicateUidError extends Error {
  constructor(readonly existing: QueuedToken) {
    super(`Card ${existing.uid} is already in the queue (${describeLocalPlace(existing)})`);
    this.name = 'DuplicateUidError';
  }
}

/** A desk action refused because of the row's state (or because it does not exist). */
export class QueueActionError extends Error {
  constructor(
    message: string,
    /** The same, for the window to word in its language. */
    readonly detail?: ActionProblem,
  ) {
    super(message);
    this.name = 'QueueActionError';
  }
}

/** "pending, customer 1001, label A1": where a UID already is in the local queue. */
export function describeLocalPlace(token: Pick<QueuedToken, 'state' | 'customerId' | 'label' | 'spiriiId'>): string {
  return `${STATE_WORDS[token.state]}, customer ${token.customerId}${token.label ? `, label ${token.label}` : ''}${token.spiriiId !== null ? `, Spirii token ${token.spiriiId}` : ''}`;
}

/** "token 10234 for customer 1003, label FJH-0007": where Spirii has a UID. */
export function describeSpiriiPlace(place: SpiriiPlace): string {
  return `token ${place.spiriiId} for customer ${place.customerId}${place.label ? `, label ${place.label}` : ''}`;
}

/** "Label DK.1 is already on card 04A224B2 (in the queue)": the refusal of a label another card has, for a tap, `add` and an import alike. */
export function labelUsedMessage(label: string, existing: Pick<QueuedToken, 'uid' | 'state'>): string {
  return `Label ${label} is already on card ${existing.uid} (${existing.state === 'synced' ? 'in Spirii' : 'in the queue'})`;
}
