// The sync worker against the sandbox API over real HTTP on loopback, told to misbehave.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE, openDatabase, type Db } from '../../electron/core/db/sqlite';
import { TokenQueue, type TokenDraft } from '../../electron/core/queue';
import { SpiriiClient } from '../../electron/core/api/client';
import { SyncWorker, type SyncStatus } from '../../electron/core/sync/worker';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../electron/sandbox/server';
import { tempDir } from '../support/temp';
import { tokenDraft, uidOf } from '../support/tokens';
import { windowStartClock } from '../sandbox/support';

const KEY = 'test-key';
let cleanup: () => void;
let dir: string;
let db: Db;
let queue: TokenQueue;
let sandbox: Sandbox | null;
let worker: SyncWorker | null;

function draft(n: number, extra: Partial<TokenDraft> = {}): TokenDraft {
  return tokenDraft(uidOf(n), { label: `L${n}`, ...extra });
}

async function useSandbox(options: Partial<SandboxOptions> = {}): Promise<Sandbox> {
  // 'accept' lets a double send show up as two tokens instead of being hidden by a 409.
  sandbox = await startSandbox({ apiKey: KEY, duplicateUids: 'accept', rateLimit: false, ...options });
  return sandbox;
}

function makeWorker(url: string, key = KEY, options: ConstructorParameters<typeof SyncWorker>[2] = {}): SyncWorker {
  worker = new SyncWorker(queue, new SpiriiClient({ baseUrl: url, apiKey: key }, { timeoutMs: 2_000 }), {
    backoff: { baseMs: 20, capMs: 200 },
    serverMarginMs: 0,
    ...options,
  });
  return worker;
}

/** Every UID the sandbox holds, with how many times. */
function held(s: Sandbox): Map<string, number[]> {
  const ids = new Map<string, number[]>();
  for (const t of s.tokens()) ids.set(t.identifier.uid!, [...(ids.get(t.identifier.uid!) ?? []), t.id]);
  return ids;
}

/** Spirii holds every local token exactly once, under the id the local row recorded. */
function expectExactlyOnce(s: Sandbox): void {
  const byUid = held(s);
  for (const token of queue.list()) {
    expect(token.state, token.uid).toBe('synced');
    expect(byUid.get(token.uid), token.uid).toEqual([token.spiriiId]);
  }
  expect(s.tokens()).toHaveLength(queue.list().length);
}

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  db = openDatabase(dir);
  queue = new TokenQueue(db);
  sandbox = null;
  worker = null;
});
afterEach(async () => {
  await worker?.stop();
  await sandbox?.close();
  db.close();
  cleanup();
});

describe('SyncWorker', () => {
  it('sends pending tokens as lists and records each Spirii id, matched by UID', async () => {
    const s = await useSandbox();
    for (let n = 1; n <= 250; n++) queue.add(draft(n));
    const status = await makeWorker(s.url, KEY, { batchSize: 100 }).settle(10_000);
    expect(status.counts).toMatchObject({ synced: 250, pending: 0, in_doubt: 0 });
    expect(s.stats.writeRequests).toBe(3);
    expectExactlyOnce(s);
    expect(s.tokens().find((t) => t.identifier.uid === uidOf(7))).toMatchObject({ customerId: 1001, identifier: { label: 'L7' } });
  });

  it('settle ends at its deadline even when the wall clock is set back while it waits', async () => {
    // A deadline read off the wall clock is missed when the clock goes back (or when the timer
    // fires a millisecond before Date.now() says it is due, as CI met): settle then waited for
    // the next status, here a backoff a minute away.
    const s = await useSandbox();
    const port = s.port;
    await s.close();
    sandbox = null;
    queue.add(draft(1));
    let setBack = 0;
    const w = makeWorker(`http://127.0.0.1:${port}`, KEY, { backoff: { baseMs: 60_000, capMs: 60_000 }, now: () => Date.now() - setBack });
    const clockGoesBack = setTimeout(() => (setBack = 3_600_000), 200);
    const settled = w.settle(1_000).then((status) => status.phase);
    const outcome = await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, 6_000, 'still waiting'))]);
    clearTimeout(clockGoesBack);
    expect(outcome).toBe('offline');
  });

  it('keeps tokens pending while the API is unreachable, and drains when it is back', async () => {
    const s = await useSandbox();
    const port = s.port;
    await s.close();
    sandbox = null;
    for (let n = 1; n <= 3; n++) queue.add(draft(n));
    const w = makeWorker(`http://127.0.0.1:${port}`);
    const states = new Set<string>();
    queue.onChange((tokens) => tokens.forEach((t) => states.add(t.state)));
    const statuses: SyncStatus[] = [];
    w.onStatus((st) => statuses.push(st));
    w.start();
    await expect.poll(() => statuses.some((st) => st.phase === 'offline'), { timeout: 5_000 }).toBe(true);
    // A refused connection sent nothing: the tokens go back to pending, never "in doubt".
    expect(states).not.toContain('in_doubt');
    expect(queue.counts().pending + queue.counts().sending).toBe(3);
    expect(statuses.find((st) => st.phase === 'offline')).toMatchObject({ online: false, lastError: expect.stringMatching(/offline/) });

    const back = await useSandbox({ port });
    await expect.poll(() => queue.counts().synced, { timeout: 5_000 }).toBe(3);
    expect(states).not.toContain('in_doubt');
    expectExactlyOnce(back);
    // The pass ends after the check for second copies that follows the sends.
    await expect.poll(() => w.status.phase, { timeout: 5_000 }).toBe('idle');
    expect(w.status).toMatchObject({ online: true, lastError: null });
  });

  it.each([
    ['an answer lost after Spirii stored the tokens', 'dropAfterStore' as const],
    ['a request lost before Spirii stored it', 'dropBeforeStore' as const],
    ['a 500 after storing', 'error5xxAfter' as const],
    ['a 502 before storing', 'badGateway' as const],
  ])('after %s, looks the UIDs up before sending again: each token exists exactly once', async (_name, fault) => {
    const s = await useSandbox();
    for (let n = 1; n <= 5; n++) queue.add(draft(n));
    s.failNext(fault, 1);
    const status = await makeWorker(s.url).settle(10_000);
    expect(status.counts.synced).toBe(5);
    expectExactlyOnce(s);
  });

  it('never resends a token in doubt while the lookup itself fails', async () => {
    const s = await useSandbox();
    queue.add(draft(1));
    s.failNext('dropAfterStore', 1);
    const w = makeWorker(s.url);
    w.start();
    await expect.poll(() => queue.counts().in_doubt + queue.counts().synced, { timeout: 5_000 }).toBe(1);
    // Every lookup now fails: the token must stay in doubt and must not be posted again.
    s.failNext('tooManyRequests', 1000);
    await new Promise((r) => setTimeout(r, 500));
    const writes = s.stats.writeRequests;
    expect(s.tokens()).toHaveLength(1);
    expect(writes).toBe(1);
    await w.stop();
  });

  it('isolates the one bad token of a list: the rest sync, it is rejected with the message', async () => {
    const s = await useSandbox();
    for (let n = 1; n <= 50; n++) queue.add(draft(n, n === 37 ? { customerId: 999_999 } : {}));
    const status = await makeWorker(s.url).settle(10_000);
    expect(status.counts).toMatchObject({ synced: 49, rejected: 1, pending: 0 });
    const bad = queue.list({ states: ['rejected'] })[0]!;
    expect(bad).toMatchObject({ uid: uidOf(37), lastError: expect.stringMatching(/^Spirii refused this token: .*999999/) });
    // One list request, then at most 2 x ceil(log2 50) more to isolate it.
    expect(s.stats.writeRequests).toBeLessThanOrEqual(1 + 2 * Math.ceil(Math.log2(50)));
    expect(s.tokens()).toHaveLength(49);
  });

  it('pauses on a refused key without failing any token', async () => {
    const s = await useSandbox();
    for (let n = 1; n <= 3; n++) queue.add(draft(n));
    const status = await makeWorker(s.url, 'wrong-key').settle(5_000);
    expect(status.phase).toBe('paused-auth');
    expect(status.lastError).toMatch(/refused the API key \(401\)/);
    expect(status.counts).toMatchObject({ pending: 3, rejected: 0, in_doubt: 0 });
    expect(s.tokens()).toHaveLength(0);
  });

  it('waits Retry-After on a 429, then sends', async () => {
    const s = await useSandbox({ faults: { retryAfterSeconds: 1 } });
    queue.add(draft(1));
    s.failNext('tooManyRequests', 1);
    const started = Date.now();
    const status = await makeWorker(s.url).settle(10_000);
    expect(status.counts.synced).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expectExactlyOnce(s);
  });

  it('keeps running after an unexpected failure, says so, and drains once it clears', async () => {
    const s = await useSandbox();
    queue.add(draft(1));
    const claim = queue.claimPending.bind(queue);
    let failOnce = true;
    queue.claimPending = (limit, attemptId) => {
      if (failOnce) {
        failOnce = false;
        throw new Error('SQLITE_FULL: database or disk is full');
      }
      return claim(limit, attemptId);
    };
    const w = makeWorker(s.url);
    const errors: (string | null)[] = [];
    w.onStatus((st) => errors.push(st.lastError));
    w.start();
    await expect.poll(() => queue.counts().synced, { timeout: 5_000 }).toBe(1);
    expect(errors).toContain('Sync failed unexpectedly: SQLITE_FULL: database or disk is full');
    expectExactlyOnce(s);
  });
});

/** Spirii (the sandbox) already has these tokens, created by someone else. */
async function createElsewhere(s: Sandbox, tokens: { n: number; customerId?: number; label?: string | null }[]) {
  const other = new SpiriiClient({ baseUrl: s.url, apiKey: KEY });
  return other.createTokens(
    tokens.map(({ n, customerId = 1001, label = `L${n}` }) => ({ customerId, identifier: { type: 'rfid', uid: uidOf(n), ...(label ? { label } : {}) } })),
  );
}

describe('SyncWorker: what Spirii already has', () => {
  it('checks new tokens against Spirii before sending: a UID already there is never sent, and the desk sees where', async () => {
    const s = await useSandbox();
    const [existing] = await createElsewhere(s, [{ n: 2, customerId: 1003, label: 'FJH-0007' }]);
    const writesBefore = s.stats.writeRequests;
    for (let n = 1; n <= 3; n++) queue.add(draft(n));
    const status = await makeWorker(s.url).settle(10_000);
    expect(status.counts).toMatchObject({ synced: 2, rejected: 1, pending: 0 });
    const dup = queue.findByUid(uidOf(2))!;
    expect(dup).toMatchObject({
      state: 'rejected',
      spiriiId: null,
      conflict: { spiriiId: existing!.id, customerId: 1003, label: 'FJH-0007' },
      lastError: expect.stringMatching(new RegExp(`Already in Spirii as token ${existing!.id} for customer 1003, label FJH-0007: not sent`)),
    });
    // One list of the two others; the duplicate went nowhere.
    expect(s.stats.writeRequests - writesBefore).toBe(1);
    expect(held(s).get(uidOf(2))).toEqual([existing!.id]);
  });

  it('never sends a token whose pre-send check could not be made', async () => {
    const s = await useSandbox();
    queue.add(draft(1));
    s.failNext('tooManyRequests', 1000); // every read (the check) is refused
    const w = makeWorker(s.url);
    w.start();
    await new Promise((r) => setTimeout(r, 600));
    expect(s.stats.writeRequests).toBe(0);
    expect(queue.findByUid(uidOf(1))).toMatchObject({ state: 'pending', spiriiCheckedAt: null });
    await w.stop();
  });

  it('on 409, adopts the token Spirii has only when customer and label are the ones queued', async () => {
    const s = await useSandbox({ duplicateUids: 'reject' });
    for (let n = 1; n <= 3; n++) queue.add(draft(n));
    // The pre-send check ran earlier and found nothing; since then the UIDs turned up in Spirii.
    queue.markChecked(queue.list().map((t) => t.id));
    const [same, other] = await createElsewhere(s, [{ n: 1 }, { n: 2, customerId: 1002 }]);
    const status = await makeWorker(s.url).settle(10_000);
    expect(status.counts).toMatchObject({ synced: 2, rejected: 1 });
    expect(queue.findByUid(uidOf(1))).toMatchObject({ state: 'synced', spiriiId: same!.id });
    expect(queue.findByUid(uidOf(2))).toMatchObject({
      state: 'rejected',
      spiriiId: null,
      conflict: { spiriiId: other!.id, customerId: 1002 },
      lastError: expect.stringMatching(/not the customer and label queued here: not adopted/),
    });
    expect(queue.findByUid(uidOf(3))).toMatchObject({ state: 'synced' });
    expect(s.tokens()).toHaveLength(3);
  });

  it('in doubt: a UID found under another customer is a conflict, not adopted and not sent again', async () => {
    const s = await useSandbox();
    queue.add(draft(1));
    queue.add(draft(2));
    queue.markChecked(queue.list().map((t) => t.id));
    // A previous run claimed both and died; meanwhile the UIDs exist in Spirii: one as ours, one someone else's.
    queue.claimPending(10, 'crashed-attempt');
    const [ours, theirs] = await createElsewhere(s, [{ n: 1 }, { n: 2, customerId: 1003, label: 'OTHER-1' }]);
    const writesBefore = s.stats.writeRequests;
    const status = await makeWorker(s.url).settle(10_000);
    expect(status.counts).toMatchObject({ synced: 1, rejected: 1, in_doubt: 0, pending: 0 });
    expect(queue.findByUid(uidOf(1))).toMatchObject({ state: 'synced', spiriiId: ours!.id });
    expect(queue.findByUid(uidOf(2))).toMatchObject({ state: 'rejected', spiriiId: null, conflict: { spiriiId: theirs!.id, customerId: 1003, label: 'OTHER-1' } });
    expect(s.stats.writeRequests).toBe(writesBefore);
  });

  it('looks up many tokens in doubt in a few reads, not one per token', async () => {
    const s = await useSandbox();
    for (let n = 1; n <= 300; n++) queue.add(draft(n));
    queue.markChecked(queue.list().map((t) => t.id));
    queue.claimPending(300, 'crashed-attempt');
    // The crashed run's request had stored the first 200.
    await new SpiriiClient({ baseUrl: s.url, apiKey: KEY }).createTokens(queue.list({ limit: 200, states: ['sending'] }).map((t) => ({ customerId: 1001, identifier: { type: 'rfid', uid: t.uid, label: t.label! } })));
    const readsBefore = s.stats.readRequests;
    const status = await makeWorker(s.url).settle(10_000);
    expect(status.counts).toMatchObject({ synced: 300, in_doubt: 0 });
    expectExactlyOnce(s);
    // One listing for the lookup, one for the look-up right before the re-send of the 100 absent,
    // one for the check for second copies after sending: each reads Spirii's list once.
    expect(s.stats.readRequests - readsBefore).toBeLessThanOrEqual(3);
  });
});

describe('SyncWorker: state on disk before each network step', () => {
  /** Reads the database from a second connection, as a crash would leave it, at the moment each request goes out. */
  function spyingFetch(seen: { method: string; rows: { state: string; attempt_id: string | null }[] }[]): typeof fetch {
    const other = new Database(path.join(dir, DATABASE_FILE), { readonly: true });
    return async (input, init) => {
      if (init?.method === 'POST') {
        const uids = (JSON.parse(String(init.body)) as { identifier: { uid: string } }[]).map((t) => t.identifier.uid);
        const rows = other.prepare(`SELECT state, attempt_id FROM tokens WHERE uid IN (${uids.map(() => '?').join(',')})`).all(...uids) as { state: string; attempt_id: string | null }[];
        seen.push({ method: 'POST', rows });
      }
      return fetch(input, init);
    };
  }

  it('every POST, including each half of a refused list, goes out with its rows "sending" under a new attempt id', async () => {
    const s = await useSandbox();
    for (let n = 1; n <= 8; n++) queue.add(draft(n, n === 6 ? { customerId: 999_999 } : {}));
    const seen: { method: string; rows: { state: string; attempt_id: string | null }[] }[] = [];
    worker = new SyncWorker(queue, new SpiriiClient({ baseUrl: s.url, apiKey: KEY }, { fetch: spyingFetch(seen) }), { serverMarginMs: 0, backoff: { baseMs: 20, capMs: 200 } });
    const status = await worker.settle(10_000);
    expect(status.counts).toMatchObject({ synced: 7, rejected: 1 });
    expect(seen.length).toBeGreaterThan(2);
    const attempts = seen.map(({ rows }) => {
      expect(rows.every((r) => r.state === 'sending' && r.attempt_id)).toBe(true);
      expect(new Set(rows.map((r) => r.attempt_id)).size).toBe(1);
      return rows[0]!.attempt_id;
    });
    expect(new Set(attempts).size).toBe(attempts.length);
  });

  it('a crash after the request left: in doubt on restart, looked up, synced; never re-sent blindly', async () => {
    const s = await useSandbox();
    queue.add(draft(1));
    queue.add(draft(2));
    queue.markChecked(queue.list().map((t) => t.id));
    // A previous run claimed both, got token 1 created, then died before recording the answer.
    queue.claimPending(10, 'crashed-attempt');
    await createElsewhere(s, [{ n: 1 }]);
    db.close();
    db = openDatabase(dir);
    queue = new TokenQueue(db);
    const states: string[] = [];
    queue.onChange((tokens) => tokens.forEach((t) => states.push(`${t.uid.slice(-1)}:${t.state}`)));
    const status = await makeWorker(s.url).settle(10_000);
    expect(status.counts.synced).toBe(2);
    expect(states.slice(0, 2)).toEqual(['1:in_doubt', '2:in_doubt']);
    expect(states).toContain('1:synced');
    expectExactlyOnce(s);
  });

  it('a crash, then the lookup fails: the tokens stay in doubt and nothing is sent', async () => {
    const s = await useSandbox();
    queue.add(draft(1));
    queue.markChecked(queue.list().map((t) => t.id));
    queue.claimPending(10, 'crashed-attempt');
    s.failNext('tooManyRequests', 1000);
    const w = makeWorker(s.url);
    w.start();
    await expect.poll(() => queue.counts().in_doubt, { timeout: 5_000 }).toBe(1);
    await new Promise((r) => setTimeout(r, 400));
    expect(queue.counts()).toMatchObject({ in_doubt: 1, pending: 0, sending: 0 });
    expect(s.stats.writeRequests).toBe(0);
    await w.stop();
  });

  it('waits the in-doubt bound (client timeout + server margin) before looking up a token whose request timed out', async () => {
    const s = await useSandbox();
    queue.add(draft(1));
    s.failNext('dropAfterStore', 1);
    const w = makeWorker(s.url, KEY, { serverMarginMs: 700 });
    w.start();
    await expect.poll(() => queue.counts().in_doubt, { timeout: 5_000 }).toBe(1);
    const readsAtDoubt = s.stats.readRequests;
    await new Promise((r) => setTimeout(r, 300));
    expect(s.stats.readRequests).toBe(readsAtDoubt);
    await expect.poll(() => queue.counts().synced, { timeout: 5_000 }).toBe(1);
    expectExactlyOnce(s);
  });

  it('only one worker sends a data folder\'s queue: a second one waits while the first holds the lease', async () => {
    const s = await useSandbox({ faults: { latencyMs: 150 } });
    for (let n = 1; n <= 3; n++) queue.add(draft(n));
    const first = makeWorker(s.url);
    const secondQueue = new TokenQueue(openDatabase(dir));
    const second = new SyncWorker(secondQueue, new SpiriiClient({ baseUrl: s.url, apiKey: KEY }), { serverMarginMs: 0 });
    first.start();
    await expect.poll(() => first.status.phase).toBe('syncing');
    const status = await second.settle(3_000);
    expect(status.phase).toBe('elsewhere');
    expect(status.lastError).toMatch(/Another Token Station \(process \d+\) is sending this queue/);
    await expect.poll(() => queue.counts().synced, { timeout: 5_000 }).toBe(3);
    expectExactlyOnce(s);
    secondQueue.db.close();
  });
});

describe('SyncWorker: pacing and pauses', () => {
  /** A minimal Spirii for the Retry-After forms the sandbox does not send: the first POST gets 429 with `retryAfter`. */
  async function tooManyOnce(retryAfter: () => string): Promise<{ url: string; posts: number[]; close: () => Promise<void> }> {
    const posts: number[] = [];
    let nextId = 1;
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        if (req.method === 'GET') return res.end(JSON.stringify({ data: [], count: 0 }));
        posts.push(Date.now());
        if (posts.length === 1) {
          res.writeHead(429, { 'retry-after': retryAfter() });
          return res.end(JSON.stringify({ message: 'slow down' }));
        }
        const tokens = JSON.parse(body) as { customerId: number; identifier: { uid: string } }[];
        res.writeHead(201);
        res.end(JSON.stringify(tokens.map((t) => ({ ...t, id: nextId++ }))));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, posts, close: () => new Promise((r) => server.close(() => r())) };
  }

  it('honours Retry-After given as an HTTP date', async () => {
    const api = await tooManyOnce(() => new Date(Date.now() + 2_000).toUTCString());
    try {
      queue.add(draft(1));
      const status = await makeWorker(api.url).settle(10_000);
      expect(status.counts.synced).toBe(1);
      // The date has whole seconds: at least one second, at most two.
      expect(api.posts[1]! - api.posts[0]!).toBeGreaterThanOrEqual(1_000);
    } finally {
      await api.close();
    }
  });

  it('falls back to backoff when Retry-After is malformed', async () => {
    const api = await tooManyOnce(() => 'in a while');
    try {
      queue.add(draft(1));
      const status = await makeWorker(api.url, KEY, { backoff: { baseMs: 20, capMs: 200 } }).settle(10_000);
      expect(status.counts.synced).toBe(1);
      // Backoff (at most 200 ms here), not a guess at a long wait; the bound leaves room for a loaded machine.
      expect(api.posts[1]! - api.posts[0]!).toBeLessThan(2_000);
    } finally {
      await api.close();
    }
  });

  it('with a refused key, probes at most once per period, however many cards are tapped, and fails no token', async () => {
    // Answers take 400 ms, as over a slow line: a probe is on its way when the test looks (as it was once in CI).
    const s = await useSandbox({ faults: { latencyMs: 400 } });
    queue.add(draft(1));
    const w = makeWorker(s.url, 'wrong-key', { authProbeMs: 400 });
    const started = Date.now();
    w.start();
    await expect.poll(() => w.status.phase).toBe('paused-auth');
    for (let n = 2; n <= 20; n++) {
      queue.add(draft(n));
      w.poke();
      await new Promise((r) => setTimeout(r, 80));
    }
    const elapsed = Date.now() - started;
    // The first request, then at most one probe per 400 ms.
    expect(s.stats.requests).toBeLessThanOrEqual(1 + Math.ceil(elapsed / 400));
    expect(queue.counts()).toMatchObject({ rejected: 0, in_doubt: 0 });
    // A probe may be on its way at this moment (the phase says 'syncing' while it is): it ends paused again.
    await expect.poll(() => w.status.phase).toBe('paused-auth');
    expect(w.status.lastError).toMatch(/refused the API key \(401\)/);
    await w.stop();
  });

  it('paces itself on X-RateLimit-Remaining/Reset so that the server never answers 429', async () => {
    const clock = windowStartClock();
    const s = await useSandbox({ rateLimit: { writesPerMinute: 3, readsPerMinute: 600 }, now: clock.now });
    // Five lists against three writes a minute: the last two must wait for the next window.
    for (let n = 1; n <= 5; n++) queue.add(draft(n));
    const w = makeWorker(s.url, KEY, { batchSize: 1, now: clock.ms });
    w.start();
    await expect.poll(() => w.status.phase, { timeout: 5_000 }).toBe('rate-limited');
    expect(w.status.nextAttemptAt).toBeGreaterThan(clock.ms());
    expect(s.stats.rateLimited).toBe(0);
    expect(queue.counts().synced).toBe(3);
    await w.stop();
  });
});

describe('SyncWorker: hold period', () => {
  it('holds new tokens for the hold period, then sends them', async () => {
    const s = await useSandbox();
    queue = new TokenQueue(db, { holdMinutes: () => 0.01 }); // 600 ms
    const t = queue.add(draft(1));
    expect(t).toMatchObject({ state: 'held', holdUntil: expect.any(String) });
    const w = makeWorker(s.url);
    w.start();
    await new Promise((r) => setTimeout(r, 300));
    expect(s.stats.writeRequests).toBe(0);
    // Checked against Spirii already while held, so a conflict shows during the hold.
    expect(queue.get(t.id)!.spiriiCheckedAt).not.toBeNull();
    await expect.poll(() => queue.counts().synced, { timeout: 5_000 }).toBe(1);
    expectExactlyOnce(s);
  });

  it('sends held tokens at once when the desk releases them', async () => {
    const s = await useSandbox();
    queue = new TokenQueue(db, { holdMinutes: () => 60 });
    for (let n = 1; n <= 3; n++) queue.add(draft(n));
    const w = makeWorker(s.url);
    const status = await w.settle(3_000);
    expect(status.counts).toMatchObject({ held: 3, synced: 0 });
    expect(s.stats.writeRequests).toBe(0);
    queue.release([queue.findByUid(uidOf(2))!.id]);
    await w.settle(3_000);
    expect(queue.counts()).toMatchObject({ held: 2, synced: 1 });
    queue.release();
    await w.settle(3_000);
    expect(queue.counts()).toMatchObject({ held: 0, synced: 3 });
    expectExactlyOnce(s);
  });
});
