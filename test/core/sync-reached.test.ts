// When Spirii was last reached, on an injected wall clock: any answer counts (a 401 too), a refused connection does not.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../electron/core/db/sqlite';
import { TokenQueue } from '../../electron/core/queue';
import { SpiriiClient } from '../../electron/core/api/client';
import { SyncWorker } from '../../electron/core/sync/worker';
import { startSandbox, type Sandbox } from '../../electron/sandbox/server';
import { tempDir } from '../support/temp';
import { tokenDraft, uidOf } from '../support/tokens';

const KEY = 'test-key';
let cleanup: () => void;
let db: Db;
let queue: TokenQueue;
let sandbox: Sandbox | null = null;
let worker: SyncWorker | null = null;
/** The worker's wall clock, moved by the test. */
let clock = Date.parse('2026-12-01T09:00:00Z');

function makeWorker(url: string, key = KEY): SyncWorker {
  worker = new SyncWorker(queue, new SpiriiClient({ baseUrl: url, apiKey: key }, { timeoutMs: 2_000 }), {
    backoff: { baseMs: 20, capMs: 200 },
    serverMarginMs: 0,
    now: () => clock,
  });
  return worker;
}

beforeEach(() => {
  let dir: string;
  ({ dir, cleanup } = tempDir());
  db = openDatabase(dir);
  queue = new TokenQueue(db);
  clock = Date.parse('2026-12-01T09:00:00Z');
});
afterEach(async () => {
  await worker?.stop();
  worker = null;
  await sandbox?.close();
  sandbox = null;
  db.close();
  cleanup();
});

describe('SyncWorker: last reached', () => {
  it('is null before any answer, the clock time of the last answer after one, and unchanged by a refused connection', async () => {
    sandbox = await startSandbox({ apiKey: KEY, rateLimit: false });
    const port = sandbox.port;
    const w = makeWorker(sandbox.url);
    expect(w.status.lastReachedAt).toBeNull();

    queue.add(tokenDraft(uidOf(1), { label: 'R1' }));
    const first = await w.settle(10_000);
    expect(first.counts.synced).toBe(1);
    const reachedAt = clock;
    expect(first.lastReachedAt).toBe(reachedAt);

    // Spirii gone: the connection is refused, nothing answered, so the time stays where it was.
    await sandbox.close();
    sandbox = null;
    clock += 5 * 60_000;
    queue.add(tokenDraft(uidOf(2), { label: 'R2' }));
    w.start();
    w.poke();
    await expect.poll(() => w.status.phase, { timeout: 5_000 }).toBe('offline');
    expect(w.status).toMatchObject({ online: false, lastReachedAt: reachedAt });

    // Back: the next answer moves it to the clock's time then.
    sandbox = await startSandbox({ apiKey: KEY, rateLimit: false, port });
    clock += 60_000;
    w.retryNow();
    await expect.poll(() => queue.counts().synced, { timeout: 5_000 }).toBe(2);
    await expect.poll(() => w.status.phase, { timeout: 5_000 }).toBe('idle');
    expect(w.status.lastReachedAt).toBe(clock);
  });

  it('counts a refused key (401) as reached: Spirii answered', async () => {
    sandbox = await startSandbox({ apiKey: KEY, rateLimit: false });
    queue.add(tokenDraft(uidOf(3), { label: 'R3' }));
    const status = await makeWorker(sandbox.url, 'wrong-key').settle(5_000);
    expect(status.phase).toBe('paused-auth');
    expect(status.lastReachedAt).toBe(clock);
  });
});
