/** The states a replacement job goes through, which of them are still open, and one English word for each. */

export const REPLACEMENT_STATES = ['creating', 'rejected', 'deactivating', 'conflict', 'done', 'failed'] as const;
export type ReplacementState = (typeof REPLACEMENT_STATES)[number];

/** States in which a job still has something to do (or waits for the clerk). */
export const OPEN_REPLACEMENT_STATES = ['creating', 'rejected', 'deactivating', 'conflict'] as const satisfies readonly ReplacementState[];

/** One wording of each state, for the CLI, the log and the audit trail (the window words its own). */
export const REPLACEMENT_STATE_WORDS: Record<ReplacementState, string> = {
  creating: 'creating the new token',
  rejected: 'new token rejected',
  deactivating: 'deactivating the old token',
  conflict: 'old token changed in Spirii',
  done: 'done',
  failed: 'failed',
};
