/**
 * The record of every change the sandbox applied to a stored token, in order: by a PATCH of the
 * API, or behind the client's back (another desk, Spirii's own portal).
 */
import type { TokenPatch } from '../core/token';

/** A change the sandbox applied to a stored token. */
export interface AppliedChange {
  tokenId: number;
  patch: TokenPatch;
  /** The token's updatedAt after it. */
  updatedAt: string;
  by: 'api' | 'behind';
}

export class ChangeLog {
  private readonly changes: AppliedChange[] = [];

  record(change: AppliedChange): void {
    this.changes.push(change);
  }

  /** Copies, so a test reading the log cannot rewrite it. */
  entries(): AppliedChange[] {
    return this.changes.map((c) => ({ ...c, patch: { ...c.patch } }));
  }
}
