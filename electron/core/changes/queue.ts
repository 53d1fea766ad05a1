/**
 * The changes queue: every change to a token in Spirii is written here first, durably, with the
 * `updatedAt` the desk based it on, and the sync worker moves it through its states (types.ts).
 * This class and the files it builds on alone read and write the `token_changes` and
 * `change_batches` tables. As in the creations' queue, the state is written before each network
 * step, and every state change after an answer names the state and attempt the row must still be in.
 *
 * Its files: a row and a batch as the code sees them (rows.ts), the reads (reads.ts), the desk's
 * actions (desk-actions.ts) and the sync worker's steps (sync-steps.ts), each class building on the
 * one before; ChangeQueue is the whole.
 */
import { ChangeSyncSteps } from './sync-steps';

export { ChangeActionError } from './action-error';
export type { ChangeListOptions, ChangeQueueOptions } from './reads';
export type { ChangeGuard } from './sync-steps';

export class ChangeQueue extends ChangeSyncSteps {}
