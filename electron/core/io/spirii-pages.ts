/**
 * Every page of `GET /v2/tokens` for a query, in id order so that tokens created meanwhile land
 * after the ones already read rather than shifting pages. The next page is requested while the
 * caller handles the current one, so a file writer and the API work at the same time. Rate limits
 * (429) are waited out and brief failures retried; cancelling stops between pages.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { SpiriiClient } from '../api/client';
import { ApiError, NetworkError } from '../api/errors';
import type { Page, SpiriiToken, TokenQuery } from '../token';

export const PAGE_SIZE = 1000;

export class Cancelled extends Error {
  constructor() {
    super('Cancelled');
    this.name = 'Cancelled';
  }
}

export interface PageOptions {
  signal?: AbortSignal;
  pageSize?: number;
  /** Told when a page waits for the rate limit or a retry, with the wait in ms. */
  onWait?: (ms: number, reason: string) => void;
  retries?: number;
}

/** The query's filters only: paging and order are this module's. */
export type TokenFilters = Omit<TokenQuery, 'offset' | 'limit'>;

async function fetchPage(client: SpiriiClient, query: TokenQuery, options: PageOptions): Promise<Page<SpiriiToken>> {
  const retries = options.retries ?? 4;
  for (let attempt = 0; ; attempt++) {
    if (options.signal?.aborted) throw new Cancelled();
    try {
      return await client.listTokens(query);
    } catch (error) {
      const rateLimited = error instanceof ApiError && error.status === 429;
      const transient = rateLimited || (error instanceof ApiError && error.status >= 500) || error instanceof NetworkError;
      if (!transient || attempt >= (rateLimited ? retries * 3 : retries)) throw error;
      const wait = rateLimited ? ((error as ApiError).retryAfterMs ?? 1000) : 500 * 2 ** attempt;
      options.onWait?.(wait, rateLimited ? 'Spirii asked to slow down' : (error as Error).message);
      await delay(wait, undefined, { signal: options.signal }).catch(() => {
        throw new Cancelled();
      });
    }
  }
}

/** Yields each page's new tokens (a token seen on an earlier page is not repeated) and the total the API reports. */
export async function* tokenPages(client: SpiriiClient, filters: TokenFilters, options: PageOptions = {}): AsyncGenerator<{ tokens: SpiriiToken[]; count: number }> {
  const limit = options.pageSize ?? PAGE_SIZE;
  const query = (offset: number): TokenQuery => ({ sortBy: 'id', sortDirection: 'asc', ...filters, offset, limit });
  const seen = new Set<number>();
  let offset = 0;
  let next = fetchPage(client, query(0), options);
  for (;;) {
    const page = await next;
    offset += page.data.length;
    const more = page.data.length === limit && offset < page.count;
    // Ask for the next page before handing this one over: the caller's work overlaps the request.
    if (more) {
      next = fetchPage(client, query(offset), options);
      next.catch(() => {}); // a prefetch abandoned by a cancel must not become an unhandled rejection
    }
    const tokens = page.data.filter((t) => !seen.has(t.id));
    for (const t of tokens) seen.add(t.id);
    yield { tokens, count: page.count };
    if (!more) return;
    if (options.signal?.aborted) throw new Cancelled();
  }
}
