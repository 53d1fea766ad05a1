/** How the Spirii API and the network fail, in the terms the sync engine decides on. */
import type { RequestProblem } from '../problem-detail';
import { redact } from '../logger';

/*
 * Every text that comes from the network (a server's error message, its code, the HTTP stack's
 * reason) is redacted here, where it becomes an error: a gateway that echoes the request's
 * Authorization header must not put the API key into the queue's last_error, the CLI's output,
 * an export or the window. Nothing downstream has to remember to do it.
 */

/** The server answered with an error status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | undefined,
    /** From Retry-After, when the server sent a valid one. */
    readonly retryAfterMs: number | undefined,
  ) {
    super(redact(message));
    this.name = 'ApiError';
    this.code = code === undefined ? undefined : redact(code);
  }
}

/**
 * No answer came. `mayHaveReached` is false only when the connection was never made (refused,
 * DNS failure): then the request certainly had no effect. Otherwise (reset, timeout) it may have.
 */
export class NetworkError extends Error {
  constructor(
    message: string,
    readonly mayHaveReached: boolean,
    readonly code: string | undefined,
    /** The same, for the window to word in its language. */
    readonly detail?: RequestProblem,
  ) {
    super(redact(message));
    this.name = 'NetworkError';
  }
}

/** Connection errors that mean the request never left this machine. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'ECONNABORTED', 'BAD_PORT']);

export function toNetworkError(error: unknown, url: string): NetworkError {
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  // fetch refuses the ports on the Fetch spec's block list before connecting ("bad port").
  const code = cause?.code ?? (cause?.message === 'bad port' ? 'BAD_PORT' : undefined) ?? (error instanceof Error && error.name === 'TimeoutError' ? 'TIMEOUT' : undefined);
  const host = new URL(url).host;
  if (code === 'TIMEOUT') return new NetworkError(`No answer from ${host} in time`, true, code, { key: 'no-answer-in-time', params: { host } });
  const reason = redact(cause?.message ?? (error instanceof Error ? error.message : String(error)));
  const notSent = code !== undefined && NOT_SENT_CODES.has(code);
  return new NetworkError(
    notSent ? `Cannot reach ${host} (${code}): working offline` : `Connection to ${host} failed: ${reason}`,
    !notSent,
    code,
    notSent ? { key: 'unreachable', params: { host, code } } : { key: 'connection-failed', params: { host, reason } },
  );
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 10.2.3); undefined when malformed. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The message of an error body in either documented shape, else the status text. */
export function errorMessage(body: unknown, fallback: string): { message: string; code: string | undefined } {
  if (body && typeof body === 'object') {
    const nested = (body as { error?: unknown }).error;
    if (nested && typeof nested === 'object') {
      const { message, code } = nested as { message?: unknown; code?: unknown };
      if (typeof message === 'string') return { message, code: typeof code === 'string' ? code : undefined };
    }
    const { message, code } = body as { message?: unknown; code?: unknown };
    if (typeof message === 'string') return { message, code: typeof code === 'string' ? code : undefined };
    if (Array.isArray(message)) return { message: message.join('; '), code: typeof code === 'string' ? code : undefined };
  }
  return { message: fallback, code: undefined };
}

/**
 * Spirii answered, but not with what the request asks for (a 201 whose ids are not positive
 * integers, repeat, or name UIDs that were not sent; a list that is not a page). Such an answer is
 * never believed: a write it answered stays in doubt and is looked up.
 */
export class AnswerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnswerError';
  }
}
