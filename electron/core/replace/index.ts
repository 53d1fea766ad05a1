/**
 * Replace a lost card: the new card becomes a token with the old one's customer and settings (and
 * its own label), and the old token is deactivated, its comment naming the new card, only once
 * the new token exists in Spirii. One job per replacement, kept in the `replacements` table and
 * moved on by `advance()`; every step is written before it is taken, so a crash at any point
 * (SIGKILL included) resumes where it was:
 *
 *   creating (the new card's token is queued; the old card stays active)
 *     -> rejected (Spirii refused the new token: the old stays active; retried -> creating again)
 *     -> failed (the new token was discarded: nothing changed in Spirii, the old stays active)
 *     -> deactivating (the new token is in Spirii: the old one is being deactivated)
 *          -> conflict (the old token changed in Spirii since the desk read it: both are shown, the clerk chooses)
 *          -> done (the old token is inactive)
 *
 * The new token is an ordinary queued creation, admitted by the same rule as a tap (UID, label);
 * the job and the token are written in one transaction. The deactivation is an ordinary queued
 * change (changes/: `isActive: false` and the comment), queued in the same transaction as the job's
 * move to `deactivating` and sent by the sync worker: read back before it is sent again after an
 * unknown outcome, never applied over a newer change made in Spirii since the desk read the old
 * token (its `updatedAt`). This module sends nothing itself; it follows the token and the change.
 *
 * Its files: the states and their words (states.ts), a job and its row (rows.ts), whether a
 * replacement may start (refusals.ts), what it writes on both tokens (terms.ts), the jobs' table
 * (store.ts), the steps a run takes (steps.ts) and the desk's calls with the runs (replacements.ts).
 */
export { REPLACEMENT_STATES, OPEN_REPLACEMENT_STATES, REPLACEMENT_STATE_WORDS, type ReplacementState } from './states';
export type { Replacement } from './rows';
export { ReplacementRefusedError, ReplacementActionError, type ReplacementRefusalReason, type ReplacementRequest } from './refusals';
export { deactivationComment, settingsFrom } from './terms';
export type { ReplacementsOptions } from './store';
export { Replacements } from './replacements';
