// A customer number typed offline (not verified) is checked against Spirii (the sandbox) before
// any of its tokens is sent: unknown -> rejected and nothing POSTed; known -> verified and sent.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../electron/core/db/sqlite';
import { TokenQueue } from '../../electron/core/queue';
import { SpiriiClient } from '../../electron/core/api/client';
import { CustomerDirectory } from '../../electron/core/customers';
import { Settings } from '../../electron/core/settings';
import { SyncWorker } from '../../electron/core/sync/worker';
import { startSandbox, type Sandbox } from '../../electron/sandbox/server';
import { tempDir } from '../support/temp';
import { tokenDraft, uidOf } from '../support/tokens';

const KEY = 'test-key';
let cleanup: () => void;
let db: Db;
let queue: TokenQueue;
let directory: CustomerDirectory;
let sandbox: Sandbox;
let worker: SyncWorker | null = null;

beforeEach(async () => {
  let dir: string;
  ({ dir, cleanup } = tempDir());
  db = openDatabase(dir);
  queue = new TokenQueue(db);
  sandbox = await startSandbox({ apiKey: KEY, rateLimit: false });
  const client = new SpiriiClient({ baseUrl: sandbox.url, apiKey: KEY }, { timeoutMs: 2_000 });
  directory = new CustomerDirectory(client, new Settings(db));
  worker = new SyncWorker(queue, client, { serverMarginMs: 0, backoff: { baseMs: 20, capMs: 200 }, customers: directory });
});
afterEach(async () => {
  await worker?.stop();
  worker = null;
  await sandbox.close();
  db.close();
  cleanup();
});

describe('SyncWorker: customers typed while offline', () => {
  it('rejects the tokens of a customer number Spirii does not know, sending none of them; others go on', async () => {
    directory.markUnverified(4242);
    const unknown = [queue.add(tokenDraft(uidOf(1), { customerId: 4242, label: 'U1' })), queue.add(tokenDraft(uidOf(2), { customerId: 4242, label: 'U2' }))];
    const other = queue.add(tokenDraft(uidOf(3), { label: 'K3' }));

    const status = await worker!.settle(10_000);

    expect(status.counts).toMatchObject({ rejected: 2, synced: 1, pending: 0 });
    for (const token of unknown) {
      expect(queue.get(token.id)).toMatchObject({
        state: 'rejected',
        lastError: 'Spirii has no customer 4242: choose the right customer and enroll the card again',
        lastErrorDetail: { key: 'unknown-customer', params: { customerId: 4242 } },
      });
    }
    expect(queue.get(other.id)!.state).toBe('synced');
    // Only the known customer's token reached Spirii, in one POST.
    expect(sandbox.tokens().map((t) => t.identifier.uid)).toEqual([uidOf(3)]);
    expect(sandbox.stats.writeRequests).toBe(1);
    // Still unverified: a retry of those tokens is checked again.
    expect(directory.unverified()).toEqual(new Set([4242]));
  });

  it('verifies a typed number Spirii knows (remembered with its name) and sends its tokens', async () => {
    directory.markUnverified(1002);
    const token = queue.add(tokenDraft(uidOf(4), { customerId: 1002, label: 'N4' }));
    const verified: number[] = [];
    directory.onVerified((customers) => verified.push(...customers.map((c) => c.id)));

    const status = await worker!.settle(10_000);

    expect(status.counts).toMatchObject({ synced: 1, rejected: 0 });
    expect(queue.get(token.id)!.state).toBe('synced');
    expect(sandbox.tokens().map((t) => t.customerId)).toEqual([1002]);
    expect(directory.unverified().size).toBe(0);
    expect(directory.cachedName(1002)).toBe('Nordlys Taxi A/S');
    expect(verified).toEqual([1002]);
  });
});
