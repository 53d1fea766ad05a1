/**
 * When Spirii last answered: the sync port with every answer noted, for the status's lastReachedAt.
 * An error that is an answer (a 4xx, a malformed body) counts; a network error does not.
 */
import { AnswerError, ApiError } from '../api/errors';
import type { SyncApi } from './api-port';

/** Spirii answered, even if with an error: an HTTP status (not the client's own "no key") or a malformed body. */
export function answeredBySpirii(error: unknown): boolean {
  return (error instanceof ApiError && error.code !== 'no_key') || error instanceof AnswerError;
}

/** The same port, `reached` called on every answer from Spirii (the header's "last reached"). */
export function noteAnswers(client: SyncApi, reached: () => void): SyncApi {
  const noted = <T>(request: Promise<T>): Promise<T> =>
    request.then(
      (value) => {
        reached();
        return value;
      },
      (error: unknown) => {
        if (answeredBySpirii(error)) reached();
        throw error;
      },
    );
  return {
    createTokens: (tokens) => noted(client.createTokens(tokens)),
    lookupUids: (uids, beforeRequest) => noted(client.lookupUids(uids, beforeRequest)),
    getToken: (id) => noted(client.getToken(id)),
    patchToken: (id, patch) => noted(client.patchToken(id, patch)),
    get rateLimit() {
      return client.rateLimit;
    },
    get timeoutMs() {
      return client.timeoutMs;
    },
  };
}
