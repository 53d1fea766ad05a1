/**
 * "Select all N matching the filters" on the Tokens screen: the core pages through GET /v2/tokens
 * against the sandbox and gives the window only ids (and a short sample), in the query's order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { SpiriiClient } from '../../electron/core/api/client';
import { selectTokens } from '../../electron/core/token-selection';
import { startSandbox, type Sandbox } from '../../electron/sandbox/server';
import type { SpiriiToken } from '../../electron/core/token';
import { seedSandbox } from '../support/seed';
import { tempDir } from '../support/temp';

describe('selecting every token matching a query', () => {
  let sandbox: Sandbox, client: SpiriiClient, seeded: SpiriiToken[], cleanup: () => void;

  beforeAll(async () => {
    const temp = tempDir();
    cleanup = temp.cleanup;
    seeded = seedSandbox(temp.dir, 2600);
    sandbox = await startSandbox({ apiKey: 'select-test', rateLimit: false, statePath: path.join(temp.dir, 'sandbox-tokens.json') });
    client = new SpiriiClient({ baseUrl: sandbox.url, apiKey: 'select-test' });
  });
  afterAll(async () => {
    await sandbox.close();
    cleanup();
  });

  it('gives every matching id across pages, in the query order, with a sample and the count', async () => {
    const expected = seeded.filter((t) => t.customerId === 1003 && t.isActive).sort((a, b) => b.id - a.id);
    const before = sandbox.stats.readRequests;
    const selection = await selectTokens(client, { customerId: 1003, isActive: true });
    expect(selection.count).toBe(expected.length);
    expect(selection.ids).toEqual(expected.map((t) => t.id));
    expect(selection.updatedAt).toEqual(expected.map((t) => t.updatedAt));
    expect(selection.sample.map((t) => t.id)).toEqual(expected.slice(0, 5).map((t) => t.id));
    // One page of 1,000 for fewer than 1,000 matches.
    expect(sandbox.stats.readRequests - before).toBe(1);

    const all = await selectTokens(client, { sortBy: 'id', sortDirection: 'asc' });
    expect(all.ids).toEqual(seeded.map((t) => t.id));
    expect(all.count).toBe(2600);
  });

  it('gives a range of the list (a shift-click across rows not yet fetched)', async () => {
    const range = await selectTokens(client, {}, { offset: 990, limit: 30 });
    const newestFirst = [...seeded].reverse();
    expect(range.ids).toEqual(newestFirst.slice(990, 1020).map((t) => t.id));
    expect(range.count).toBe(2600);
  });
});
