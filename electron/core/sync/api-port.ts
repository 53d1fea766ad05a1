/**
 * What the sync worker asks of the API, and nothing more: create a batch of tokens, look UIDs up
 * (before sending, and after an unknown outcome), read one token and change it (queued changes),
 * the rate limits last seen and the client's timeout. SpiriiClient is
 * the one implementation; the worker is given this port, not the client, so it cannot grow a
 * dependency on the rest of the API (customers, token edits, the connection it talks to).
 */
import type { RateLimitState } from '../api/client';
import type { SpiriiToken, TokenCreate, TokenPatch } from '../token';

export interface SyncApi {
  /** POST /v2/tokens with up to a batch of tokens; the answer lists those created. */
  createTokens(tokens: readonly TokenCreate[]): Promise<SpiriiToken[]>;
  /** Every token Spirii has for each UID; `beforeRequest` paces the reads. */
  lookupUids(uids: readonly string[], beforeRequest?: () => Promise<void>): Promise<Map<string, SpiriiToken[]>>;
  /** GET /v2/tokens/{id}: a token as Spirii has it now (before a change is sent, and to read it back after an unknown outcome). */
  getToken(id: number): Promise<SpiriiToken>;
  /** PATCH /v2/tokens/{id}: one change; the answer is the token as changed. */
  patchToken(id: number, patch: TokenPatch): Promise<SpiriiToken>;
  /** The rate-limit headers of the last answers, per bucket (the worker waits when one runs out). */
  readonly rateLimit: { readonly write?: RateLimitState; readonly read?: RateLimitState };
  /** How long a request may take before the client gives up on it: part of the in-doubt bound. */
  readonly timeoutMs: number;
}
