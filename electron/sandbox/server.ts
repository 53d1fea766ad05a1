/**
 * The built-in sandbox Spirii API: a loopback HTTP server that answers the endpoints the app uses
 * (../../shared/spirii-api.md) from memory, enforces the documented rate limits, and can be told to
 * misbehave (latency, dropped connections, 5xx, 429) so the client's retry and "did it arrive?"
 * logic can be exercised without touching real customers.
 *
 * Every request goes through one pipeline, in this order:
 *   latency -> auth (401) -> rate limit (429) -> route (404/405) -> injected fault choice ->
 *   body (413/415) -> "before store" fault -> handler -> "after store" fault -> answer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, timingSafeEqual } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Customer, SpiriiToken, TokenPatch } from '../core/token';
import { DEMO_CUSTOMERS } from './demo-customers';
import { applyPatch, SandboxStore, type DuplicateUid } from './store';
import { checkCreateBody, checkCustomerQuery, checkPatchBody, checkTokenId, checkTokenQuery, validityProblem } from './validate';

export { DEMO_CUSTOMERS } from './demo-customers';

export interface SandboxFaults {
  /** Delay before handling each request (default 0). */
  latencyMs: number;
  /** Probability 0..1: destroy the socket without storing or answering (POST/PATCH). */
  dropBeforeStore: number;
  /** Probability: store the tokens, then destroy the socket without answering (POST/PATCH). */
  dropAfterStore: number;
  /** Probability: answer 500/502/503 without storing (POST/PATCH). */
  error5xxBefore: number;
  /** Probability: store, then answer 500 (POST/PATCH). */
  error5xxAfter: number;
  /** Probability: store, then hold the answer back for slowAnswerMs (past a client's timeout) (POST/PATCH). */
  slowAfterStore: number;
  /** How long a slowAfterStore answer is held back (default 30,000 ms). */
  slowAnswerMs: number;
  /** Probability: store only lateCommitMs after the request arrived, then answer (POST/PATCH). */
  lateCommit: number;
  /** Probability: cut the connection at once, then store lateCommitMs after the request arrived (POST/PATCH). */
  lateCommitDrop: number;
  /** When a late commit takes effect, counted from the request's arrival (default 12,000 ms). */
  lateCommitMs: number;
  /** Probability: answer 429 with Retry-After (any request). */
  tooManyRequests: number;
  /** The Retry-After value used for injected 429s (default 1). */
  retryAfterSeconds: number;
}

export type SandboxFault =
  | 'dropBeforeStore'
  | 'dropAfterStore'
  | 'error5xxBefore'
  | 'error5xxAfter'
  | 'slowAfterStore'
  | 'lateCommit'
  | 'lateCommitDrop'
  | 'tooManyRequests'
  | 'badGateway';

export interface SandboxOptions {
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default '127.0.0.1'. Must be a loopback address: the sandbox accepts a shared key and is never a network service. */
  host?: string;
  /** The only accepted Bearer key. */
  apiKey: string;
  /** Default DEMO_CUSTOMERS. */
  customers?: Customer[];
  /** Default 'reject': POSTing an rfid UID that already exists -> 409. 'accept' lets a double send be seen (soak tests). */
  duplicateUids?: 'reject' | 'accept';
  /** Default { writesPerMinute: 120, readsPerMinute: 600 }, fixed one-minute windows; false turns limiting (and its headers) off. */
  rateLimit?: { writesPerMinute: number; readsPerMinute: number } | false;
  faults?: Partial<SandboxFaults>;
  /** Default Math.random; tests pass a seeded one. */
  random?: () => number;
  /** Load tokens from this JSON file at start and rewrite it (tmp + rename, synchronously) after every mutation. */
  statePath?: string;
  now?: () => Date;
}

export interface SandboxStats {
  requests: number;
  writeRequests: number;
  readRequests: number;
  tokensCreated: number;
  rateLimited: number;
  faultsInjected: number;
}

/** A change the sandbox applied to a stored token. */
export interface AppliedChange {
  tokenId: number;
  patch: TokenPatch;
  /** The token's updatedAt after it. */
  updatedAt: string;
  by: 'api' | 'behind';
}

export interface Sandbox {
  /** E.g. 'http://127.0.0.1:43123' (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** A snapshot of the counters at the time of reading. */
  readonly stats: SandboxStats;
  setFaults(faults: Partial<SandboxFaults>): void;
  /** Deterministic one-shot faults for tests: the next `count` matching requests get this fault. */
  failNext(fault: SandboxFault, count?: number): void;
  /** A copy of everything stored. */
  tokens(): SpiriiToken[];
  /**
   * Change a token as someone else would in Spirii (another desk, Spirii's own portal), behind
   * this client's back: updatedAt moves on. Returns the token as changed.
   */
  changeToken(id: number, patch: TokenPatch): SpiriiToken;
  /** Every change applied to a token, in order: by a PATCH of the API, or by changeToken. */
  changeLog(): readonly AppliedChange[];
  /** Closes the server and destroys open sockets. */
  close(): Promise<void>;
}

const DEFAULT_FAULTS: SandboxFaults = {
  latencyMs: 0,
  dropBeforeStore: 0,
  dropAfterStore: 0,
  error5xxBefore: 0,
  error5xxAfter: 0,
  slowAfterStore: 0,
  slowAnswerMs: 30_000,
  lateCommit: 0,
  lateCommitDrop: 0,
  lateCommitMs: 12_000,
  tooManyRequests: 0,
  retryAfterSeconds: 1,
};
const DEFAULT_RATE_LIMIT = { writesPerMinute: 120, readsPerMinute: 600 };
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const WINDOW_MS = 60_000;

type Bucket = 'read' | 'write';
type Headers = Record<string, string>;

/** What a stage decided: an answer to send, or a connection to cut without one. */
type Outcome = { kind: 'reply'; status: number; body: unknown; headers?: Headers; html?: string } | { kind: 'drop' };

function reply(status: number, body: unknown, headers?: Headers): Outcome {
  return { kind: 'reply', status, body, headers };
}

function message(status: number, text: string, headers?: Headers): Outcome {
  return reply(status, { message: text }, headers);
}

/** Writes are what the rate limit and the store-related faults care about. */
function bucketOf(method: string | undefined): Bucket {
  return method === 'POST' || method === 'PATCH' || method === 'PUT' || method === 'DELETE' ? 'write' : 'read';
}

// ---------------------------------------------------------------------------------------------
// Authentication

const AUTH_SCHEME = /^Bearer\s+(\S+)\s*$/i;

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * Every failure is 401 (never 403): the sandbox has no scopes, so "wrong key" and "no key" mean
 * the same to a client: stop and ask for a valid key. Keys are compared as digests in constant time.
 */
function authenticate(header: string | undefined, expected: Buffer, requestId: string): Outcome | undefined {
  const match = header === undefined ? null : AUTH_SCHEME.exec(header);
  if (match && timingSafeEqual(digest(match[1]), expected)) return undefined;
  const [code, text] =
    header === undefined
      ? ['missing_api_key', 'No API key: send Authorization: Bearer <API key>']
      : match
        ? ['invalid_api_key', 'The API key is not valid']
        : ['invalid_authorization_header', 'The Authorization header must be "Bearer <API key>"'];
  return reply(401, { error: { type: 'authentication_error', code, message: text, request_id: requestId } });
}

// ---------------------------------------------------------------------------------------------
// Rate limits: fixed one-minute windows aligned to the clock, one counter per bucket.

class RateLimiter {
  private readonly windows: Record<Bucket, { start: number; used: number }> = {
    read: { start: 0, used: 0 },
    write: { start: 0, used: 0 },
  };

  constructor(
    private readonly limits: { writesPerMinute: number; readsPerMinute: number } | false,
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

// ---------------------------------------------------------------------------------------------
// Injected faults: all of the fault logic lives here and in the two apply* functions below.

const WRITE_FAULTS = ['dropBeforeStore', 'dropAfterStore', 'error5xxBefore', 'error5xxAfter', 'slowAfterStore', 'lateCommit', 'lateCommitDrop'] as const;
const BEFORE_STORE = new Set<SandboxFault>(['dropBeforeStore', 'error5xxBefore', 'badGateway']);
const AFTER_STORE = new Set<SandboxFault>(['dropAfterStore', 'error5xxAfter']);

class FaultInjector {
  private faults: SandboxFaults;
  private readonly queue: { fault: SandboxFault; remaining: number }[] = [];

  constructor(
    initial: Partial<SandboxFaults>,
    private readonly random: () => number,
  ) {
    this.faults = checkedFaults({ ...DEFAULT_FAULTS, ...initial });
  }

  get latencyMs(): number {
    return this.faults.latencyMs;
  }

  get slowAnswerMs(): number {
    return this.faults.slowAnswerMs;
  }

  get lateCommitMs(): number {
    return this.faults.lateCommitMs;
  }

  get retryAfterSeconds(): number {
    return this.faults.retryAfterSeconds;
  }

  set(changes: Partial<SandboxFaults>): void {
    this.faults = checkedFaults({ ...this.faults, ...changes });
  }

  queueNext(fault: SandboxFault, count: number): void {
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`failNext count must be an integer >= 1 (got ${count})`);
    this.queue.push({ fault, remaining: count });
  }

  /**
   * The fault for this request, if any. Queued faults go first and in order; only 429s apply to
   * reads, because the rest simulate the one question that matters: did a write take effect?
   */
  pick(bucket: Bucket): SandboxFault | undefined {
    return this.takeQueued(bucket) ?? this.roll(bucket);
  }

  /** Which 5xx an error5xxBefore answers with: a real outage shows all three. */
  serverErrorStatus(): number {
    return [500, 502, 503][Math.min(2, Math.floor(this.random() * 3))];
  }

  private takeQueued(bucket: Bucket): SandboxFault | undefined {
    const index = this.queue.findIndex((entry) => appliesTo(entry.fault, bucket));
    if (index < 0) return undefined;
    const entry = this.queue[index];
    entry.remaining -= 1;
    if (entry.remaining === 0) this.queue.splice(index, 1);
    return entry.fault;
  }

  /** Draws only for faults that are switched on, so a seeded run's sequence does not depend on unused ones. */
  private roll(bucket: Bucket): SandboxFault | undefined {
    if (this.faults.tooManyRequests > 0 && this.random() < this.faults.tooManyRequests) return 'tooManyRequests';
    if (bucket !== 'write') return undefined;
    const total = WRITE_FAULTS.reduce((sum, fault) => sum + this.faults[fault], 0);
    if (total === 0) return undefined;
    // One draw over the faults' consecutive intervals: they are exclusive outcomes of one request.
    let roll = this.random();
    for (const fault of WRITE_FAULTS) {
      if (roll < this.faults[fault]) return fault;
      roll -= this.faults[fault];
    }
    return undefined;
  }
}

function appliesTo(fault: SandboxFault, bucket: Bucket): boolean {
  return fault === 'tooManyRequests' || bucket === 'write';
}

function checkedFaults(faults: SandboxFaults): SandboxFaults {
  for (const fault of [...WRITE_FAULTS, 'tooManyRequests'] as const) {
    const p = faults[fault];
    if (!(p >= 0 && p <= 1)) throw new RangeError(`fault ${fault} must be a probability from 0 to 1 (got ${p})`);
  }
  if (!(faults.latencyMs >= 0)) throw new RangeError(`latencyMs must be >= 0 (got ${faults.latencyMs})`);
  if (!(faults.slowAnswerMs >= 0)) throw new RangeError(`slowAnswerMs must be >= 0 (got ${faults.slowAnswerMs})`);
  if (!(faults.lateCommitMs >= 0)) throw new RangeError(`lateCommitMs must be >= 0 (got ${faults.lateCommitMs})`);
  if (!(Number.isInteger(faults.retryAfterSeconds) && faults.retryAfterSeconds >= 0)) {
    throw new RangeError(`retryAfterSeconds must be a whole number >= 0 (got ${faults.retryAfterSeconds})`);
  }
  return faults;
}

/** A 502 comes from a proxy in real life, so it is HTML: the client must fall back to the status text. */
const BAD_GATEWAY_HTML = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n';

function serverError(status: number, text: string): Outcome {
  if (status === 502) return { kind: 'reply', status, body: undefined, html: BAD_GATEWAY_HTML };
  return message(status, text);
}

function applyBeforeStore(fault: SandboxFault, faults: FaultInjector): Outcome | undefined {
  switch (fault) {
    case 'dropBeforeStore':
      return { kind: 'drop' };
    case 'error5xxBefore':
      return serverError(faults.serverErrorStatus(), 'Injected fault: server error before storing');
    case 'badGateway':
      return serverError(502, 'Injected fault: bad gateway');
    default:
      return undefined;
  }
}

/** The request was handled (and perhaps stored) but the client never learns how it went. */
function applyAfterStore(fault: SandboxFault): Outcome {
  return fault === 'dropAfterStore' ? { kind: 'drop' } : message(500, 'Injected fault: server error after storing');
}

function injectedTooManyRequests(retryAfterSeconds: number): Outcome {
  return reply(
    429,
    { code: 'rate_limited', message: `Too many requests (injected); retry after ${retryAfterSeconds} s` },
    { 'Retry-After': String(retryAfterSeconds) },
  );
}

// ---------------------------------------------------------------------------------------------
// Routes

interface Context {
  store: SandboxStore;
  stats: SandboxStats;
  duplicateUids: 'reject' | 'accept';
  /** Every change applied to a stored token, in order (Sandbox.changeLog). */
  changes: AppliedChange[];
  now: Date;
  params: string[];
  query: URLSearchParams;
  body: unknown;
}

type Handler = (context: Context) => Outcome;

interface Route {
  pattern: RegExp;
  methods: Partial<Record<string, Handler>>;
}

const ROUTES: Route[] = [
  { pattern: /^\/v2\/tokens$/, methods: { GET: listTokens, POST: createTokens } },
  { pattern: /^\/v2\/tokens\/([^/]+)$/, methods: { GET: getToken, PATCH: patchToken } },
  { pattern: /^\/v2\/customers$/, methods: { GET: listCustomers } },
];

/** A malformed escape stays as it is, so the id check answers 400 instead of the decoder throwing a 500. */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function resolveRoute(method: string, pathname: string): { handler: Handler; params: string[] } | Outcome {
  for (const route of ROUTES) {
    const match = route.pattern.exec(pathname);
    if (!match) continue;
    const handler = route.methods[method];
    if (handler) return { handler, params: match.slice(1).map(safeDecode) };
    const allow = Object.keys(route.methods).join(', ');
    return message(405, `${method} is not allowed on ${pathname}; allowed: ${allow}`, { Allow: allow });
  }
  return message(404, `No such endpoint: ${pathname}`);
}

/** Names a field of item `index`, in the same form the validator uses. */
function fieldPath(list: boolean, index: number, field: string): string {
  return list ? `tokens[${index}].${field}` : field;
}

function duplicateText(list: boolean, duplicate: DuplicateUid): string {
  const path = fieldPath(list, duplicate.index, 'identifier.uid');
  return duplicate.existingId !== undefined
    ? `${path}: a token with UID ${duplicate.uid} already exists (id ${duplicate.existingId})`
    : `${path}: UID ${duplicate.uid} appears twice in this request (also tokens[${duplicate.firstIndex}])`;
}

function createTokens(context: Context): Outcome {
  const checked = checkCreateBody(context.body, context.now);
  if (!checked.ok) return message(400, checked.message);
  const { list, tokens } = checked.value;
  const unknownCustomers = tokens.flatMap((token, index) =>
    context.store.hasCustomer(token.customerId) ? [] : [`${fieldPath(list, index, 'customerId')}: customer ${token.customerId} not found`],
  );
  if (unknownCustomers.length > 0) return message(404, unknownCustomers.join('; '));
  if (context.duplicateUids === 'reject') {
    const duplicates = context.store.duplicateUids(tokens);
    if (duplicates.length > 0) {
      return reply(409, { code: 'duplicate', message: duplicates.map((duplicate) => duplicateText(list, duplicate)).join('; ') });
    }
  }
  const created = context.store.create(tokens);
  context.stats.tokensCreated += created.length;
  return reply(201, list ? created : created[0]);
}

function listTokens(context: Context): Outcome {
  const checked = checkTokenQuery(context.query);
  return checked.ok ? reply(200, context.store.query(checked.value)) : message(400, checked.message);
}

function getToken(context: Context): Outcome {
  const id = checkTokenId(context.params[0]);
  if (!id.ok) return message(400, id.message);
  const token = context.store.get(id.value);
  return token ? reply(200, token) : message(404, `Token ${id.value} not found`);
}

function patchToken(context: Context): Outcome {
  const id = checkTokenId(context.params[0]);
  if (!id.ok) return message(400, id.message);
  const patch = checkPatchBody(context.body);
  if (!patch.ok) return message(400, patch.message);
  const token = context.store.get(id.value);
  if (!token) return message(404, `Token ${id.value} not found`);
  const customerId = patch.value.customerId;
  if (customerId !== undefined && !context.store.hasCustomer(customerId)) return message(404, `customerId: customer ${customerId} not found`);
  const updated = applyPatch(token, patch.value, context.now);
  const problem = validityProblem(updated.validFrom, updated.expiresAt);
  if (problem) return message(400, `expiresAt: ${problem}`);
  const stored = context.store.replace(updated);
  if (!stored) return message(404, `Token ${id.value} not found`);
  context.changes.push({ tokenId: id.value, patch: patch.value, updatedAt: stored.updatedAt, by: 'api' });
  return reply(200, stored);
}

function listCustomers(context: Context): Outcome {
  const checked = checkCustomerQuery(context.query);
  return checked.ok ? reply(200, context.store.customers(checked.value)) : message(400, checked.message);
}

// ---------------------------------------------------------------------------------------------
// HTTP plumbing

type Parsed = { ok: true; value: unknown } | { ok: false; outcome: Outcome };

function isJsonType(contentType: string | undefined): boolean {
  if (contentType === undefined) return true;
  const type = contentType.split(';')[0].trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}

/** Reads at most MAX_BODY_BYTES; past that it stops reading, and the answer closes the connection. */
function readRawBody(request: IncomingMessage): Promise<Buffer | 'tooLarge'> {
  const declared = Number(request.headers['content-length']);
  if (declared > MAX_BODY_BYTES) return Promise.resolve('tooLarge');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        request.off('data', onData);
        request.pause();
        resolve('tooLarge');
      } else {
        chunks.push(chunk);
      }
    };
    request.on('data', onData);
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

async function readJsonBody(request: IncomingMessage): Promise<{ ok: true; raw: Buffer } | { ok: false; outcome: Outcome }> {
  if (!isJsonType(request.headers['content-type'])) {
    return { ok: false, outcome: message(415, `Content-Type must be application/json (got ${request.headers['content-type']})`) };
  }
  const raw = await readRawBody(request);
  if (raw === 'tooLarge') {
    // Connection: close makes Node destroy the socket once the answer is out, so the rest is never read.
    return { ok: false, outcome: message(413, `Body too large: at most ${MAX_BODY_BYTES} bytes`, { Connection: 'close' }) };
  }
  return { ok: true, raw };
}

function parseJson(raw: Buffer): Parsed {
  const text = raw.toString('utf8');
  if (text.trim() === '') return { ok: false, outcome: message(400, 'body: a JSON body is required') };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, outcome: message(400, `body: malformed JSON (${(error as Error).message})`) };
  }
}

function send(response: ServerResponse, outcome: Outcome, headers: Headers): void {
  if (response.destroyed || response.headersSent) return;
  if (outcome.kind === 'drop') {
    response.socket?.destroy();
    return;
  }
  const html = outcome.html;
  const payload = html ?? JSON.stringify(outcome.body);
  response.writeHead(outcome.status, {
    'Content-Type': html === undefined ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(payload)),
    'Cache-Control': 'no-store',
    ...headers,
    ...outcome.headers,
  });
  response.end(payload);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function urlOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

// ---------------------------------------------------------------------------------------------

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host)) throw new Error(`The sandbox listens on loopback only; ${host} is not a loopback address`);
  if (typeof options.apiKey !== 'string' || options.apiKey === '') throw new Error('The sandbox needs a non-empty apiKey');
  const now = options.now ?? (() => new Date());
  const store = new SandboxStore({ customers: options.customers ?? DEMO_CUSTOMERS, now, statePath: options.statePath });
  const faults = new FaultInjector(options.faults ?? {}, options.random ?? Math.random);
  const limiter = new RateLimiter(options.rateLimit ?? DEFAULT_RATE_LIMIT, now);
  const stats: SandboxStats = { requests: 0, writeRequests: 0, readRequests: 0, tokensCreated: 0, rateLimited: 0, faultsInjected: 0 };
  const expectedKey = digest(options.apiKey);
  const duplicateUids = options.duplicateUids ?? 'reject';
  const changes: AppliedChange[] = [];
  // Aborts pending latency waits on close, so no request outlives the server.
  const closing = new AbortController();

  async function pipeline(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const arrived = Date.now();
    const bucket = bucketOf(request.method);
    stats.requests += 1;
    stats[bucket === 'write' ? 'writeRequests' : 'readRequests'] += 1;
    const requestId = `req_sandbox_${stats.requests}`;
    const finish = (outcome: Outcome, headers: Headers) => send(response, outcome, { 'X-Request-Id': requestId, ...headers });

    if (faults.latencyMs > 0) await delay(faults.latencyMs, undefined, { signal: closing.signal });

    const denied = authenticate(request.headers.authorization, expectedKey, requestId);
    if (denied) return finish(denied, limiter.peek(bucket));

    const budget = limiter.take(bucket);
    if (!budget.allowed) {
      stats.rateLimited += 1;
      const limit = budget.headers['X-RateLimit-Limit'];
      return finish(reply(429, { code: 'rate_limited', message: `Rate limit of ${limit} ${bucket}s per minute exceeded` }), budget.headers);
    }

    const url = new URL(request.url ?? '/', 'http://sandbox');
    const route = resolveRoute(request.method ?? 'GET', url.pathname);
    if ('kind' in route) return finish(route, budget.headers);

    const fault = faults.pick(bucket);
    if (fault) stats.faultsInjected += 1;
    if (fault === 'tooManyRequests') return finish(injectedTooManyRequests(faults.retryAfterSeconds), budget.headers);

    // Read the whole body before any "before store" fault: the realistic failure is the server
    // dying after the request arrived, which leaves the client just as unsure.
    let raw: Buffer | undefined;
    if (bucket === 'write') {
      const body = await readJsonBody(request);
      if (!body.ok) return finish(body.outcome, budget.headers);
      raw = body.raw;
    }

    const before = fault && BEFORE_STORE.has(fault) ? applyBeforeStore(fault, faults) : undefined;
    if (before) return finish(before, budget.headers);

    const parsed: Parsed = raw === undefined ? { ok: true, value: undefined } : parseJson(raw);
    if (fault === 'lateCommit' || fault === 'lateCommitDrop') {
      // A server still working on a request its client gave up on (or lost the answer to): the
      // commit lands lateCommitMs after arrival, whoever is still waiting.
      if (fault === 'lateCommitDrop') send(response, { kind: 'drop' }, {});
      await delay(Math.max(0, arrived + faults.lateCommitMs - Date.now()), undefined, { signal: closing.signal });
    }
    const outcome = parsed.ok
      ? route.handler({ store, stats, duplicateUids, changes, now: now(), params: route.params, query: url.searchParams, body: parsed.value })
      : parsed.outcome;
    // The request took effect; the answer comes too late for a client that gave up waiting.
    if (fault === 'slowAfterStore') await delay(faults.slowAnswerMs, undefined, { signal: closing.signal });
    finish(fault && AFTER_STORE.has(fault) ? applyAfterStore(fault) : outcome, budget.headers);
  }

  const server = createServer((request, response) => {
    pipeline(request, response).catch((error: unknown) => {
      if (closing.signal.aborted) return;
      send(response, message(500, `Sandbox internal error: ${(error as Error).message}`), {});
    });
  });
  const address = await listen(server, options.port ?? 0, host);

  let closed: Promise<void> | undefined;
  return {
    url: urlOf(address),
    port: address.port,
    get stats() {
      return { ...stats };
    },
    setFaults: (changes) => faults.set(changes),
    failNext: (fault, count = 1) => faults.queueNext(fault, count),
    tokens: () => store.all(),
    changeToken(id, patch) {
      const token = store.get(id);
      if (!token) throw new Error(`The sandbox has no token ${id}`);
      const stored = store.replace(applyPatch(token, patch, now()));
      if (!stored) throw new Error(`The sandbox has no token ${id}`);
      changes.push({ tokenId: id, patch, updatedAt: stored.updatedAt, by: 'behind' });
      return stored;
    },
    changeLog: () => changes.map((c) => ({ ...c, patch: { ...c.patch } })),
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        closing.abort();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
