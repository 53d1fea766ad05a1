// Changes to tokens in Spirii, queued like creations: the desk's calls on a Station and the sync
// worker's changes step, against the sandbox API over real HTTP on loopback, told to misbehave.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Station } from '../../electron/core/station';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../electron/sandbox/server';
import type { SpiriiToken } from '../../electron/core/token';
import { InvalidChangeError } from '../../electron/core/changes/fields';
import { tempDir } from '../support/temp';
import { uidOf } from '../support/tokens';
import { windowStartClock } from '../sandbox/support';

const KEY = 'changes-key';
let dir: string;
let cleanup: () => void;
let sandbox: Sandbox | null;
let station: Station | null;

async function useSandbox(options: Partial<SandboxOptions> = {}): Promise<Sandbox> {
  sandbox = await startSandbox({ apiKey: KEY, rateLimit: false, ...options });
  return sandbox;
}

async function makeStation(s: Sandbox, timeoutMs = 1_000, now?: () => number): Promise<Station> {
  station = await Station.create({
    dataDir: dir,
    api: { baseUrl: s.url, apiKey: KEY },
    readers: { simulated: false },
    sync: { autoStart: false, timeoutMs, serverMarginMs: 0, backoff: { baseMs: 20, capMs: 100 }, now },
  });
  station.preferences.update({ operatorName: 'Clerk One' });
  return station;
}

/** Tokens created in Spirii directly (as another desk would have), for customer 1001. */
async function seed(st: Station, count: number, from = 1): Promise<SpiriiToken[]> {
  const uids = Array.from({ length: count }, (_, i) => uidOf(from + i));
  return st.client.createTokens(uids.map((uid, i) => ({ customerId: 1001, identifier: { type: 'rfid', uid, label: `L${from + i}` } })));
}

function apiPatches(s: Sandbox, tokenId?: number) {
  return s.changeLog().filter((c) => c.by === 'api' && (tokenId === undefined || c.tokenId === tokenId));
}

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  sandbox = null;
  station = null;
});
afterEach(async () => {
  await station?.close();
  await sandbox?.close();
  cleanup();
});

describe('changes queued like creations', () => {
  it('queues a change by UID with the updatedAt it is based on, audits it with the operator, and sends it with one PATCH', async () => {
    const s = await useSandbox();
    const st = await makeStation(s);
    const [token] = await seed(st, 1);
    const queued = await st.changes.changeTokens({ isActive: false, comment: 'Lost' }, [{ uid: token!.identifier.uid! }], 'cli');
    expect(queued.online).toBe(true);
    expect(queued.unresolved).toEqual([]);
    expect(queued.changes).toHaveLength(1);
    expect(queued.changes[0]).toMatchObject({ state: 'pending', spiriiId: token!.id, basedOn: token!.updatedAt, fields: { isActive: false, comment: 'Lost' } });
    // Nothing is sent until the sync runs.
    expect(apiPatches(s)).toHaveLength(0);
    const entry = st.audit.list({ actions: ['change'] })[0]!;
    expect(entry).toMatchObject({ operator: 'Clerk One', action: 'change', subject: token!.identifier.uid });
    expect(entry.details).toMatchObject({ step: 'queued', spiriiId: token!.id, fields: { isActive: false, comment: 'Lost' }, basedOn: token!.updatedAt });

    await st.sync.settle(10_000);
    expect(st.changes.get(queued.changes[0]!.id)).toMatchObject({ state: 'synced' });
    expect(s.tokens()[0]).toMatchObject({ isActive: false, comment: 'Lost' });
    expect(apiPatches(s)).toHaveLength(1);
    expect(st.changes.progress(queued.batch!.id)).toMatchObject({ total: 1, done: 1, failed: 0, waiting: 0, estimateMs: 0 });
  });

  it('refuses bad fields before anything is queued, and reports references that name no token', async () => {
    const s = await useSandbox();
    const st = await makeStation(s);
    await seed(st, 1);
    await expect(st.changes.changeTokens({ comment: 'x'.repeat(101) }, [{ uid: uidOf(1) }], 'cli')).rejects.toThrow(InvalidChangeError);
    await expect(st.changes.changeTokens({ label: 'new' }, [{ uid: uidOf(1) }], 'cli')).rejects.toThrow(/cannot be changed/);
    await expect(st.changes.changeTokens({}, [{ uid: uidOf(1) }], 'cli')).rejects.toThrow(/at least one field/);
    expect(st.changes.list()).toEqual([]);
    const queued = await st.changes.changeTokens({ roamingEnabled: false }, [{ uid: uidOf(1) }, { uid: uidOf(9) }, { label: 'L1' }, { label: 'nope' }], 'cli');
    // L1 names the same token as the UID: changed once.
    expect(queued.changes).toHaveLength(1);
    expect(queued.unresolved.map((u) => [u.reason, u.message])).toEqual([
      ['not-found', `Spirii has no token for card ${uidOf(9)}`],
      ['not-found', 'Spirii has no token for label nope'],
    ]);
  });

  it('queues offline from what the desk knows, then sends once Spirii is back', async () => {
    const statePath = `${dir}/spirii.json`;
    let s = await useSandbox({ statePath });
    const port = s.port;
    const st = await makeStation(s);
    // One card enrolled at this desk, one the desk has identified (seen) in Spirii.
    st.queue.add({ uid: uidOf(1), customerId: 1001, label: 'A1', validFrom: null, expiresAt: null, isActive: true, roamingEnabled: true, priorityChargingEnabled: true, billingReference: null, comment: null, source: 'test' });
    await st.sync.settle(10_000);
    const [seenToken] = await seed(st, 1, 2);
    await st.changes.resolve([{ uid: uidOf(2) }]);
    await s.close();

    const queued = await st.changes.changeTokens({ expiresAt: '2027-06-30T23:59:59Z' }, [{ uid: uidOf(1) }, { label: 'L2' }, { uid: uidOf(3) }], 'cli');
    expect(queued.online).toBe(false);
    expect(queued.changes.map((c) => [c.uid, c.basedOn])).toEqual([
      [uidOf(1), null], // enrolled here: no read of it to base on, the read before sending is the base
      [uidOf(2), seenToken!.updatedAt],
    ]);
    expect(queued.unresolved.map((u) => u.reason)).toEqual(['not-found']);
    const offline = await st.sync.settle(1_000);
    expect(offline.lastError).toMatch(/^Cannot reach/);
    expect(st.changes.counts()).toMatchObject({ pending: 2, synced: 0 });

    s = sandbox = await useSandbox({ statePath, port });
    st.sync.retryNow();
    await st.sync.settle(10_000);
    expect(st.changes.counts()).toMatchObject({ pending: 0, synced: 2 });
    expect(s.tokens().map((t) => t.expiresAt)).toEqual(['2027-06-30T23:59:59.000Z', '2027-06-30T23:59:59.000Z']);
  });

  it.each([
    ['the connection is cut after Spirii stored it', 'dropAfterStore'],
    ['Spirii answers 500 after storing it', 'error5xxAfter'],
  ] as const)('reads the token back when %s, and sends no second PATCH', async (_, fault) => {
    const s = await useSandbox();
    const st = await makeStation(s);
    const [token] = await seed(st, 1);
    const { changes } = await st.changes.changeTokens({ priorityChargingEnabled: false }, [{ uid: uidOf(1) }], 'cli');
    s.failNext(fault);
    await st.sync.settle(10_000);
    expect(st.changes.get(changes[0]!.id)).toMatchObject({ state: 'synced' });
    expect(apiPatches(s, token!.id)).toHaveLength(1);
  });

  it('reads the token back after a timeout, and sends no second PATCH when the first landed', async () => {
    const s = await useSandbox({ faults: { slowAnswerMs: 1_500 } });
    const st = await makeStation(s, 500);
    const [token] = await seed(st, 1);
    const { changes } = await st.changes.changeTokens({ billingReference: 'Fleet 7' }, [{ uid: uidOf(1) }], 'cli');
    s.failNext('slowAfterStore');
    await st.sync.settle(10_000);
    expect(st.changes.get(changes[0]!.id)).toMatchObject({ state: 'synced', attempts: 1 });
    expect(apiPatches(s, token!.id)).toHaveLength(1);
    expect(s.tokens()[0]!.billingReference).toBe('Fleet 7');
  });

  it('sends again only after reading back a change that did not land, once Spirii can no longer commit it', async () => {
    const s = await useSandbox();
    const st = await makeStation(s, 300);
    await seed(st, 1);
    const { changes } = await st.changes.changeTokens({ isActive: false }, [{ uid: uidOf(1) }], 'cli');
    s.failNext('dropBeforeStore');
    await st.sync.settle(10_000);
    expect(st.changes.get(changes[0]!.id)).toMatchObject({ state: 'synced', attempts: 2 });
    expect(apiPatches(s)).toHaveLength(1);
    expect(st.sync.readCounts.changes).toBeGreaterThanOrEqual(3); // read before, read back (early and after the bound), read before the re-send
  });

  it('never applies a change over a newer one made in Spirii: a conflict with both versions, and each choice', async () => {
    const s = await useSandbox();
    const st = await makeStation(s);
    const [a, b] = await seed(st, 2);
    const { changes } = await st.changes.changeTokens({ comment: 'mine' }, [{ uid: uidOf(1) }, { uid: uidOf(2) }], 'window');
    s.changeToken(a!.id, { comment: 'theirs A' });
    s.changeToken(b!.id, { comment: 'theirs B', isActive: false });
    await st.sync.settle(10_000);
    const [ca, cb] = changes.map((c) => st.changes.get(c.id)!);
    expect(ca).toMatchObject({ state: 'conflict', basedOn: a!.updatedAt, base: { comment: null }, remote: { comment: 'theirs A' } });
    expect(ca!.lastError).toMatch(/changed since this desk read it/);
    expect(cb).toMatchObject({ state: 'conflict', remote: { comment: 'theirs B', isActive: false } });
    expect(apiPatches(s)).toHaveLength(0);
    // A later change to a token in conflict waits for the clerk's choice: the sync is not held up by it.
    const later = await st.changes.changeTokens({ roamingEnabled: false }, [{ uid: uidOf(1) }], 'cli');
    await st.sync.settle(10_000);
    expect(st.changes.get(later.changes[0]!.id)!.state).toBe('pending');
    expect(st.changes.waiting()).toBe(0);

    st.changes.choose(ca!.id, 'apply-mine');
    st.changes.choose(cb!.id, 'keep-spirii');
    await st.sync.settle(10_000);
    expect(st.changes.get(ca!.id)).toMatchObject({ state: 'synced' });
    expect(st.changes.get(cb!.id)).toMatchObject({ state: 'discarded', lastErrorDetail: { key: 'kept-spirii' } });
    const byId = new Map(s.tokens().map((t) => [t.id, t]));
    expect(byId.get(a!.id)).toMatchObject({ comment: 'mine', roamingEnabled: false });
    expect(st.changes.get(later.changes[0]!.id)!.state).toBe('synced');
    expect(byId.get(b!.id)).toMatchObject({ comment: 'theirs B', isActive: false });
    expect(apiPatches(s).map((p) => p.tokenId)).toEqual([a!.id, a!.id]);
    expect(st.audit.list({ actions: ['change'] }).map((e) => e.details.step)).toEqual(expect.arrayContaining(['apply-mine', 'keep-spirii']));
    expect(() => st.changes.choose(ca!.id, 'apply-mine')).toThrow(/not in conflict/);
  });

  it('a change applied in Spirii after the desk queued it, but before an apply-mine, is again a conflict', async () => {
    const s = await useSandbox();
    const st = await makeStation(s);
    const [a] = await seed(st, 1);
    const { changes } = await st.changes.changeTokens({ comment: 'mine' }, [{ uid: uidOf(1) }], 'cli');
    s.changeToken(a!.id, { comment: 'theirs 1' });
    await st.sync.settle(10_000);
    st.changes.choose(changes[0]!.id, 'apply-mine');
    s.changeToken(a!.id, { comment: 'theirs 2' });
    await st.sync.settle(10_000);
    expect(st.changes.get(changes[0]!.id)).toMatchObject({ state: 'conflict', remote: { comment: 'theirs 2' } });
  });

  it('sends the changes to one token in order, a later one waiting for an earlier in doubt', async () => {
    const s = await useSandbox();
    const st = await makeStation(s, 300);
    const [a, b] = await seed(st, 2);
    const first = await st.changes.changeTokens({ comment: 'one' }, [{ uid: uidOf(1) }], 'cli');
    await st.changes.changeTokens({ comment: 'two', isActive: false }, [{ uid: uidOf(1) }, { uid: uidOf(2) }], 'cli');
    await st.changes.changeTokens({ comment: 'three' }, [{ uid: uidOf(1) }], 'cli');
    // The first change's request is cut before Spirii stores it: the token's later changes wait.
    s.failNext('dropBeforeStore');
    await st.sync.settle(10_000);
    expect(st.changes.counts()).toMatchObject({ synced: 4, conflict: 0, pending: 0, in_doubt: 0 });
    expect(st.changes.get(first.changes[0]!.id)!.attempts).toBe(2);
    expect(apiPatches(s, a!.id).map((p) => p.patch.comment)).toEqual(['one', 'two', 'three']);
    expect(apiPatches(s, b!.id).map((p) => p.patch.comment)).toEqual(['two']);
    expect(s.tokens().find((t) => t.id === a!.id)).toMatchObject({ comment: 'three', isActive: false });
  });

  it('respects the write limit: a 429 puts the change back, waits Retry-After, then sends it once', async () => {
    const s = await useSandbox({ faults: { retryAfterSeconds: 1 } });
    const st = await makeStation(s);
    await seed(st, 3);
    const { batch } = await st.changes.changeTokens({ roamingEnabled: false }, [1, 2, 3].map((n) => ({ uid: uidOf(n) })), 'cli');
    const phases: string[] = [];
    st.sync.onStatus((status) => phases.push(status.phase));
    // Reads are answered; the first PATCH is refused with 429 (faults are picked per request: the next write).
    s.failNext('tooManyRequests', 1);
    const started = Date.now();
    await st.sync.settle(10_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(phases).toContain('rate-limited');
    expect(st.changes.progress(batch!.id)).toMatchObject({ done: 3, waiting: 0 });
    expect(apiPatches(s)).toHaveLength(3);
  });

  it('waits for the next rate-limit window when Spirii says no writes remain', async () => {
    const clock = windowStartClock();
    const s = await useSandbox({ rateLimit: { writesPerMinute: 2, readsPerMinute: 600 }, now: clock.now });
    const st = await makeStation(s, 1_000, clock.ms);
    await seed(st, 1); // one write of the window's two
    await st.changes.changeTokens({ isActive: false }, [{ uid: uidOf(1) }], 'cli');
    await st.changes.changeTokens({ isActive: true }, [{ uid: uidOf(1) }], 'cli');
    const status = await st.sync.settle(1_500);
    // The second write took the window's last; the third change waits for the window to reset, and no 429 was needed.
    expect(status.phase).toBe('rate-limited');
    expect(s.stats.rateLimited).toBe(0);
    expect(st.changes.counts()).toMatchObject({ synced: 1, pending: 1 });
  });

  it('stops at once when told to while a request is on its way and the window then has no writes left', async () => {
    // The race CI met: stop() (the deadline of settle, closing the app) came while a request was
    // out; the pass then reached its rate-limit pause and slept out the window (up to an hour)
    // because the wake-up had been given before the sleep began.
    const clock = windowStartClock();
    const s = await useSandbox({ rateLimit: { writesPerMinute: 2, readsPerMinute: 600 }, now: clock.now, faults: { latencyMs: 300 } });
    const st = await makeStation(s, 2_000, clock.ms);
    await seed(st, 1); // one write of the window's two
    await st.changes.changeTokens({ isActive: false }, [{ uid: uidOf(1) }], 'cli');
    await st.changes.changeTokens({ isActive: true }, [{ uid: uidOf(1) }], 'cli');
    st.sync.start();
    // The first PATCH took the window's last write; the second change's read is now on its way.
    await expect.poll(() => apiPatches(s).length).toBe(1);
    const stopped = st.sync.stop().then(() => 'stopped');
    const outcome = await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 5_000, 'still waiting'))]);
    expect(outcome).toBe('stopped');
    expect(st.sync.status.phase).toBe('stopped');
    expect(st.changes.counts()).toMatchObject({ synced: 1, pending: 1 });
  });

  it('pauses, resumes and cancels a batch; progress counts it and estimates the time left from the write limit', async () => {
    const s = await useSandbox();
    const st = await makeStation(s);
    const tokens = await seed(st, 6);
    const { batch } = await st.changes.changeTokens({ isActive: false }, tokens.map((t) => ({ uid: t.identifier.uid! })), 'window:bulk');
    expect(st.changes.progress(batch!.id)).toMatchObject({ total: 6, waiting: 6, done: 0, paused: false, writesPerMinute: 120, estimateMs: 3_000 });
    st.changes.pause(batch!.id);
    await st.sync.settle(3_000);
    expect(apiPatches(s)).toHaveLength(0);
    expect(st.changes.progress(batch!.id)).toMatchObject({ paused: true, waiting: 6 });
    st.changes.resume(batch!.id);
    // Cancel while it runs: what has not been sent is discarded, what was sent stays.
    let cancelled = 0;
    const off = st.changes.onChange((changes) => {
      if (cancelled === 0 && changes.some((c) => c.state === 'synced')) cancelled = st.changes.cancel(batch!.id).length;
    });
    await st.sync.settle(10_000);
    off();
    const progress = st.changes.progress(batch!.id);
    expect(cancelled).toBeGreaterThan(0);
    expect(progress).toMatchObject({ total: 6, cancelled, waiting: 0, failed: 0 });
    expect(progress.done + progress.cancelled).toBe(6);
    expect(apiPatches(s)).toHaveLength(progress.done);
    expect(progress.sentPerMinute).toBe(progress.done);
    expect(st.audit.list({ actions: ['change'] }).map((e) => e.details.step)).toEqual(expect.arrayContaining(['paused', 'resumed', 'cancelled']));
  });

  it('estimates 1,000 changes at 120 writes a minute at 8.3 minutes, without a request', async () => {
    const s = await useSandbox();
    const st = await makeStation(s);
    const targets = Array.from({ length: 1000 }, (_, i) => ({ spiriiId: 20_000 + i, uid: null, label: null, basedOn: null }));
    const { batch } = st.changes.queueChanges({ isActive: false }, targets, 'window:bulk');
    const progress = st.changes.progress(batch!.id);
    expect(progress).toMatchObject({ total: 1000, waiting: 1000, writesPerMinute: 120 });
    expect(progress.estimateMs).toBe(500_000);
    expect(s.stats.requests).toBe(0);
  });

  it('a token gone from Spirii rejects its change; a change Spirii refuses is rejected with its message and not sent again', async () => {
    const s = await useSandbox();
    const st = await makeStation(s);
    const [a] = await seed(st, 1);
    const gone = st.changes.queueChanges({ isActive: false }, [{ spiriiId: 99_999, uid: null, label: null, basedOn: null }], 'cli');
    // Spirii refuses a valid-from after the expiry the token has.
    s.changeToken(a!.id, { expiresAt: '2030-01-01T00:00:00.000Z' });
    const refused = await st.changes.changeTokens({ validFrom: '2031-01-01T00:00:00Z' }, [{ uid: uidOf(1) }], 'cli');
    await st.sync.settle(10_000);
    expect(st.changes.get(gone.changes[0]!.id)).toMatchObject({ state: 'rejected', lastErrorDetail: { key: 'token-gone' } });
    expect(st.changes.get(refused.changes[0]!.id)).toMatchObject({ state: 'rejected', lastErrorDetail: { key: 'refused' } });
    expect(st.changes.get(refused.changes[0]!.id)!.lastError).toMatch(/^Spirii refused this change: expiresAt/);
  });

  it('a change left "sending" by a crash is read back by the next process, never sent blind', async () => {
    const s = await useSandbox();
    let st = await makeStation(s);
    const [a] = await seed(st, 1);
    const { changes } = await st.changes.changeTokens({ comment: 'crash' }, [{ uid: uidOf(1) }], 'cli');
    // As if the process died right after the PATCH left: the row says "sending", Spirii has the change.
    st.db.prepare(`UPDATE token_changes SET state = 'sending', attempt_id = 'x', attempted_at = ?, based_on = ? WHERE id = ?`).run(new Date().toISOString(), a!.updatedAt, changes[0]!.id);
    const applied = s.changeToken(a!.id, { comment: 'crash' });
    await st.close();
    station = null;
    st = await makeStation(s);
    await st.sync.settle(10_000);
    expect(st.changes.get(changes[0]!.id)).toMatchObject({ state: 'synced', resultUpdatedAt: applied.updatedAt });
    expect(apiPatches(s)).toHaveLength(0);
  });

  it('keeps the station from switching to another API while changes are unsent', async () => {
    const s = await useSandbox();
    const st = await makeStation(s);
    st.changes.queueChanges({ isActive: false }, [{ spiriiId: 10_001, uid: null, label: null, basedOn: null }], 'cli');
    expect(st.unsentCount()).toBe(1);
  });
});
