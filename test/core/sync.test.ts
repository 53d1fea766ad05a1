// The sync worker against the sandbox API over real HTTP on loopback, told to misbehave.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../electron/core/db/sqlite';
import { TokenQueue, type TokenDraft } from '../../electron/core/queue';
import { SpiriiClient } from '../../electron/core/api/client';
import { SyncWorker, type SyncStatus } from '../../electron/core/sync/worker';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../electron/sandbox/server';
import { tempDir } from '../support/temp';
import { tokenDraft, uidOf } from '../support/tokens';

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

  it('on 409, adopts the token Spirii already has for that UID instead of creating another', async () => {
    const s = await useSandbox({ duplicateUids: 'reject' });
    const other = new SpiriiClient({ baseUrl: s.url, apiKey: KEY });
    const [existing] = await other.createTokens([{ customerId: 1001, identifier: { type: 'rfid', uid: uidOf(1) } }]);
    queue.add(draft(1));
    queue.add(draft(2));
    const status = await makeWorker(s.url).settle(10_000);
    expect(status.counts.synced).toBe(2);
    expect(queue.list().find((t) => t.uid === uidOf(1))!.spiriiId).toBe(existing!.id);
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

  it('after a crash mid-send, checks Spirii before sending again', async () => {
    const s = await useSandbox();
    queue.add(draft(1));
    queue.add(draft(2));
    // A previous run claimed both and got token 1 created, then died before recording the answer.
    queue.claimPending(10, 'crashed-attempt');
    await new SpiriiClient({ baseUrl: s.url, apiKey: KEY }).createTokens([{ customerId: 1001, identifier: { type: 'rfid', uid: uidOf(1) } }]);
    const status = await makeWorker(s.url).settle(10_000);
    expect(status.counts.synced).toBe(2);
    expectExactlyOnce(s);
  });
});
