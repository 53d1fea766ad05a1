/** The Spirii API as Token Station uses it (../shared/spirii-api.md), over the platform's fetch. */
import type { CustomerPage, Page, SpiriiToken, TokenCreate, TokenPatch, TokenQuery } from '../token';
import { AnswerError, ApiError, errorMessage, parseRetryAfter, toNetworkError } from './errors';
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
  private readonly requestTimeoutMs: number;
  private readonly fetch: typeof fetch;

  private current: ApiConnection;

  constructor(
    connection: ApiConnection,
    private readonly options: SpiriiClientOptions = {},
  ) {
    this.current = connection;
    // Whoever made this client, the key it sends is hidden wherever a text is redacted.
    registerSecret(connection.apiKey);
    this.requestTimeoutMs = options.timeoutMs ?? 20_000;
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

  /** The client's own timeout per request: a request may reach Spirii up to this long after it was sent. */
  get timeoutMs(): number {
    return this.requestTimeoutMs;
  }

  /** Throws AnswerError unless the answer is a list of tokens with unique positive integer ids, each for a UID that was sent. */
  async createTokens(tokens: readonly TokenCreate[]): Promise<SpiriiToken[]> {
    const answer = await this.request<unknown>('POST', '/v2/tokens', undefined, tokens);
    checkCreated(answer, tokens);
    return answer;
  }

  /** Throws AnswerError unless the answer is a page of tokens. */
  async listTokens(query: TokenQuery = {}): Promise<Page<SpiriiToken>> {
    const answer = await this.request<unknown>('GET', '/v2/tokens', query as Record<string, unknown>);
    checkTokenPage(answer);
    return answer;
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
    const send = () =>
      this.fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.requestTimeoutMs),
      });
    try {
      response = await send();
    } catch (error) {
      const failure = toNetworkError(error, url.href);
      // A kept-alive connection the server closed as this request went out on it: a read is asked
      // once more (the pool opens a fresh connection); a write is not, it may have reached Spirii.
      if (method !== 'GET' || !RESET_BEFORE_ANSWER.has(failure.code ?? '')) throw failure;
      try {
        response = await send();
      } catch (again) {
        throw toNetworkError(again, url.href);
      }
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

/** A connection that was reset or closed by the other side before any answer came. */
const RESET_BEFORE_ANSWER = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

// ---------------------------------------------------------------------------------------------
// Answers are checked before they are believed.

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/** A token as far as the sync relies on it: a positive integer id, a customer, an identifier. */
function tokenProblem(value: unknown): string | null {
  if (!isObject(value)) return 'an item is not a token';
  if (!isId(value.id)) return `a token's id is ${JSON.stringify(value.id) ?? 'missing'}, not a positive integer`;
  if (!isId(value.customerId)) return `token ${value.id} has no valid customerId`;
  if (!isObject(value.identifier)) return `token ${value.id} has no identifier`;
  const uid = value.identifier.uid;
  if (uid !== undefined && uid !== null && typeof uid !== 'string') return `token ${value.id}'s UID is not text`;
  return null;
}

function checkCreated(answer: unknown, sent: readonly TokenCreate[]): asserts answer is SpiriiToken[] {
  const fail = (why: string) => {
    throw new AnswerError(`Spirii's answer to the POST of ${sent.length} token(s) was not believed: ${why}`);
  };
  if (!Array.isArray(answer)) return fail('it is not a list of tokens');
  const sentUids = new Set(sent.map((t) => t.identifier.uid?.toUpperCase()));
  const ids = new Set<number>();
  const uids = new Set<string>();
  for (const item of answer) {
    const problem = tokenProblem(item);
    if (problem) return fail(problem);
    const token = item as SpiriiToken;
    if (ids.has(token.id)) return fail(`id ${token.id} is given to more than one token (ids must be unique)`);
    ids.add(token.id);
    const uid = token.identifier.uid?.toUpperCase();
    if (uid === undefined || !sentUids.has(uid)) return fail(`it lists UID ${String(token.identifier.uid).slice(0, 40)}, which was not sent`);
    if (uids.has(uid)) return fail(`it lists UID ${uid} twice`);
    uids.add(uid);
  }
  if (answer.length > sent.length) return fail(`it lists ${answer.length} tokens for ${sent.length} sent`);
}

function checkTokenPage(answer: unknown): asserts answer is Page<SpiriiToken> {
  const fail = (why: string) => {
    throw new AnswerError(`Spirii's answer to a token lookup is not a page of tokens: ${why}`);
  };
  if (!isObject(answer)) return fail(Array.isArray(answer) ? 'a bare list, not a page' : 'not an object');
  if (!Array.isArray(answer.data)) return fail('it has no "data" list');
  if (!(typeof answer.count === 'number' && Number.isSafeInteger(answer.count) && answer.count >= 0)) return fail('its "count" is not a whole number');
  for (const item of answer.data) {
    const problem = tokenProblem(item);
    if (problem) return fail(problem);
  }
}
