/** The Spirii API as Token Station uses it (../shared/spirii-api.md), over the platform's fetch. */
import type { CustomerPage, Page, SpiriiToken, TokenCreate, TokenPatch, TokenQuery } from '../token';
import { ApiError, errorMessage, parseRetryAfter, toNetworkError } from './errors';
import { registerSecret } from '../logger';

export interface ApiConnection {
  /** e.g. https://api.spirii.com; paths such as /v2/tokens are appended. */
  baseUrl: string;
  apiKey: string;
}

export interface RateLimitState {
  limit: number;
  remaining: number;
  /** Epoch milliseconds when the window resets. */
  resetAt: number;
}

export interface SpiriiClientOptions {
  timeoutMs?: number;
  fetch?: typeof fetch;
  userAgent?: string;
}

type Method = 'GET' | 'POST' | 'PATCH';

/** Page sizes: a UID search rarely matches more than one; a full listing takes the API's maximum. */
const LOOKUP_PAGE = 100;
const LIST_PAGE = 1000;

export class SpiriiClient {
  /** The last rate-limit headers seen, per bucket (Spirii counts writes and reads apart). */
  readonly rateLimit: { write?: RateLimitState; read?: RateLimitState } = {};
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;

  private current: ApiConnection;

  constructor(
    connection: ApiConnection,
    private readonly options: SpiriiClientOptions = {},
  ) {
    this.current = connection;
    // Whoever made this client, the key it sends is hidden wherever a text is redacted.
    registerSecret(connection.apiKey);
    this.timeoutMs = options.timeoutMs ?? 20_000;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  get connection(): ApiConnection {
    return this.current;
  }

  /** Talk to another API (the desk switched connection): the rate limits seen so far belong to the old one. */
  use(connection: ApiConnection): void {
    this.current = connection;
    registerSecret(connection.apiKey);
    delete this.rateLimit.write;
    delete this.rateLimit.read;
  }

  createTokens(tokens: readonly TokenCreate[]): Promise<SpiriiToken[]> {
    return this.request<SpiriiToken[]>('POST', '/v2/tokens', undefined, tokens);
  }

  listTokens(query: TokenQuery = {}): Promise<Page<SpiriiToken>> {
    return this.request('GET', '/v2/tokens', query as Record<string, unknown>);
  }

  getToken(id: number): Promise<SpiriiToken> {
    return this.request('GET', `/v2/tokens/${id}`);
  }

  patchToken(id: number, patch: TokenPatch): Promise<SpiriiToken> {
    return this.request('PATCH', `/v2/tokens/${id}`, undefined, patch);
  }

  searchCustomers(search: string, page: { limit?: number; offset?: number } = {}): Promise<CustomerPage> {
    return this.request('GET', '/v2/customers', { search: search || undefined, ...page });
  }

  /** The RFID token with exactly this UID, if Spirii has one (search also matches substrings and labels). */
  async findTokenByUid(uid: string): Promise<SpiriiToken | undefined> {
    return (await this.findTokensByUid(uid))[0];
  }

  /** Every RFID token with exactly this UID (normally none or one), paging past substring matches. */
  async findTokensByUid(uid: string, beforeRequest?: () => Promise<void>): Promise<SpiriiToken[]> {
    const found: SpiriiToken[] = [];
    for (let offset = 0; ; offset += LOOKUP_PAGE) {
      await beforeRequest?.();
      const page = await this.listTokens({ search: uid, type: 'rfid', limit: LOOKUP_PAGE, offset });
      found.push(...page.data.filter((t) => t.identifier.uid?.toUpperCase() === uid));
      if (page.data.length < LOOKUP_PAGE || offset + page.data.length >= page.count) return found;
    }
  }

  /**
   * Which of these UIDs Spirii has, and where: a map from UID to the RFID tokens holding it
   * (absent: none). The API searches one UID at a time; reading Spirii's whole RFID list, 1,000
   * tokens a page, is cheaper once it takes fewer pages than there are UIDs, so the first page
   * (which tells the total) decides. Either way every UID is answered, or the call throws.
   */
  async lookupUids(uids: readonly string[], beforeRequest?: () => Promise<void>): Promise<Map<string, SpiriiToken[]>> {
    const wanted = new Set(uids);
    const found = new Map<string, SpiriiToken[]>();
    const note = (token: SpiriiToken) => {
      const uid = token.identifier.uid?.toUpperCase();
      if (uid === undefined || !wanted.has(uid)) return;
      found.set(uid, [...(found.get(uid) ?? []), token]);
    };
    if (wanted.size === 0) return found;
    if (wanted.size > 2) {
      await beforeRequest?.();
      // Ascending ids: a token created while paging is appended at the end, so none is skipped.
      const first = await this.listTokens({ type: 'rfid', sortBy: 'id', sortDirection: 'asc', limit: LIST_PAGE, offset: 0 });
      const pages = Math.ceil(first.count / LIST_PAGE);
      if (pages <= wanted.size) {
        first.data.forEach(note);
        for (let offset = first.data.length; offset < first.count; ) {
          await beforeRequest?.();
          const page = await this.listTokens({ type: 'rfid', sortBy: 'id', sortDirection: 'asc', limit: LIST_PAGE, offset });
          page.data.forEach(note);
          if (page.data.length === 0) break;
          offset += page.data.length;
        }
        return found;
      }
    }
    for (const uid of wanted) {
      const tokens = await this.findTokensByUid(uid, beforeRequest);
      if (tokens.length > 0) found.set(uid, tokens);
    }
    return found;
  }

  private async request<T>(method: Method, path: string, query?: Record<string, unknown>, body?: unknown): Promise<T> {
    // No key (none entered, or it could not be decrypted): refuse here rather than send "Bearer " to Spirii.
    if (!this.connection.apiKey) throw new ApiError(401, 'No API key for this connection: enter the key again in Settings → Connection.', 'no_key', undefined);
    const url = new URL(this.connection.baseUrl.replace(/\/+$/, '') + path);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.connection.apiKey}`,
      accept: 'application/json',
      'user-agent': this.options.userAgent ?? 'TokenStation',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';

    let response: Response;
    try {
      response = await this.fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw toNetworkError(error, url.href);
    }
    this.noteRateLimit(method === 'GET' ? 'read' : 'write', response.headers);

    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw toNetworkError(error, url.href);
    }
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const { message, code } = errorMessage(parsed, `${response.status} ${response.statusText || 'error'}`);
      throw new ApiError(response.status, message, code, parseRetryAfter(response.headers.get('retry-after')));
    }
    if (parsed === undefined) throw new ApiError(response.status, `Spirii answered ${response.status} without a JSON body`, undefined, undefined);
    return parsed as T;
  }

  private noteRateLimit(bucket: 'read' | 'write', headers: Headers): void {
    const limit = Number(headers.get('x-ratelimit-limit'));
    const remaining = Number(headers.get('x-ratelimit-remaining'));
    const reset = Number(headers.get('x-ratelimit-reset'));
    if (!headers.has('x-ratelimit-remaining') || !Number.isFinite(remaining) || !Number.isFinite(reset)) return;
    this.rateLimit[bucket] = { limit, remaining, resetAt: reset * 1000 };
  }
}
