// Customer search while offline answers from the cache with Spirii's own rule, so the desk finds
// the same customers with or without the network.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../electron/core/db/sqlite';
import { Settings } from '../../electron/core/settings';
import { CustomerDirectory } from '../../electron/core/customers';
import { SpiriiClient } from '../../electron/core/api/client';
import { startSandbox, type Sandbox } from '../../electron/sandbox/server';
import { tempDir } from '../support/temp';
import { closedPort } from '../support/net';

let db: Db;
let cleanup: () => void;
let sandbox: Sandbox;

beforeEach(async () => {
  let dir: string;
  ({ dir, cleanup } = tempDir());
  db = openDatabase(dir);
  sandbox = await startSandbox({ apiKey: 'k' });
});
afterEach(async () => {
  await sandbox.close();
  db.close();
  cleanup();
});

describe('CustomerDirectory', () => {
  it('answers offline from what it has seen, as Spirii would', async () => {
    const settings = new Settings(db);
    const online = new CustomerDirectory(new SpiriiClient({ baseUrl: sandbox.url, apiKey: 'k' }), settings);
    const searches = ['', 'acme', 'ACME-01', '1003', ' fjord '];
    const answers = new Map<string, number[]>();
    for (const search of searches) {
      const result = await online.search(search);
      expect(result.fromCache).toBe(false);
      answers.set(search, result.customers.map((c) => c.id));
    }
    expect(answers.get('1003')).toEqual([1003]);

    const offline = new CustomerDirectory(new SpiriiClient({ baseUrl: `http://127.0.0.1:${await closedPort()}`, apiKey: 'k' }), settings);
    for (const search of searches) {
      const result = await offline.search(search);
      expect(result.fromCache, search).toBe(true);
      expect(result.customers.map((c) => c.id).sort(), search).toEqual([...answers.get(search)!].sort());
    }
  });
});
