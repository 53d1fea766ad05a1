/**
 * The sandbox's documented rate limits: fixed one-minute windows aligned to the clock, one counter
 * for reads and one for writes, and the X-RateLimit-* and Retry-After headers they answer with.
 */
import { reply, type Headers, type Outcome } from './outcome';

export type Bucket = 'read' | 'write';

export interface RateLimits {
  writesPerMinute: number;
  readsPerMinute: number;
}

export const DEFAULT_RATE_LIMIT: RateLimits = { writesPerMinute: 120, readsPerMinute: 600 };
const WINDOW_MS = 60_000;

/** Writes are what the rate limit and the store-related faults care about. */
export function bucketOf(method: string | undefined): Bucket {
  return method === 'POST' || method === 'PATCH' || method === 'PUT' || method === 'DELETE' ? 'write' : 'read';
}

export class RateLimiter {
  private readonly windows: Record<Bucket, { start: number; used: number }> = {
    read: { start: 0, used: 0 },
    write: { start: 0, used: 0 },
  };

  constructor(
    private readonly limits: RateLimits | false,
    private readonly now: () => Date,
  ) {
    if (limits === false) return;
    for (const [name, value] of Object.entries(limits)) {
      if (!(Number.isSafeInteger(value) && value >= 0)) throw new RangeError(`rateLimit.${name} must be a whole number >= 0 (got ${value})`);
    }
  }

  /** Counts the request if the budget allows; a refused request does not use budget. */
  take(bucket: Bucket): { allowed: boolean; headers: Headers } {
    if (this.limits === false) return { allowed: true, headers: {} };
    const window = this.current(bucket);
    const allowed = window.used < this.limit(bucket);
    if (allowed) window.used += 1;
    const headers = this.headers(bucket);
    if (!allowed) headers['Retry-After'] = String(this.secondsToReset(window.start));
    return { allowed, headers };
  }

  /** The headers without counting, for answers (401) that must not spend the key's budget. */
  peek(bucket: Bucket): Headers {
    return this.limits === false ? {} : this.headers(bucket);
  }

  private headers(bucket: Bucket): Headers {
    const window = this.current(bucket);
    const limit = this.limit(bucket);
    return {
      'X-RateLimit-Limit': String(limit),
      'X-RateLimit-Remaining': String(Math.max(0, limit - window.used)),
      'X-RateLimit-Reset': String((window.start + WINDOW_MS) / 1000),
    };
  }

  private limit(bucket: Bucket): number {
    if (this.limits === false) return Infinity;
    return bucket === 'write' ? this.limits.writesPerMinute : this.limits.readsPerMinute;
  }

  private current(bucket: Bucket): { start: number; used: number } {
    const start = Math.floor(this.now().getTime() / WINDOW_MS) * WINDOW_MS;
    const window = this.windows[bucket];
    if (window.start !== start) Object.assign(window, { start, used: 0 });
    return window;
  }

  private secondsToReset(windowStart: number): number {
    return Math.max(1, Math.ceil((windowStart + WINDOW_MS - this.now().getTime()) / 1000));
  }
}

/** The 429 for a spent budget; its headers (with Retry-After) come from `take`. */
export function limitExceeded(bucket: Bucket, headers: Headers): Outcome {
  return reply(429, { code: 'rate_limited', message: `Rate limit of ${headers['X-RateLimit-Limit']} ${bucket}s per minute exceeded` });
}
