/**
 * Machine-readable twins of the English sentences the core writes for the desk, so the
 * window can speak the operator's language. The English `message` / `lastError` next to each stays
 * exactly as it was (the CLI, the log, the audit trail and exports use it); the window words these
 * in its own language, keeping outside text (Spirii's own words, an OS error) as it came.
 * Each is `{ key, params }`, so the window's switch on `key` is checked by the compiler.
 */

import type { UidProblem } from './uid';

/** Why a request to Spirii got no usable answer (api/errors.ts, and the sync worker's waits). */
export type RequestProblem =
  /** The connection was never made (refused, no DNS...): certainly not sent. `code`: the OS's, e.g. ECONNREFUSED. */
  | { key: 'unreachable'; params: { host: string; code: string } }
  | { key: 'no-answer-in-time'; params: { host: string } }
  /** The connection broke; `reason` is the OS's or the HTTP stack's own text. */
  | { key: 'connection-failed'; params: { host: string; reason: string } }
  /** 401/403; `spirii` is Spirii's own text. */
  | { key: 'key-refused'; params: { status: number; spirii: string } }
  | { key: 'slow-down'; params: { status: number } }
  | { key: 'spirii-answered'; params: { status: number; spirii: string } }
  /** Another Token Station process sends this queue. */
  | { key: 'elsewhere'; params: { pid: number | null } }
  /** Not a network or API condition; `error` is the error's own text. */
  | { key: 'unexpected'; params: { error: string } };

/** Where Spirii already has a UID (queue/rows.ts SpiriiPlace, repeated here to keep this file free of imports). */
export interface ProblemPlace {
  spiriiId: number;
  customerId: number;
  label: string | null;
}

/** Why a queued token was not (or not yet surely) created in Spirii: its `lastError` in words the window can translate. */
export type TokenProblem =
  /** Spirii refused the token itself (400/404/422); `spirii` is its own text. */
  | { key: 'refused'; params: { spirii: string } }
  /** 409 for a UID Spirii lists nowhere (a deleted token burns its UID). */
  | { key: 'refused-burnt-uid'; params: { spirii: string } }
  /** Spirii has this UID elsewhere: `before` sending (the pre-send check) or found after an unknown outcome. */
  | { key: 'conflict'; params: { when: 'sending' | 'after-doubt'; place: ProblemPlace } }
  /** Spirii holds this UID more than once (every copy in `places`, oldest first): never shown as synced. */
  | { key: 'in-spirii-twice'; params: { places: ProblemPlace[] } }
  /** The request's outcome is unknown: looked up before anything is sent again. */
  | { key: 'in-doubt'; params: { cause: RequestProblem } }
  | { key: 'not-in-answer'; params: Record<string, never> }
  | { key: 'interrupted'; params: Record<string, never> }
  /** Certainly not created; it waits to be sent again. */
  | { key: 'not-sent'; params: { cause: RequestProblem } }
  /** A 409 whose lookup failed: sent (and looked up) again later; `spirii` is the 409's text. */
  | { key: 'lookup-failed'; params: { spirii: string } }
  /** The customer number was typed offline, not verified, and Spirii has no such customer: nothing was sent. */
  | { key: 'unknown-customer'; params: { customerId: number } };

/** A tap refused for a reason whose sentence needs more than the refusal's `reason`, `uid` and `existing`. */
export type TapProblem =
  /** `problem`: what is wrong with it (uid.ts), when the parser said. */
  | { key: 'invalid-uid'; params: { input: string; problem?: UidProblem } }
  /** `waiting`: the UID of the card still waiting for its label. */
  | { key: 'label-pending'; params: { waiting: string } }
  /** A typed or scanned label Spirii already has on another token (found when Spirii answered). */
  | { key: 'label-in-spirii'; params: { label: string; uid: string; spiriiId: number; customerId: number } };

/** A desk action refused: on the queue (queue/wording.ts QueueActionError) or the session's defaults and labels (enrollment.ts). */
export type ActionProblem =
  | { key: 'no-such-token'; params: { id: number } }
  | { key: 'not-local-only'; params: { uid: string; action: 'edited' | 'discarded'; state: string; spiriiId: number | null } }
  /** A field's value refused; `max` for a text too long, `afterValidFrom` for an expiry before the start. */
  | { key: 'invalid-field'; params: { field: string; max: number | null; afterValidFrom: boolean } }
  /** A label given while no card waits for one ('typed' label mode). */
  | { key: 'no-card-waiting'; params: Record<string, never> };

/** What a failed call may carry next to its English message. */
export type CallProblem = RequestProblem | ActionProblem;

/** An error that carries a problem the window can word (NetworkError, QueueActionError...). */
export function problemOf(error: unknown): CallProblem | undefined {
  const detail = error instanceof Error ? (error as Error & { detail?: CallProblem }).detail : undefined;
  return detail && typeof detail === 'object' && typeof detail.key === 'string' ? detail : undefined;
}
