/**
 * The sync worker's waits: why a pass stops early, for how long, and the sleep a poke cuts short.
 * A refused key, a 429, a backoff or no network each has its wait; none is longer than an hour.
 */
import { ApiError, NetworkError } from '../api/errors';
import type { RequestProblem } from '../problem-detail';
import type { SyncPhase } from './status';

/** No wait (backoff, Retry-After, rate-limit window, next due work) is longer than an hour. */
export const MAX_WAIT_MS = 3_600_000;
/** The largest delay a Node timer takes (2^31 - 1 ms); anything above fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function boundedWait(ms: number): number {
  return Number.isFinite(ms) ? Math.min(MAX_WAIT_MS, Math.max(0, ms)) : MAX_WAIT_MS;
}

/** Why a pass stopped early, and how long to wait. */
export class Wait {
  constructor(
    readonly phase: Exclude<SyncPhase, 'idle' | 'syncing' | 'stopped'>,
    delayMs: number,
    readonly message: string,
    readonly detail: RequestProblem,
  ) {
    this.delayMs = boundedWait(delayMs);
  }

  readonly delayMs: number;
}

/** How the worker waits after a failure: the probe period with a refused key, and the next backoff delay (asked only when needed). */
export interface RetryPolicy {
  authProbeMs: number;
  backoffMs(): number;
}

/** The wait an error calls for: a refused key pauses, a 429 waits its Retry-After, anything else backs off. */
export function waitFor(error: unknown, retry: RetryPolicy): Wait {
  if (error instanceof Wait) return error;
  if (error instanceof ApiError) {
    if (error.status === 401 || error.status === 403) {
      return new Wait('paused-auth', retry.authProbeMs, `Spirii refused the API key (${error.status}): enter a valid key. ${error.message}`, {
        key: 'key-refused',
        params: { status: error.status, spirii: error.message },
      });
    }
    if (error.status === 429) {
      return new Wait('rate-limited', error.retryAfterMs ?? retry.backoffMs(), 'Spirii asked to slow down (429)', {
        key: 'slow-down',
        params: { status: 429 },
      });
    }
    return new Wait('backoff', retry.backoffMs(), `Spirii answered ${error.status}: ${error.message}`, {
      key: 'spirii-answered',
      params: { status: error.status, spirii: error.message },
    });
  }
  if (error instanceof NetworkError) {
    return new Wait(
      error.mayHaveReached ? 'backoff' : 'offline',
      retry.backoffMs(),
      error.message,
      error.detail ?? { key: 'unexpected', params: { error: error.message } },
    );
  }
  const text = error instanceof Error ? error.message : String(error);
  return new Wait('backoff', retry.backoffMs(), text, { key: 'unexpected', params: { error: text } });
}

/**
 * One sleep at a time, which wake() ends early (new work, "Sync now"). halt() (stop) ends it and
 * every sleep begun after it until resume(): a stop that comes while a request is out is not
 * missed by the wait the pass reaches next (a rate-limit window, up to an hour).
 */
export class Sleeper {
  private current: () => void = () => {};
  private halted = false;

  /** Wait for `ms` (Infinity: until woken; never longer than a timer can count), or until woken. */
  sleep(ms: number): Promise<void> {
    if (this.halted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = Number.isFinite(ms) ? setTimeout(done, Math.min(MAX_TIMER_MS, Math.max(0, ms))) : undefined;
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.current = done;
    });
  }

  wake(): void {
    this.current();
  }

  halt(): void {
    this.halted = true;
    this.current();
  }

  resume(): void {
    this.halted = false;
  }
}
