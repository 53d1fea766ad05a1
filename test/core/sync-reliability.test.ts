/**
 * The sync worker against a Spirii that is slow, hostile or shared: late commits, a lease that
 * would lapse, answers that are not what they claim, waits that would never end, and one card at
 * two desks. Each case is a real HTTP exchange on loopback (the sandbox, or a small server that
 * answers the way a broken gateway would).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../electron/core/db/sqlite';
import { TokenQueue } from '../../electron/core/queue';
import { SpiriiClient } from '../../electron/core/api/client';
import { SyncWorker, type SyncWorkerOptions } from '../../electron/core/sync/worker';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../electron/sandbox/server';
import { tempDir } from '../support/temp';
import { tokenDraft, uidOf } from '../support/tokens';
import { reconcile } from '../../electron/core/io/reconcile';

const KEY = 'test-key';
const cleanups: (() => void | Promise<void>)[] = [];
let dir: string;
let removeDir: () => void;
let db: Db;
let queue: TokenQueue;

async function sandboxWith(options: Partial<SandboxOptions> = {}): Promise<Sandbox> {
  // 'accept': a double send shows up as two tokens instead of hiding behind a 409.
  const s = await startSandbox({ apiKey: KEY, duplicateUids: 'accept', rateLimit: false, ...options });
  cleanups.push(() => s.close());
  return s;
}

function workerFor(q: TokenQueue, url: string, options: SyncWorkerOptions & { timeoutMs?: number; fetch?: typeof fetch } = {}): SyncWorker {
  const { timeoutMs = 1_000, fetch: fetcher, ...rest } = options;
  const w = new SyncWorker(q, new SpiriiClient({ baseUrl: url, apiKey: KEY }, { timeoutMs, fetch: fetcher }), {
    backoff: { baseMs: 20, capMs: 200 },
    serverMarginMs: 0,
    ...rest,
  });
  cleanups.push(() => w.stop());
  return w;
}

/** Another process's view of the same data folder. */
function secondQueue(): TokenQueue {
  const other = openDatabase(dir);
  cleanups.push(() => void other.close());
  return new TokenQueue(other);
}

function byUid(s: Sandbox): Map<string, number[]> {
  const ids = new Map<string, number[]>();
  for (const t of s.tokens()) ids.set(t.identifier.uid!, [...(ids.get(t.identifier.uid!) ?? []), t.id]);
  return ids;
}

function expectExactlyOnce(s: Sandbox, q: TokenQueue = queue): void {
  const held = byUid(s);
  for (const token of q.list()) {
    expect(token.state, token.uid).toBe('synced');
    expect(held.get(token.uid), token.uid).toEqual([token.spiriiId]);
  }
  expect(s.tokens()).toHaveLength(q.list().length);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Delays the answers to GET requests (Spirii read early, the answer is slow): lookups slower than the lease. */
function slowReads(ms: number): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    if ((init?.method ?? 'GET') === 'GET') await sleep(ms);
    return response;
  };
}

/** A server that answers each request with `answer(method, body)`; counts requests by method. */
async function hostile(answer: (req: IncomingMessage, body: unknown, res: ServerResponse) => void): Promise<{ url: string; counts: Record<string, number> }> {
  const counts: Record<string, number> = {};
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      counts[req.method!] = (counts[req.method!] ?? 0) + 1;
      answer(req, raw ? JSON.parse(raw) : undefined, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  cleanups.push(() => void server.closeAllConnections());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, counts };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const EMPTY_PAGE = { data: [], count: 0, limit: 100, offset: 0 };

/** A POST answer built from what was sent. */
function created(body: unknown, id: (index: number) => unknown) {
  return (body as { customerId: number; identifier: { uid: string; label?: string } }[]).map((t, i) => ({
    id: id(i),
    customerId: t.customerId,
    identifier: { type: 'rfid', uid: t.identifier.uid, label: t.identifier.label },
    isActive: true,
  }));
}

beforeEach(() => {
  ({ dir, cleanup: removeDir } = tempDir());
  db = openDatabase(dir);
  queue = new TokenQueue(db);
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  db.close();
  removeDir();
});

describe('in doubt: never looked up as absent while Spirii may still commit', () => {
  it('a POST Spirii commits 5.5 s after it arrived, the sync stopped at once and run again: looked up only after the bound, every UID once', async () => {
    // Client timeout 1 s plus a server-side margin of 6 s: the bound is 7 s after the attempt on disk.
    const s = await sandboxWith({ faults: { lateCommitMs: 5_500 } });
    for (let n = 1; n <= 3; n++) queue.add(tokenDraft(uidOf(n), { label: `L${n}` }));
    s.failNext('lateCommitDrop');
    const started = Date.now();
    const first = workerFor(queue, s.url, { serverMarginMs: 6_000 });
    first.start();
    await expect.poll(() => queue.counts().in_doubt, { timeout: 5_000 }).toBe(3);
    await first.stop();
    // The restart: a fresh process's queue and worker on the same data folder.
    const again = secondQueue();
    const status = await workerFor(again, s.url, { serverMarginMs: 6_000 }).settle(15_000);
    expect(status.counts).toMatchObject({ synced: 3, in_doubt: 0 });
    // Past the late commit: a second copy would be there by now.
    await sleep(6_000 - (Date.now() - started));
    expectExactlyOnce(s, again);
  }, 20_000);

  it('an answer that comes after the client timeout (no crash): the same', async () => {
    const s = await sandboxWith({ faults: { lateCommitMs: 5_500 } });
    queue.add(tokenDraft(uidOf(1), { label: 'L1' }));
    s.failNext('lateCommit');
    const started = Date.now();
    const status = await workerFor(queue, s.url, { serverMarginMs: 6_000 }).settle(15_000);
    expect(status.counts).toMatchObject({ synced: 1, in_doubt: 0 });
    await sleep(6_000 - (Date.now() - started));
    expectExactlyOnce(s);
  }, 20_000);

  it('looks a UID up once more right before re-sending it: a commit landing after the first lookup is adopted, not doubled', async () => {
    const s = await sandboxWith();
    queue.add(tokenDraft(uidOf(1), { label: 'L1' }));
    s.failNext('dropBeforeStore');
    let lookups = 0;
    // The late commit lands just after the first lookup after the bound answered "absent".
    const fetcher: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if ((init?.method ?? 'GET') === 'GET' && queue.counts().in_doubt === 1 && ++lookups === 1) {
        await fetch(`${s.url}/v2/tokens`, {
          method: 'POST',
          headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify([{ customerId: 1001, identifier: { type: 'rfid', uid: uidOf(1), label: 'L1' }, isActive: true, roamingEnabled: true, priorityChargingEnabled: true }]),
        });
      }
      return response;
    };
    const status = await workerFor(queue, s.url, { fetch: fetcher, timeoutMs: 300 }).settle(10_000);
    expect(lookups).toBe(1);
    expect(status.counts).toMatchObject({ synced: 1 });
    expectExactlyOnce(s);
  });
});

describe('the lease: held through every step; a process that lost it changes nothing', () => {
  async function fiveInDoubt(): Promise<number[]> {
    for (let n = 1; n <= 5; n++) queue.add(tokenDraft(uidOf(n), { label: `L${n}` }));
    const ids = queue.list().map((t) => t.id);
    queue.markChecked(ids);
    queue.claimPending(10, 'lost-attempt');
    queue.markInDoubt(ids, 'no answer');
    // The attempt was made long ago (a previous run): the bound is over, they are due for lookup.
    db.prepare('UPDATE tokens SET attempted_at = ?').run(new Date(Date.now() - 3_600_000).toISOString());
    return ids;
  }

  it('lookups slower than the lease and a second sync started meanwhile: the second waits, every UID once', async () => {
    const s = await sandboxWith();
    await fiveInDoubt();
    const first = workerFor(queue, s.url, { leaseTtlMs: 300, fetch: slowReads(800) });
    first.start();
    await sleep(500);
    const other = secondQueue();
    let secondWrites = 0;
    const second = workerFor(other, s.url, {
      leaseTtlMs: 300,
      fetch: async (input, init) => {
        if (init?.method === 'POST') secondWrites++;
        return fetch(input, init);
      },
    });
    second.start();
    await expect.poll(() => queue.counts().synced, { timeout: 10_000 }).toBe(5);
    await sleep(300);
    expect(secondWrites).toBe(0);
    expectExactlyOnce(s);
  }, 15_000);

  it('a process whose lease was taken over (its clock is an hour behind the other\'s) cannot change a row when its slow lookup answers', async () => {
    const s = await sandboxWith();
    await fiveInDoubt();
    const first = workerFor(queue, s.url, { leaseTtlMs: 300, fetch: slowReads(800) });
    first.start();
    await sleep(300);
    const other = secondQueue();
    // The other process's clock is an hour ahead: it sees the first one's lease as long expired.
    const second = workerFor(other, s.url, { leaseTtlMs: 300, now: () => Date.now() + 3_600_000 });
    const status = await second.settle(5_000);
    expect(status.counts.synced).toBe(5);
    // The first one's lookup answers now: it must not move the rows the second one settled.
    await sleep(2_000);
    expect(queue.counts()).toMatchObject({ synced: 5, pending: 0, in_doubt: 0, sending: 0 });
    expectExactlyOnce(s);
  }, 15_000);

  it('every state change after an answer names the state and attempt it expects', () => {
    queue.add(tokenDraft(uidOf(1)));
    const [token] = queue.list();
    queue.markChecked([token!.id]);
    queue.claimPending(1, 'attempt-a');
    queue.recoverInterrupted();
    queue.markChecked([token!.id]);
    // Another process took over: looked it up, found it absent, and sent it again under attempt-b.
    queue.returnToPending([token!.id], null, undefined, { state: 'in_doubt', attemptId: 'attempt-a' });
    queue.markChecked([token!.id]);
    queue.claimPending(1, 'attempt-b');
    // The first process's late answers about attempt-a change nothing.
    queue.markSynced([{ id: token!.id, spiriiId: 9 }], { state: 'sending', attemptId: 'attempt-a' });
    queue.returnToPending([token!.id], null, undefined, { state: 'in_doubt', attemptId: 'attempt-a' });
    queue.markInDoubt([token!.id], 'late', undefined, { state: 'sending', attemptId: 'attempt-a' });
    queue.markRejected([token!.id], 'late', undefined, { state: 'sending', attemptId: 'attempt-a' });
    expect(queue.get(token!.id)).toMatchObject({ state: 'sending', spiriiId: null });
    queue.markSynced([{ id: token!.id, spiriiId: 9 }], { state: 'sending', attemptId: 'attempt-b' });
    expect(queue.get(token!.id)).toMatchObject({ state: 'synced', spiriiId: 9 });
  });
});

describe('answers are checked before they are believed', () => {
  it.each([
    ['id null', () => null],
    ['a string id', (i: number) => String(500 + i)],
    ['the same id for every token', () => 77],
    ['id 0', () => 0],
  ])('a 201 with %s leaves the tokens in doubt with a clear error, not synced', async (_name, id) => {
    const server = await hostile((req, body, res) => (req.method === 'POST' ? json(res, 201, created(body, id)) : json(res, 200, EMPTY_PAGE)));
    for (let n = 1; n <= 3; n++) queue.add(tokenDraft(uidOf(n)));
    const w = workerFor(queue, server.url, { serverMarginMs: 60_000 });
    w.start();
    await expect.poll(() => queue.counts().in_doubt, { timeout: 5_000 }).toBe(3);
    expect(queue.counts().synced).toBe(0);
    expect(queue.list()[0]!.lastError).toMatch(/Spirii's answer .*(id|ids)/);
    expect(w.status.lastError).toMatch(/Spirii's answer/);
    expect(server.counts.POST).toBe(1);
  });

  it('a 201 listing a UID that was not sent: in doubt', async () => {
    const server = await hostile((req, body, res) =>
      req.method === 'POST'
        ? json(res, 201, created(body, (i) => 100 + i).map((t, i) => (i === 0 ? { ...t, identifier: { ...t.identifier, uid: '04FFFFFFFFFFFF' } } : t)))
        : json(res, 200, EMPTY_PAGE),
    );
    for (let n = 1; n <= 2; n++) queue.add(tokenDraft(uidOf(n)));
    const w = workerFor(queue, server.url, { serverMarginMs: 60_000 });
    w.start();
    await expect.poll(() => queue.counts().in_doubt, { timeout: 5_000 }).toBe(2);
    expect(queue.counts().synced).toBe(0);
  });

  it.each([
    ['an object without data', { hello: 'world' }],
    ['an array', []],
    ['a page whose items are not tokens', { data: [42], count: 1, limit: 100, offset: 0 }],
  ])('a GET answered with %s: a clear error, nothing sent', async (_name, page) => {
    const server = await hostile((req, _body, res) => json(res, 200, page));
    queue.add(tokenDraft(uidOf(1)));
    const w = workerFor(queue, server.url);
    w.start();
    await expect.poll(() => w.status.lastError, { timeout: 5_000 }).toMatch(/Spirii's answer .*not a page/);
    expect(w.status.lastError).not.toMatch(/Cannot read properties/);
    expect(server.counts.POST ?? 0).toBe(0);
    expect(queue.counts()).toMatchObject({ pending: 1, synced: 0 });
  });
});

describe('waits are bounded', () => {
  it.each([['999999'], ['3000000']])('Retry-After: %s waits at most an hour, without a timer overflow or a spin', async (retryAfter) => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    cleanups.push(() => void process.off('warning', onWarning));
    const server = await hostile((req, _body, res) =>
      req.method === 'POST' ? json(res, 429, { message: 'slow down' }, { 'retry-after': retryAfter }) : json(res, 200, EMPTY_PAGE),
    );
    queue.add(tokenDraft(uidOf(1)));
    const w = workerFor(queue, server.url);
    w.start();
    await expect.poll(() => w.status.phase, { timeout: 5_000 }).toBe('rate-limited');
    await sleep(500);
    expect(w.status.nextAttemptAt! - Date.now()).toBeLessThanOrEqual(3_600_000);
    expect(w.status.nextAttemptAt! - Date.now()).toBeGreaterThan(3_500_000);
    expect(warnings).toEqual([]);
    expect(server.counts.POST).toBe(1);
  });

  it('a clock that jumps a year ahead during a send and back: the token in doubt is looked up within the bound, no spin', async () => {
    const s = await sandboxWith();
    let offset = 365 * 24 * 3_600_000;
    const clock = () => Date.now() + offset;
    const q = new TokenQueue(db, { now: () => new Date(clock()) });
    q.add(tokenDraft(uidOf(1)));
    s.failNext('dropAfterStore');
    const w = workerFor(q, s.url, { now: clock, timeoutMs: 300 });
    w.start();
    await expect.poll(() => q.counts().in_doubt, { timeout: 5_000 }).toBe(1);
    offset = 0;
    w.poke();
    await expect.poll(() => q.counts().synced, { timeout: 5_000 }).toBe(1);
    const reads = s.stats.readRequests;
    await sleep(500);
    expect(s.stats.readRequests - reads).toBeLessThanOrEqual(1);
    expectExactlyOnce(s, q);
  });

  it('queue retry asks for an immediate lookup of tokens in doubt, from another process too', async () => {
    const s = await sandboxWith();
    queue.add(tokenDraft(uidOf(1)));
    s.failNext('dropAfterStore');
    // A long bound: without the request, the lookup would wait ten minutes.
    const first = workerFor(queue, s.url, { serverMarginMs: 600_000 });
    first.start();
    await expect.poll(() => queue.counts().in_doubt, { timeout: 5_000 }).toBe(1);
    await first.stop();
    // `token-station queue retry` in a CLI process: only the database is touched.
    secondQueue().retry();
    const status = await workerFor(queue, s.url, { serverMarginMs: 600_000 }).settle(3_000);
    expect(status.counts).toMatchObject({ synced: 1, in_doubt: 0 });
    expectExactlyOnce(s);
  });
});

describe('a UID Spirii holds more than once', () => {
  it('two data folders enrolling one card for two customers at the same moment: both show a conflict naming both Spirii tokens, neither synced', async () => {
    // Both pre-send checks answer before either POST is stored.
    const s = await sandboxWith({ faults: { latencyMs: 300 } });
    const second = tempDir();
    cleanups.push(second.cleanup);
    const otherDb = openDatabase(second.dir);
    cleanups.push(() => void otherDb.close());
    const other = new TokenQueue(otherDb);
    queue.add(tokenDraft(uidOf(1), { customerId: 1001, label: 'DESK-A' }));
    other.add(tokenDraft(uidOf(1), { customerId: 1002, label: 'DESK-B' }));
    const [a, b] = await Promise.all([workerFor(queue, s.url).settle(8_000), workerFor(other, s.url).settle(8_000)]);
    expect(s.tokens()).toHaveLength(2);
    const ids = s.tokens().map((t) => String(t.id));
    for (const [q, status] of [
      [queue, a],
      [other, b],
    ] as const) {
      const [row] = q.list();
      expect(row!.state).toBe('rejected');
      expect(row!.lastError).toContain(ids[0]!);
      expect(row!.lastError).toContain(ids[1]!);
      expect(row!.lastErrorDetail?.key).toBe('in-spirii-twice');
      expect(status.counts.synced).toBe(0);
    }
  }, 15_000);

  it('a lookup after doubt that finds the UID twice, one of them ours: a conflict, not adopted', async () => {
    const s = await sandboxWith();
    queue.add(tokenDraft(uidOf(1), { label: 'L1' }));
    s.failNext('dropAfterStore');
    const w = workerFor(queue, s.url);
    w.start();
    await expect.poll(() => queue.counts().in_doubt, { timeout: 5_000, interval: 10 }).toBe(1);
    // Meanwhile another desk created the same UID for someone else.
    await fetch(`${s.url}/v2/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify([{ customerId: 1002, identifier: { type: 'rfid', uid: uidOf(1) }, isActive: true, roamingEnabled: true, priorityChargingEnabled: true }]),
    });
    await expect.poll(() => queue.counts().rejected, { timeout: 5_000 }).toBe(1);
    expect(queue.list()[0]!.lastErrorDetail?.key).toBe('in-spirii-twice');
  });

  it('reconcile: a synced token whose UID Spirii holds twice becomes a conflict naming both', async () => {
    const s = await sandboxWith();
    queue.add(tokenDraft(uidOf(1), { label: 'L1' }));
    const status = await workerFor(queue, s.url).settle(5_000);
    expect(status.counts.synced).toBe(1);
    // Later, another desk creates the same UID for someone else (Spirii accepts it).
    await fetch(`${s.url}/v2/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify([{ customerId: 1002, identifier: { type: 'rfid', uid: uidOf(1) }, isActive: true, roamingEnabled: true, priorityChargingEnabled: true }]),
    });
    await reconcile({ queue, client: new SpiriiClient({ baseUrl: s.url, apiKey: KEY }) });
    const [row] = queue.list();
    expect(row).toMatchObject({ state: 'rejected', lastErrorDetail: { key: 'in-spirii-twice' } });
    for (const t of s.tokens()) expect(row!.lastError).toContain(`token ${t.id}`);
  });
});
