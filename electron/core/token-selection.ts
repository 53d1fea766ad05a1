/**
 * The ids of every token in Spirii matching a Tokens-screen query, for "select all N matching the
 * filters": the core pages through GET /v2/tokens (1,000 a page, the API's largest) so the window
 * never holds the tokens themselves, only their ids and a few to show in the confirmation.
 */
import type { Page, SpiriiToken, TokenQuery } from './token';

/** The most tokens one selection holds (a customer's whole fleet fits many times over). */
export const SELECTION_MAX = 100_000;
/** The API's largest page. */
const PAGE = 1000;
/** Tokens given back whole, for the confirmation's sample. */
const SAMPLE = 5;

export interface TokenSelection {
  ids: number[];
  /** Each id's `updatedAt` as read now: what a change queued for it is based on (never applied over a newer change). */
  updatedAt: string[];
  /** The tokens matching the query (may be more than `ids` when the selection was cut at SELECTION_MAX or `limit`). */
  count: number;
  /** The first few tokens of the selection. */
  sample: SpiriiToken[];
}

export type TokenLister = { listTokens(query: TokenQuery): Promise<Page<SpiriiToken>> };

/**
 * Ids of the tokens matching `query`, in its order, from `offset` (default 0) for at most `limit`
 * tokens (default: all, up to SELECTION_MAX). A shift-click across rows the window has not fetched
 * asks for one such range.
 */
export async function selectTokens(api: TokenLister, query: Omit<TokenQuery, 'offset' | 'limit'>, range: { offset?: number; limit?: number } = {}): Promise<TokenSelection> {
  const start = range.offset ?? 0;
  const wanted = Math.min(range.limit ?? SELECTION_MAX, SELECTION_MAX);
  const ids: number[] = [];
  const updatedAt: string[] = [];
  const seen = new Set<number>();
  const sample: SpiriiToken[] = [];
  let count = 0;
  let offset = start;
  while (ids.length < wanted) {
    const page = await api.listTokens({ ...query, offset, limit: Math.min(PAGE, wanted - ids.length) });
    count = page.count;
    for (const token of page.data) {
      // A token created meanwhile shifts the pages by one: the same token may come twice.
      if (seen.has(token.id)) continue;
      seen.add(token.id);
      ids.push(token.id);
      updatedAt.push(token.updatedAt);
      if (sample.length < SAMPLE) sample.push(token);
    }
    offset += page.data.length;
    if (page.data.length === 0 || offset >= count) break;
  }
  return { ids: ids.slice(0, wanted), updatedAt: updatedAt.slice(0, wanted), count, sample };
}
