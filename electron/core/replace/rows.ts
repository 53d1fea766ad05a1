/** A replacement job as the code sees it, and how a row of the `replacements` table becomes one. No SQL here: the store holds every statement. */
import type { SpiriiToken } from '../token';
import { camelRow, jsonColumn } from '../db/columns';
import type { ReplacementState } from './states';

export interface Replacement {
  id: number;
  state: ReplacementState;
  oldUid: string;
  oldSpiriiId: number;
  oldLabel: string | null;
  customerId: number;
  /** The old token as the desk read it when the job was made. */
  oldToken: SpiriiToken;
  /** The old token's `updatedAt` the deactivation expects. */
  expectedUpdatedAt: string;
  newUid: string;
  newLabel: string | null;
  /** The new card's row in the queue. */
  newTokenId: number;
  newSpiriiId: number | null;
  /** What the old token's comment becomes. */
  deactivationComment: string;
  /** The queued change that deactivates the old token (null until the new token is in Spirii). */
  changeId: number | null;
  /** Where the replacement was asked for: "cli", "window". */
  source: string;
  /** The old token as Spirii holds it now, when it changed since the desk read it (state conflict). */
  spiriiNow: SpiriiToken | null;
  /** What the job is waiting for, or why it stopped, in English. */
  message: string | null;
  operator: string;
  createdAt: string;
  updatedAt: string;
}

export interface ReplacementRow {
  id: number;
  state: ReplacementState;
  old_uid: string;
  old_spirii_id: number;
  old_label: string | null;
  customer_id: number;
  old_token: string;
  expected_updated_at: string;
  new_uid: string;
  new_label: string | null;
  new_token_id: number;
  new_spirii_id: number | null;
  deactivation_comment: string;
  change_id: number | null;
  source: string;
  spirii_now: string | null;
  message: string | null;
  operator: string;
  created_at: string;
  updated_at: string;
}

const columns = camelRow<ReplacementRow>()(['old_token', 'spirii_now']);

export function fromRow(row: ReplacementRow): Replacement {
  return Object.assign(columns(row), {
    // Written by the job itself from the token the desk read: never empty.
    oldToken: JSON.parse(row.old_token) as SpiriiToken,
    spiriiNow: jsonColumn<SpiriiToken>(row.spirii_now),
  });
}
