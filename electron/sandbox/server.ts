/**
 * The built-in sandbox Spirii API: a loopback HTTP server that answers the endpoints the app uses
 * (../../shared/spirii-api.md) from memory, enforces the documented rate limits, and can be told to
 * misbehave (latency, dropped connections, 5xx, 429) so the client's retry and "did it arrive?"
 * logic can be exercised without touching real customers.
 *
 * This file is the server and its request pipeline; each stage has its own file (auth, rate-limit,
 * faults, routes over the store, http). Every request goes through the stages in this order:
 *   latency -> auth (401) -> rate limit (429) -> route (404/405) -> injected fault choice ->
 *   body (413/415) -> "before store" fault -> handler -> "after store" fault -> answer.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { Customer, SpiriiToken, TokenPatch } from '../core/token';
import { authenticate, keyDigest } from './auth';
import { ChangeLog, type AppliedChange } from './change-log';
import { DEMO_CUSTOMERS } from './demo-customers';
import { afterStore, beforeStore, FaultInjector, injectedTooManyRequests, type SandboxFault, type SandboxFaults } from './faults';
import { isLoopback, listen, parseJson, readJsonBody, send, urlOf, type Parsed } from './http';
import { message, type Headers, type Outcome } from './outcome';
import { bucketOf, DEFAULT_RATE_LIMIT, limitExceeded, RateLimiter, type RateLimits } from './rate-limit';
import { resolveRoute } from './routes';
import { applyPatch, SandboxStore } from './store';

export { DEMO_CUSTOMERS } from './demo-customers';
export type { AppliedChange } from './change-log';
export type { SandboxFault, SandboxFaults } from './faults';

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
  rateLimit?: RateLimits | false;
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

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host)) throw new Error(`The sandbox listens on loopback only; ${host} is not a loopback address`);
  if (typeof options.apiKey !== 'string' || options.apiKey === '') throw new Error('The sandbox needs a non-empty apiKey');
  const now = options.now ?? (() => new Date());
  const store = new SandboxStore({ customers: options.customers ?? DEMO_CUSTOMERS, now, statePath: options.statePath });
  const faults = new FaultInjector(options.faults ?? {}, options.random ?? Math.random);
  const limiter = new RateLimiter(options.rateLimit ?? DEFAULT_RATE_LIMIT, now);
  const stats: SandboxStats = { requests: 0, writeRequests: 0, readRequests: 0, tokensCreated: 0, rateLimited: 0, faultsInjected: 0 };
  const expectedKey = keyDigest(options.apiKey);
  const duplicateUids = options.duplicateUids ?? 'reject';
  const changes = new ChangeLog();
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
      return finish(limitExceeded(bucket, budget.headers), budget.headers);
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

    const before = beforeStore(fault, faults);
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
    finish(afterStore(fault, outcome), budget.headers);
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
      changes.record({ tokenId: id, patch, updatedAt: stored.updatedAt, by: 'behind' });
      return stored;
    },
    changeLog: () => changes.entries(),
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
