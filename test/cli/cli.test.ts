// The CLI as a user runs it: real processes, a real SQLite file, the sandbox over real HTTP.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../electron/core/db/sqlite';
import { cliEnv, runCli } from '../support/cli';
import { useCliRig } from '../support/cli-rig';
import { closedPort } from '../support/net';

function rows(): { uid: string; state: string; label: string | null; customer_id: number; spirii_id: number | null }[] {
  const file = path.join(dir, DATABASE_FILE);
  if (!fs.existsSync(file)) return [];
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT uid, state, label, customer_id, spirii_id FROM tokens ORDER BY id').all() as ReturnType<typeof rows>;
  } finally {
    db.close();
  }
}

const KEY = 'cli-test-key';
const rig = useCliRig(KEY);
let dir: string;
let env: NodeJS.ProcessEnv;
let sandboxUrl: string;
beforeEach(() => ({ dir, env, sandboxUrl } = rig));

describe('token-station sandbox', () => {
  it('prints its URL first and serves the API with that key on loopback', async () => {
    expect(sandboxUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const unauthorised = await fetch(`${sandboxUrl}/v2/customers`);
    expect(unauthorised.status).toBe(401);
    const customers = await fetch(`${sandboxUrl}/v2/customers?search=acme`, { headers: { authorization: `Bearer ${KEY}` } });
    expect((await customers.json()).data.length).toBeGreaterThan(0);
  });
});

describe('token-station add, sync, queue', () => {
  it('queues a token durably, syncs it, and lists it with its Spirii id', async () => {
    const add = await runCli(['add', '--uid', '04:a2:24:b2:c3:5d:80', '--customer', '1001', '--label', 'DK.ACME.0001', '--json'], env);
    expect(add.code).toBe(0);
    expect(JSON.parse(add.stdout)).toMatchObject({ event: 'queued', uid: '04A224B2C35D80', label: 'DK.ACME.0001', customerId: 1001 });
    expect(rows()).toEqual([{ uid: '04A224B2C35D80', state: 'pending', label: 'DK.ACME.0001', customer_id: 1001, spirii_id: null }]);

    const sync = await runCli(['sync', '--json'], env);
    expect(sync.code).toBe(0);
    expect(JSON.parse(sync.stdout)).toMatchObject({ synced: 1, pending: 0, in_doubt: 0, rejected: 0 });
    const [row] = rows();
    expect(row).toMatchObject({ state: 'synced', spirii_id: expect.any(Number) });

    const listed = await fetch(`${sandboxUrl}/v2/tokens/${row!.spirii_id}`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(await listed.json()).toMatchObject({ customerId: 1001, identifier: { type: 'rfid', uid: '04A224B2C35D80', label: 'DK.ACME.0001' } });

    const queue = await runCli(['queue', '--json'], env);
    expect(JSON.parse(queue.stdout)).toEqual([
      expect.objectContaining({ state: 'synced', uid: '04A224B2C35D80', label: 'DK.ACME.0001', customerId: 1001, spiriiId: row!.spirii_id, lastError: null }),
    ]);
    const table = await runCli(['queue'], env);
    expect(table.stdout).toMatch(/^ID\s+STATE\s+UID\s+LABEL\s+CUSTOMER\s+SPIRII ID\s+LAST ERROR\n1\s+synced\s+04A224B2C35D80\s+DK\.ACME\.0001\s+1001\s+\d+/);
  });

  it('refuses a card already queued, naming where it is', async () => {
    expect((await runCli(['add', '--uid', '04A224B2', '--customer', '1001', '--label', 'A1'], env)).code).toBe(0);
    const again = await runCli(['add', '--uid', '04a224b2', '--customer', '1002'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already in the queue \(pending, customer 1001, label A1\)/);
    expect(rows()).toHaveLength(1);
  });

  it('sync exits 1 and leaves the tokens pending while the API is unreachable', async () => {
    const port = await closedPort();
    const offline = cliEnv({ TOKEN_STATION_DATA_DIR: dir, TOKEN_STATION_API_URL: `http://127.0.0.1:${port}`, TOKEN_STATION_API_KEY: KEY });
    await runCli(['add', '--uid', '04A224B2', '--customer', '1001'], offline);
    const sync = await runCli(['sync', '--timeout', '2'], offline);
    expect(sync.code).toBe(1);
    expect(sync.stdout).toMatch(/^synced 0, pending 1, in doubt 0, rejected 0, held 0\nstatus: offline: Spirii unreachable, next attempt in \d+ s$/m);
    expect(sync.stderr).toMatch(new RegExp(`Cannot reach 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\): working offline`));
    expect(rows()).toEqual([expect.objectContaining({ state: 'pending' })]);
  });

  it('sync stops at once on a refused key and fails no token', async () => {
    const badKey = cliEnv({ TOKEN_STATION_DATA_DIR: dir, TOKEN_STATION_API_URL: sandboxUrl, TOKEN_STATION_API_KEY: 'wrong' });
    await runCli(['add', '--uid', '04A224B2', '--customer', '1001'], badKey);
    const sync = await runCli(['sync', '--json'], badKey);
    expect(sync.code).toBe(1);
    expect(JSON.parse(sync.stdout)).toMatchObject({ phase: 'paused-auth', pending: 1, rejected: 0 });
  });

  it('sync prints the counts by state and the status; queue retries, releases, discards and sets the hold period', async () => {
    expect((await runCli(['queue', 'hold', '--minutes', '30'], env)).stdout).toMatch(/held 30 minutes before they are sent/);
    expect((await runCli(['queue', 'batch', '--size', '2'], env)).stdout).toMatch(/^Up to 2 tokens go to Spirii in one request\.$/m);
    const tooBig = await runCli(['queue', 'batch', '--size', '501'], env);
    expect(tooBig.code).toBe(2);
    expect(tooBig.stderr).toMatch(/--size must be at most 500/);
    // Kept where the app reads it: the desk's Sync settings show the same numbers.
    const stored = new Database(path.join(dir, DATABASE_FILE), { readonly: true });
    try {
      expect(JSON.parse((stored.prepare("SELECT value FROM settings WHERE key = 'sync'").get() as { value: string }).value)).toEqual({ holdMinutes: 30, batchSize: 2 });
    } finally {
      stored.close();
    }
    await runCli(['add', '--uid', '04000001', '--customer', '1001', '--label', 'H1'], env);
    await runCli(['add', '--uid', '04000002', '--customer', '999999', '--label', 'H2'], env);
    await runCli(['add', '--uid', '04000003', '--customer', '1001', '--label', 'H3'], env);
    let sync = await runCli(['sync'], env);
    expect(sync.code).toBe(0); // held on purpose: not a failure
    expect(sync.stdout).toMatch(/^synced 0, pending 0, in doubt 0, rejected 0, held 3\nstatus: online, up to date; 3 held \(first release in \d+ s\)$/m);

    const held = await runCli(['queue', '--state', 'held'], env);
    expect(held.stdout).toMatch(/^3\s+held\s+04000003\s+H3\s+1001\s+held until 20\d\d-/m);
    expect(JSON.parse((await runCli(['queue', 'discard', '--id', '3', '--json'], env)).stdout)).toEqual([expect.objectContaining({ id: 3, state: 'discarded' })]);
    expect(JSON.parse((await runCli(['queue', 'release', '--json'], env)).stdout).map((t: { id: number }) => t.id)).toEqual([1, 2]);

    sync = await runCli(['sync'], env);
    expect(sync.code).toBe(0);
    expect(sync.stdout).toMatch(/^synced 1, pending 0, in doubt 0, rejected 1, held 0\nstatus: online, up to date$/m);
    expect(sync.stderr).toMatch(/Rejected tokens need attention/);
    const rejected = await runCli(['queue', '--state', 'rejected'], env);
    expect(rejected.stdout).toMatch(/2\s+rejected\s+04000002\s+H2\s+999999\s+Spirii refused this token: .*customer 999999 not found/);
    expect((await runCli(['queue', 'discard', '--id', '1'], env)).stderr).toMatch(/cannot be discarded: it is already in Spirii \(token \d+\)/);
    expect(JSON.parse((await runCli(['queue', 'retry', '--json'], env)).stdout)).toEqual([expect.objectContaining({ id: 2, state: 'pending' })]);
    expect(rows().map((r) => r.state)).toEqual(['synced', 'pending', 'discarded']);
  });

  it('without a key, uses the built-in sandbox and says so', async () => {
    const local = cliEnv({ TOKEN_STATION_DATA_DIR: dir });
    await runCli(['add', '--uid', '04A224B2', '--customer', '1001'], local);
    const sync = await runCli(['sync'], local);
    expect(sync.code).toBe(0);
    expect(sync.stderr).toMatch(/Built-in sandbox: nothing you enroll here reaches Spirii/);
    expect(rows()).toEqual([expect.objectContaining({ state: 'synced' })]);
  });
});

describe('token-station enroll --simulate', () => {
  it('prints one JSON line per tap and numbers the labels', async () => {
    const result = await runCli(['enroll', '--customer', '1001', '--count', '2', '--label-prefix', 'DK.ACME.', '--label-start', '41', '--simulate', '--json'], env);
    expect(result.code).toBe(0);
    const events = result.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events).toEqual([
      { event: 'queued', uid: expect.stringMatching(/^04[0-9A-F]{12}$/), label: 'DK.ACME.0041', customerId: 1001, id: 1 },
      { event: 'queued', uid: expect.stringMatching(/^04[0-9A-F]{12}$/), label: 'DK.ACME.0042', customerId: 1001, id: 2 },
    ]);
  });

  it('taps given UIDs, and reports a duplicate as refused', async () => {
    const result = await runCli(['enroll', '--customer', '1001', '--tap', '04A224B2', '--tap', '04a224b2', '--json'], env);
    const events = result.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.map((e) => e.event)).toEqual(['queued', 'refused']);
    expect(events[1]).toMatchObject({ reason: 'duplicate', uid: '04A224B2' });
  });
});

describe('bad input', () => {
  it.each([
    [['add', '--uid', '04A22', '--customer', '1001'], /--uid: UID "04A22" has an odd number of hex digits/],
    [['add', '--uid', '04G224B2', '--customer', '1001'], /--uid: UID "04G224B2" is not hexadecimal/],
    [['add', '--uid', '04A224B2', '--customer', '0'], /--customer must be a positive integer, got "0"/],
    [['add', '--uid', '04A224B2', '--customer', 'acme'], /--customer must be a positive integer, got "acme"/],
    [['add', '--uid', '04A224B2', '--customer', '1.5'], /--customer must be a positive integer/],
    [['add', '--uid', '04A224B2'], /--customer is required/],
    [['add', '--uid', '04A224B2', '--customer', '1', '--colour', 'red'], /Unknown option '--colour'/],
    [['enroll', '--customer', '1', '--count', '-3'], /--count/],
    [['enroll', '--customer', '1', '--label-start', '5'], /--label-start needs --label-prefix/],
    [['sync', '--timeout', 'soon'], /--timeout must be a positive integer/],
    [['sandbox', '--port', '70000'], /--port must be at most 65535/],
    [['queue', 'extra'], /Unexpected argument 'extra'/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('%j: exit 2 with one line naming the problem, and nothing changed', async (args, message) => {
    const result = await runCli(args as string[], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stdout).toBe('');
    expect(rows()).toEqual([]);
  });

  it('refuses an API URL without a key rather than sending unauthenticated', async () => {
    const result = await runCli(['sync'], cliEnv({ TOKEN_STATION_DATA_DIR: dir, TOKEN_STATION_API_URL: sandboxUrl }));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/TOKEN_STATION_API_URL is set but TOKEN_STATION_API_KEY is not/);
  });
});
