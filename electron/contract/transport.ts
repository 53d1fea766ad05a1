/**
 * How a call travels, whatever carries it (Electron IPC, or the tests' WebSocket bridge): the
 * envelope of an answer, the error it may carry, the handler table a transport serves and what
 * the renderer calls. The calls themselves, with their schemas, are in contract.ts.
 */
import type { CallProblem } from '../core/problem-detail';
import type { CallArgs, CallInput, CallName, CallOutput, EventName, EventPayload } from './contract';

/** `detail`: the same as `message`, for the window to word in its language (see core/problem-detail.ts). */
export type CallError = { code: 'unknown-call' | 'invalid-input' | 'failed' | 'transport'; message: string; detail?: CallProblem };
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: CallError };

/** The handlers a transport serves: one per call, taking the validated input. */
export type Handlers = { [K in CallName]: (args: CallArgs<K>) => Promise<CallOutput<K>> | CallOutput<K> };

/** What the renderer sees, whatever the transport (Electron IPC, or the tests' WebSocket bridge). */
export interface StationTransport {
  call<K extends CallName>(name: K, input: CallInput<K>): Promise<Envelope<CallOutput<K>>>;
  on<K extends EventName>(event: K, listener: (payload: EventPayload<K>) => void): () => void;
}
