import { describe, expect, it } from 'vitest';
import { errorMessage, parseRetryAfter, toNetworkError } from '../../electron/core/api/errors';
import { backoffDelay } from '../../electron/core/sync/backoff';

describe('Retry-After', () => {
  const now = Date.parse('2026-11-22T12:00:00Z');
  it('takes seconds or an HTTP date, and ignores a malformed header', () => {
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('error bodies', () => {
  it('reads both documented shapes and falls back to the status text', () => {
    expect(errorMessage({ error: { type: 'invalid_request', code: 'bad_uid', message: 'uid is invalid' } }, '400')).toEqual({ message: 'uid is invalid', code: 'bad_uid' });
    expect(errorMessage({ code: 'rate_limited', message: 'Too many' }, '429')).toEqual({ message: 'Too many', code: 'rate_limited' });
    expect(errorMessage('<html>', '502 Bad Gateway')).toEqual({ message: '502 Bad Gateway', code: undefined });
  });
});

describe('network errors', () => {
  it('knows a refused connection never reached the server, and a reset may have', () => {
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    const reset = new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
    const timeout = Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
    const blocked = new TypeError('fetch failed', { cause: new Error('bad port') });
    expect(toNetworkError(refused, 'http://127.0.0.1:9/v2/tokens')).toMatchObject({ mayHaveReached: false, code: 'ECONNREFUSED' });
    expect(toNetworkError(blocked, 'http://127.0.0.1:9/v2/tokens')).toMatchObject({ mayHaveReached: false, code: 'BAD_PORT' });
    expect(toNetworkError(reset, 'http://127.0.0.1:9/v2/tokens')).toMatchObject({ mayHaveReached: true });
    expect(toNetworkError(timeout, 'http://127.0.0.1:9/v2/tokens')).toMatchObject({ mayHaveReached: true, code: 'TIMEOUT' });
  });
});

describe('backoff', () => {
  it('stays within [0, min(cap, base * 2^n)] with full jitter', () => {
    const policy = { baseMs: 100, capMs: 5_000 };
    for (let n = 0; n < 12; n++) {
      const ceiling = Math.min(5_000, 100 * 2 ** n);
      expect(backoffDelay(n, policy, () => 0)).toBe(0);
      expect(backoffDelay(n, policy, () => 0.999999)).toBeLessThanOrEqual(ceiling);
      expect(backoffDelay(n, policy, () => 0.999999)).toBeGreaterThanOrEqual(Math.floor(ceiling * 0.99));
    }
  });
});
