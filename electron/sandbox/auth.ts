/**
 * The sandbox's authentication: one Bearer key, compared as a digest in constant time, and the
 * 401 answers for a missing, malformed or wrong key.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { reply, type Outcome } from './outcome';

const AUTH_SCHEME = /^Bearer\s+(\S+)\s*$/i;

/** What a key is compared as, so neither its length nor its text leaks through timing. */
export function keyDigest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * Every failure is 401 (never 403): the sandbox has no scopes, so "wrong key" and "no key" mean
 * the same to a client: stop and ask for a valid key. Keys are compared as digests in constant time.
 */
export function authenticate(header: string | undefined, expected: Buffer, requestId: string): Outcome | undefined {
  const match = header === undefined ? null : AUTH_SCHEME.exec(header);
  if (match && timingSafeEqual(keyDigest(match[1]), expected)) return undefined;
  const [code, text] =
    header === undefined
      ? ['missing_api_key', 'No API key: send Authorization: Bearer <API key>']
      : match
        ? ['invalid_api_key', 'The API key is not valid']
        : ['invalid_authorization_header', 'The Authorization header must be "Bearer <API key>"'];
  return reply(401, { error: { type: 'authentication_error', code, message: text, request_id: requestId } });
}
